// How full a progress bar is drawn. A finished job's bar is full whatever its last count said
// (walkthrough 3 finding 13: the finished Plan card's bar stayed empty, its tool having reported
// no total); a running one shows done of total, or the moving indeterminate bar without a total.
import type { Progress } from '../../shared/api'
import { percent } from './format'

export type BarFill = { percent: number; indeterminate: boolean }

/** The fill of a bar for this progress: `complete` (the work is done) draws it full. */
export function barFill(progress: Progress | undefined, opts: { busy?: boolean; complete?: boolean }): BarFill {
  if (opts.complete) return { percent: 100, indeterminate: false }
  const known = !!progress && progress.total > 0
  if (known) return { percent: percent(progress.done, progress.total), indeterminate: false }
  return opts.busy ? { percent: 30, indeterminate: true } : { percent: 0, indeterminate: false }
}
