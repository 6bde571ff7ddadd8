import { describe, expect, it } from 'vitest'
import { projectFilePath } from '../../renderer/store/projectFile'

describe('projectFilePath', () => {
  it('gives a typed name the project file ending, and leaves a .json path as typed', () => {
    expect(projectFilePath('/tmp/me/liverspleen')).toBe('/tmp/me/liverspleen.nnwizard.json')
    expect(projectFilePath(' /tmp/me/liver.nnwizard.json ')).toBe('/tmp/me/liver.nnwizard.json')
    expect(projectFilePath('/tmp/me/Project.JSON')).toBe('/tmp/me/Project.JSON')
    expect(projectFilePath('  ')).toBe('')
  })
})
