// `--label NAME=rtstruct:DIR:ROI` / `seg:DIR:SEGMENT` and ROI aliases (issue 20, item 4).
import { describe, expect, it } from 'vitest'
import { aliasesOf, matchesStructure, parseStructureSource } from '../../shared/structureSpec'

describe('structure label sources', () => {
  it('a plain folder is a mask folder (null); rtstruct: and seg: take the folder up to the last colon', () => {
    expect(parseStructureSource('data/organ')).toBeNull()
    expect(parseStructureSource('rtstruct:data/rs:Liver|LIVER_1')).toEqual({ dir: 'data/rs', structure: { kind: 'rtstruct', names: 'Liver|LIVER_1' } })
    expect(parseStructureSource('SEG:C:\\exports\\seg:2')).toEqual({ dir: 'C:\\exports\\seg', structure: { kind: 'seg', names: '2' } })
  })

  it('a kind without its folder or name is refused with the form to use', () => {
    expect(parseStructureSource('rtstruct:data')).toEqual({ error: expect.stringMatching(/needs rtstruct:DIR:ROI/) })
    expect(parseStructureSource('seg:data: | ')).toEqual({ error: expect.stringMatching(/names no segment/) })
  })

  it('aliases match without case, trimmed; empty aliases are dropped', () => {
    expect(aliasesOf(' Liver || liver_1 ')).toEqual(['Liver', 'liver_1'])
    expect(matchesStructure('LIVER', 'liver|hepar')).toBe(true)
    expect(matchesStructure('Liver_1', 'liver|hepar')).toBe(false)
  })
})
