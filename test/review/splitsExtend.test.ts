// Extending splits_final.json with added cases (shared/splitsExtend.ts): nothing existing moves,
// new cases go to the folds in turn, every fold still covers every case exactly once.
import { describe, expect, it } from 'vitest'
import { extendSplits } from '../../shared/splitsExtend'
import type { NnunetSplits } from '../../shared/splits'

/** nnU-Net-like 5 folds of 10 cases (2 validation cases each), built the way nnU-Net's KFold output looks. */
function fiveFolds(n = 10): NnunetSplits {
  const all = Array.from({ length: n }, (_, i) => `ct_${String(i + 1).padStart(3, '0')}`)
  return [0, 1, 2, 3, 4].map((f) => ({ val: all.filter((_, i) => i % 5 === f), train: all.filter((_, i) => i % 5 !== f) }))
}

describe('extendSplits', () => {
  it('keeps every existing case in its fold and puts new cases into the folds in turn', () => {
    const before = fiveFolds()
    const { splits, folds } = extendSplits(before, ['ct_011', 'ct_012', 'ct_013', 'ct_014', 'ct_015', 'ct_016'])
    expect(folds).toEqual({ ct_011: 0, ct_012: 1, ct_013: 2, ct_014: 3, ct_015: 4, ct_016: 0 })
    splits.forEach((s, f) => {
      // Existing cases: the same side of the same fold, in the same order.
      expect(s.val.slice(0, before[f]!.val.length)).toEqual(before[f]!.val)
      expect(s.train.slice(0, before[f]!.train.length)).toEqual(before[f]!.train)
      // Every case exactly once per fold.
      const all = [...s.train, ...s.val]
      expect(new Set(all).size).toBe(all.length)
      expect(all.length).toBe(16)
    })
    expect(splits[0]!.val).toEqual(['ct_001', 'ct_006', 'ct_011', 'ct_016'])
    expect(before[0]!.val).toEqual(['ct_001', 'ct_006']) // the input is not changed
  })

  it('fills the smallest validation fold first when folds are uneven, and continues in turn across rounds', () => {
    const uneven: NnunetSplits = [
      { train: ['b', 'c'], val: ['a'] },
      { train: ['a'], val: ['b', 'c'] },
    ]
    const r1 = extendSplits(uneven, ['d'])
    expect(r1.folds).toEqual({ d: 0 })
    const r2 = extendSplits(r1.splits, ['e', 'f'])
    expect(r2.folds).toEqual({ e: 0, f: 1 })
    expect(r2.splits.map((s) => s.val.length)).toEqual([3, 3])
  })

  it('refuses a case id that is already in the splits or named twice', () => {
    expect(() => extendSplits(fiveFolds(), ['ct_003'])).toThrow(/ct_003 is already in splits_final.json/)
    expect(() => extendSplits(fiveFolds(), ['x', 'x'])).toThrow(/named twice/)
    expect(() => extendSplits([], ['x'])).toThrow(/no folds/)
  })
})
