// Remove in Sources can be undone (issue 18, point 10): the notice names what went, and its Undo
// puts the row back at its place with its folder, name and colour, also after later edits.
import { beforeEach, expect, it } from 'vitest'
import { useProject } from '../../renderer/store/projectStore'
import { useWizard } from '../../renderer/store/wizardStore'
import { removeMaskFolder } from '../../renderer/store/removeMaskFolder'

beforeEach(() => {
  useProject.getState().newProject()
  useWizard.getState().setNotice(null)
  for (const d of ['/data/liver', '/data/tumor', '/data/vessels']) useProject.getState().addMaskFolder(d)
})

const names = () => useProject.getState().labels.map((l) => `${l.name}:${l.dir}`)

it('says what was removed, and Undo brings the table back as it was', () => {
  const before = useProject.getState().labels
  removeMaskFolder(1)
  expect(names()).toEqual(['liver:/data/liver', 'vessels:/data/vessels'])
  const notice = useWizard.getState().notice!
  expect(notice).toMatchObject({ step: 'sources', text: 'Removed mask folder 2 “tumor” (/data/tumor).', undo: { label: 'Undo' } })
  notice.undo!.run()
  expect(useProject.getState().labels).toEqual(before)
})

it('after another edit, Undo puts the row back at its place and keeps the edit', () => {
  removeMaskFolder(0)
  useProject.getState().setMaskDir(1, '/data/vessels2')
  useWizard.getState().notice!.undo!.run()
  expect(names()).toEqual(['liver:/data/liver', 'tumor:/data/tumor', 'vessels2:/data/vessels2'])
  expect(useProject.getState().dirty).toBe(true)
})
