import { describe, expect, it } from 'vitest'
import { coverSplits, splitsCoverage, splitsCoverageProblem } from '../../shared/splitsCoverage'
import { groupedFolds } from '../../shared/splits'

const four = ['c1', 'c2', 'c3', 'c4']
// What "Write 4 folds" wrote over four cases (each its own group).
const fourFolds = groupedFolds(Object.fromEntries(four.map((c) => [c, c])), 4)

describe('splitsCoverage', () => {
  it('is ok when every fold lists exactly the training cases', () => {
    const c = splitsCoverage(fourFolds, [...four].reverse())
    expect(c).toEqual({ ok: true, missing: [], extra: [], folds: [] })
    expect(splitsCoverageProblem(c, 4)).toBe('')
  })

  it('names a training case that is in no fold (the dataset grew after the folds were written)', () => {
    const c = splitsCoverage(fourFolds, [...four, 'c5'])
    expect(c.ok).toBe(false)
    expect(c.missing).toEqual(['c5'])
    expect(c.extra).toEqual([])
    expect(c.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3])
    expect(splitsCoverageProblem(c, 5)).toBe("splits_final.json does not match the dataset's 5 training cases: c5 is in no fold (never trained on or validated).")
  })

  it('names a case in the splits that is no longer a training case', () => {
    const c = splitsCoverage(fourFolds, ['c1', 'c2', 'c4'])
    expect(c.missing).toEqual([])
    expect(c.extra).toEqual(['c3'])
    expect(splitsCoverageProblem(c, 3)).toContain('c3 is in the splits but not among the 3 training cases any more')
  })

  it('finds a fold that lacks a case the other folds have (edited by hand)', () => {
    const edited = fourFolds.map((s, f) => (f === 2 ? { train: s.train.filter((c) => c !== 'c1'), val: s.val.filter((c) => c !== 'c1') } : s))
    const c = splitsCoverage(edited, four)
    expect(c.missing).toEqual([])
    expect(c.folds).toEqual([{ fold: 2, missing: ['c1'], extra: [] }])
    expect(splitsCoverageProblem(c, 4)).toContain('fold 2 misses cases the other folds have (c1)')
  })
})

describe('coverSplits', () => {
  it('keeps the fold of every case still there, drops the gone ones and adds the new ones', () => {
    const { splits, added, removed } = coverSplits(fourFolds, ['c1', 'c2', 'c4', 'c5', 'c6'])
    expect(removed).toEqual(['c3'])
    expect(splitsCoverage(splits, ['c1', 'c2', 'c4', 'c5', 'c6']).ok).toBe(true)
    for (const c of ['c1', 'c2', 'c4']) expect(splits.findIndex((s) => s.val.includes(c))).toBe(fourFolds.findIndex((s) => s.val.includes(c)))
    // c3's fold lost its validation case: the first new case goes there.
    expect(added.c5).toBe(fourFolds.findIndex((s) => s.val.includes('c3')))
    expect(Object.keys(added).sort()).toEqual(['c5', 'c6'])
    for (const s of splits) expect(s.train.filter((c) => s.val.includes(c))).toEqual([])
  })
})
