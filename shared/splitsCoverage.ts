// Does splits_final.json still cover the dataset? nnU-Net trains on whatever folds the file lists,
// so a file written for an older version of the dataset (4 cases, then a test case moved to
// imagesTr) silently leaves the new case out of every fold: never trained on, never validated.
// Each fold's train ∪ val must be exactly the dataset's training cases. Pure: the callers read the
// file and imagesTr.
import type { NnunetSplits } from './splits'
import { extendSplits } from './splitsExtend'

export interface FoldGap {
  fold: number
  /** Training cases this fold has on neither side. */
  missing: string[]
  /** Cases this fold lists that are not training cases. */
  extra: string[]
}

export interface SplitsCoverage {
  ok: boolean
  /** Training cases in no fold at all. */
  missing: string[]
  /** Cases in the splits that are not training cases (any more). */
  extra: string[]
  /** Folds that do not list exactly the training cases (a hand-edited file can miss a case in one fold only). */
  folds: FoldGap[]
}

export function splitsCoverage(splits: NnunetSplits, trainingCases: readonly string[]): SplitsCoverage {
  const cases = new Set(trainingCases)
  const listed = new Set(splits.flatMap((s) => [...s.train, ...s.val]))
  const missing = [...cases].filter((c) => !listed.has(c)).sort()
  const extra = [...listed].filter((c) => !cases.has(c)).sort()
  const folds: FoldGap[] = []
  splits.forEach((s, fold) => {
    const inFold = new Set([...s.train, ...s.val])
    const gap = { fold, missing: [...cases].filter((c) => !inFold.has(c)).sort(), extra: [...inFold].filter((c) => !cases.has(c)).sort() }
    if (gap.missing.length || gap.extra.length) folds.push(gap)
  })
  return { ok: folds.length === 0, missing, extra, folds }
}

const list = (ids: readonly string[]) => (ids.length <= 6 ? ids.join(', ') : `${ids.slice(0, 6).join(', ')} and ${ids.length - 6} more`)

/** What is wrong, in words ("case_004 is in no fold: …"), or '' when the file covers the dataset. */
export function splitsCoverageProblem(c: SplitsCoverage, trainingCount: number, file = 'splits_final.json'): string {
  if (c.ok) return ''
  const parts: string[] = []
  if (c.missing.length) parts.push(`${list(c.missing)} ${c.missing.length === 1 ? 'is' : 'are'} in no fold (never trained on or validated)`)
  if (c.extra.length) parts.push(`${list(c.extra)} ${c.extra.length === 1 ? 'is' : 'are'} in the splits but not among the ${trainingCount} training cases any more`)
  const partial = c.folds.filter((f) => f.missing.some((m) => !c.missing.includes(m)))
  if (partial.length) parts.push(`fold${partial.length === 1 ? '' : 's'} ${partial.map((f) => f.fold).join(', ')} miss${partial.length === 1 ? 'es' : ''} cases the other folds have (${list([...new Set(partial.flatMap((f) => f.missing))])})`)
  return `${file} does not match the dataset's ${trainingCount} training cases: ${parts.join('; ')}.`
}

/**
 * The same folds for the dataset as it is now: cases no longer there are dropped, every case still
 * there keeps its fold, and new cases join the folds as "Add to the dataset" adds them (extendSplits).
 * Not for patient groups (a new scan of a known patient must follow its group: write from the groups).
 */
export function coverSplits(splits: NnunetSplits, trainingCases: readonly string[]): { splits: NnunetSplits; added: Record<string, number>; removed: string[] } {
  const cases = new Set(trainingCases)
  const kept = splits.map((s) => ({ train: s.train.filter((c) => cases.has(c)), val: s.val.filter((c) => cases.has(c)) }))
  const c = splitsCoverage(splits, trainingCases)
  // A case some folds lack (a hand-edited file) is taken out everywhere and placed again, so that it ends in exactly one validation part.
  const partial = new Set(c.folds.flatMap((f) => f.missing))
  const cleaned = kept.map((s) => ({ train: s.train.filter((x) => !partial.has(x)), val: s.val.filter((x) => !partial.has(x)) }))
  const toAdd = [...cases].filter((x) => partial.has(x)).sort()
  const ext = toAdd.length ? extendSplits(cleaned, toAdd) : { splits: cleaned, folds: {} }
  return { splits: ext.splits, added: ext.folds, removed: c.extra }
}
