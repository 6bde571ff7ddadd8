import { describe, expect, it } from 'vitest'
import { projectFileIn } from '../../renderer/lib/projectFileIn'

describe('projectFileIn: the project file in a browsed folder', () => {
  it('keeps the file name typed so far', () => {
    expect(projectFileIn('/data/studies', '/home/me/liver.nnwizard.json', 'Liver')).toBe('/data/studies/liver.nnwizard.json')
    expect(projectFileIn('/data/studies', 'mine', 'Liver')).toBe('/data/studies/mine')
  })
  it('names the file after the project when nothing (or only a folder) was typed', () => {
    expect(projectFileIn('/data/studies', '', 'Liver tumour v2')).toBe('/data/studies/Liver-tumour-v2.nnwizard.json')
    expect(projectFileIn('/data/studies', '/old/folder/', '')).toBe('/data/studies/project.nnwizard.json')
  })
  it('joins with the folder’s own separator, once', () => {
    expect(projectFileIn('/', '', 'a')).toBe('/a.nnwizard.json')
    expect(projectFileIn('C:\\Users\\me', '', 'a')).toBe('C:\\Users\\me\\a.nnwizard.json')
  })
})
