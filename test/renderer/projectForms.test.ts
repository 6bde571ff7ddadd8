// Step forms are part of the project: they travel through the project file and "new project", and
// an older or hand-edited form falls back to its defaults field by field.
import { beforeEach, describe, expect, it } from 'vitest'
import { projectFile } from '../../shared/schema'
import { projectFileOf, useProject } from '../../renderer/store/projectStore'
import { formOf, readProjectForm } from '../../renderer/store/projectForms'

const PLAN = { configurations: ['2d', '3d_fullres'], processes: null as number | null, verify: true }

beforeEach(() => useProject.getState().newProject())

describe('project forms', () => {
  it('a form edit marks the project dirty and survives the project file', () => {
    useProject.getState().setForm('plan', { configurations: ['2d'], processes: 4 })
    expect(useProject.getState().dirty).toBe(true)
    const file = projectFile.parse(JSON.parse(JSON.stringify(projectFileOf(useProject.getState()))))
    useProject.getState().newProject()
    expect(readProjectForm('plan', PLAN)).toEqual(PLAN)
    useProject.getState().loadFile(file, '/p.json')
    expect(readProjectForm('plan', PLAN)).toEqual({ configurations: ['2d'], processes: 4, verify: true })
  })

  it('a project file from before forms existed opens with every form at its defaults', () => {
    const { forms: _forms, ...old } = projectFileOf(useProject.getState())
    const file = projectFile.parse(old)
    expect(file.forms).toEqual({})
    useProject.getState().loadFile(file, null)
    expect(readProjectForm('plan', PLAN)).toEqual(PLAN)
  })

  it('a field of the wrong kind or unknown to the form takes the default', () => {
    expect(formOf({ configurations: '2d', processes: 3, verify: false, stale: 1 }, PLAN)).toEqual({ configurations: ['2d', '3d_fullres'], processes: 3, verify: false })
  })
})
