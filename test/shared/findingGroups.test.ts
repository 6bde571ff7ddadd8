import { describe, expect, it } from 'vitest'
import { groupCaseFindings } from '../../shared/findingGroups'
import type { Finding } from '../../shared/api'

const overlap = (n: number): Finding => ({ severity: 'info', code: 'overlap', text: `${n} voxels are in more than one mask; the later label wins (aorta < false lumen).` })

describe('groupCaseFindings', () => {
  it('collapses the overlap message of every case into one line listing the cases', () => {
    const groups = groupCaseFindings([
      { caseKey: 'case-1', findings: [overlap(120)] },
      { caseKey: 'case-2', findings: [overlap(7)] },
      { caseKey: 'case-3', findings: [overlap(1234)] },
    ])
    expect(groups).toHaveLength(1)
    expect(groups[0]!.caseKeys).toEqual(['case-1', 'case-2', 'case-3'])
    expect(groups[0]!.summary).toBe('Voxels are in more than one mask; the later label wins (aorta < false lumen). In 3 cases: case-1, case-2, case-3.')
  })

  it('keeps different messages apart and a single case as it is', () => {
    const missing = (k: string): Finding => ({ severity: 'error', code: 'mask-missing', text: `No "aorta" mask for case "${k}" in /d.` })
    const groups = groupCaseFindings([
      { caseKey: 'a', findings: [missing('a'), overlap(3)] },
      { caseKey: 'b', findings: [missing('b')] },
    ])
    expect(groups.map((g) => [g.finding.code, g.caseKeys])).toEqual([
      ['mask-missing', ['a', 'b']],
      ['overlap', ['a']],
    ])
    expect(groups[1]!.summary).toBe(overlap(3).text)
    expect(groups[0]!.summary).toBe('No "aorta" mask for the case in /d. In 2 cases: a, b.')
  })
})
