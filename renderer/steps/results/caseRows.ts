// The per-case table's rows: filtered by model, fold and label, sorted by a column (worst first by
// default). Pure and cheap: the sort keys are computed once per sort, so 5,000 rows sort in a few
// milliseconds and the table only renders the rows on screen (renderer/lib/virtualWindow.ts).
import type { CaseResult } from '../../../shared/api'

/** 'worst': the lowest Dice among the shown labels; 'dice:NAME', 'fp:NAME', 'fn:NAME', 'hd95:NAME', 'nsd:NAME' a label's figure. */
export type SortKey = 'worst' | 'case' | 'source' | 'fold' | 'model' | `dice:${string}` | `fp:${string}` | `fn:${string}` | `hd95:${string}` | `nsd:${string}`

/** Columns whose large values are the bad ones: their first click sorts descending (worst first). */
export const LARGER_IS_WORSE = ['fp:', 'fn:', 'hd95:'] as const

/** HD95 of a case for sorting: an empty prediction or reference (HD95 infinite) is the worst there is; both empty is unknown. */
export function hd95Key(c: CaseResult, label: string): number | null {
  const f = c.surface?.[label]
  if (!f) return null
  if (f.hd95 !== null) return f.hd95
  return f.empty && f.empty !== 'both-empty' ? Number.MAX_VALUE : null
}

export interface CaseFilter {
  model: string | null
  /** A fold number, "test", or null for all. */
  fold: number | 'test' | null
  /** One label, or null for all labels. */
  label: string | null
}

export interface CaseSort {
  key: SortKey
  /** Ascending: the worst Dice first, the most FP/FN voxels last. */
  ascending: boolean
}

export const DEFAULT_SORT: CaseSort = { key: 'worst', ascending: true }

/** The lowest known Dice among `labels`; Infinity (sorted last) when none is known (NaN = label absent). */
export function worstDice(c: CaseResult, labels: readonly string[]): number {
  let worst = Infinity
  for (const l of labels) {
    const d = c.dice[l]
    if (d !== null && d !== undefined && d < worst) worst = d
  }
  return worst
}

export function filterCases(cases: readonly CaseResult[], f: CaseFilter): CaseResult[] {
  return cases.filter((c) => (f.model === null || c.model === f.model || c.fold === 'test') && (f.fold === null || c.fold === f.fold))
}

export function sortCases(cases: readonly CaseResult[], sort: CaseSort, labels: readonly string[]): CaseResult[] {
  const [kind, label] = sort.key.includes(':') ? (sort.key.split(/:(.*)/s) as [string, string]) : [sort.key, '']
  const dir = sort.ascending ? 1 : -1
  const missing = Infinity
  const num = (v: number | null | undefined) => (v === null || v === undefined ? missing : v)
  const keyOf = (c: CaseResult): number | string => {
    switch (kind) {
      case 'worst':
        return worstDice(c, labels)
      case 'case':
        return c.case
      case 'source':
        return c.source ?? c.case
      case 'fold':
        return c.fold === 'test' ? 99 : c.fold
      case 'model':
        return c.model
      case 'dice':
        return num(c.dice[label])
      case 'fp':
        return num(c.fp[label])
      case 'hd95':
        return num(hd95Key(c, label))
      case 'nsd':
        return num(c.surface?.[label]?.nsd)
      default:
        return num(c.fn[label])
    }
  }
  const keyed = cases.map((c, i) => ({ c, k: keyOf(c), i }))
  keyed.sort((a, b) => {
    // Unknown values (NaN Dice) stay at the end whichever way the column is sorted.
    if (a.k === missing || b.k === missing) return a.k === b.k ? a.i - b.i : a.k === missing ? 1 : -1
    const d = typeof a.k === 'string' ? a.k.localeCompare(b.k as string) : (a.k as number) - (b.k as number)
    return d * dir || a.c.case.localeCompare(b.c.case) || a.i - b.i
  })
  return keyed.map((x) => x.c)
}

/** The model column: the configuration; a test row's folder is no model, so an unknown one says so. */
export const modelText = (c: CaseResult): string => c.configuration ?? (c.fold === 'test' ? 'model unknown' : c.model)

/** Every (case, fold, model) has one row; its key for React and for a test id. */
export const rowKey = (c: CaseResult) => `${c.model}/${c.fold}/${c.case}`
