// Growing a dataset without reshuffling its cross-validation (issue 21): the cases already in
// splits_final.json keep their folds exactly (a model version's validation Dice stays comparable
// with its parent's on those cases), and each new case goes to the folds in turn: into the
// validation part of the fold with the fewest validation cases (ties: the lower fold), and into
// the training part of every other fold. From balanced folds that is plain round robin, and it
// keeps the folds within one case of each other however many rounds follow.
import type { NnunetSplits } from './splits'

export interface ExtendedSplits {
  splits: NnunetSplits
  /** New case id -> the fold that validates it. */
  folds: Record<string, number>
}

export function extendSplits(splits: NnunetSplits, newCases: readonly string[]): ExtendedSplits {
  if (!splits.length) throw new Error('splits_final.json has no folds to extend.')
  const known = new Set(splits.flatMap((s) => [...s.train, ...s.val]))
  const seen = new Set<string>()
  for (const c of newCases) {
    if (known.has(c)) throw new Error(`The case ${c} is already in splits_final.json: a new case needs a new id.`)
    if (seen.has(c)) throw new Error(`The case ${c} is named twice.`)
    seen.add(c)
  }
  const out = splits.map((s) => ({ train: [...s.train], val: [...s.val] }))
  const folds: Record<string, number> = {}
  for (const c of newCases) {
    let best = 0
    for (let f = 1; f < out.length; f++) if (out[f]!.val.length < out[best]!.val.length) best = f
    folds[c] = best
    out.forEach((s, f) => (f === best ? s.val : s.train).push(c))
  }
  return { splits: out, folds }
}
