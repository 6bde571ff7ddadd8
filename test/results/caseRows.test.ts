// The per-case table's order and filters (renderer/steps/results/caseRows.ts): worst first by the
// lowest Dice of the shown labels, NaN last whichever way a column is sorted, FP/FN by count.
import { describe, expect, it } from 'vitest'
import type { CaseResult } from '../../shared/api'
import { DEFAULT_SORT, filterCases, sortCases, worstDice } from '../../renderer/steps/results/caseRows'

const c = (id: string, fold: number | 'test', liver: number | null, spleen: number | null, fpLiver = 0): CaseResult => ({
  case: id,
  fold,
  model: fold === 'test' ? 'predictions' : 'T__P__3d_fullres',
  dice: { liver, spleen },
  fp: { liver: fpLiver, spleen: 0 },
  fn: { liver: 0, spleen: 0 },
  reference: `/gt/${id}.nii.gz`,
  prediction: `/p/${id}.nii.gz`,
})

const cases = [c('a', 0, 0.9, 0.2, 10), c('b', 1, 0.5, 0.8, 300), c('c', 0, null, 0.95, 5), c('d', 'test', 0.1, null, 70), c('e', 1, null, null, 0)]
const labels = ['liver', 'spleen']

describe('case rows', () => {
  it('worst first: the lowest known Dice of the shown labels; a case with none last', () => {
    expect(sortCases(cases, DEFAULT_SORT, labels).map((x) => x.case)).toEqual(['d', 'a', 'b', 'c', 'e'])
    expect(worstDice(cases[2]!, labels)).toBe(0.95)
    // Filtered to one label: only its Dice counts.
    expect(sortCases(cases, DEFAULT_SORT, ['spleen']).map((x) => x.case)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('a column both ways, NaN staying last', () => {
    expect(sortCases(cases, { key: 'dice:liver', ascending: true }, labels).map((x) => x.case)).toEqual(['d', 'b', 'a', 'c', 'e'])
    expect(sortCases(cases, { key: 'dice:liver', ascending: false }, labels).map((x) => x.case)).toEqual(['a', 'b', 'd', 'c', 'e'])
    expect(sortCases(cases, { key: 'fp:liver', ascending: false }, labels).map((x) => x.case)).toEqual(['b', 'd', 'a', 'c', 'e'])
    expect(sortCases(cases, { key: 'fold', ascending: true }, labels).map((x) => x.fold)).toEqual([0, 0, 1, 1, 'test'])
  })

  it('filters by fold ("test" included) and model; test cases stay with any model', () => {
    expect(filterCases(cases, { model: null, fold: 'test', label: null }).map((x) => x.case)).toEqual(['d'])
    expect(filterCases(cases, { model: 'T__P__3d_fullres', fold: null, label: null })).toHaveLength(5)
    expect(filterCases(cases, { model: 'other', fold: null, label: null }).map((x) => x.case)).toEqual(['d'])
  })
})
