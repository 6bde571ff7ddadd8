// The Output step's "keep source file names out of manifest.json" checkbox reaches the prepare
// request and survives a project file round trip; left alone, the request stays as before.
import { beforeEach, describe, expect, it } from 'vitest'
import { projectFile } from '../../shared/schema'
import { prepareRequestOf, projectFileOf, useProject } from '../../renderer/store/projectStore'

beforeEach(() => {
  useProject.getState().newProject()
  useProject.getState().setImagesDir('/data/image')
  useProject.getState().addMaskFolder('/data/organ')
  useProject.getState().setOutput({ outDir: '/out', id: 12, name: 'Liver' })
})

describe('source paths option', () => {
  it('is off by default: the request records source paths', () => {
    expect(useProject.getState().output.sourcePaths).toBe(true)
    expect(prepareRequestOf(useProject.getState()).request!.output).not.toHaveProperty('sourcePaths')
  })

  it('ticked, the request asks for hashes only, and a saved project keeps it', () => {
    useProject.getState().setOutput({ sourcePaths: false })
    expect(prepareRequestOf(useProject.getState()).request!.output.sourcePaths).toBe(false)
    const file = projectFile.parse(projectFileOf(useProject.getState()))
    expect(file.output.sourcePaths).toBe(false)
    useProject.getState().newProject()
    useProject.getState().loadFile(file, '/p.json')
    expect(useProject.getState().output.sourcePaths).toBe(false)
  })
})
