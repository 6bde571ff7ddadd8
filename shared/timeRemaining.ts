// Time remaining, computed one way for every long operation (cases written, epochs trained), so
// the progress bar, the training panel and the command line never disagree about it.

/**
 * How many of the most recent finished units set the pace: few enough to follow a change of
 * speed (a slower phase, a second job on the same GPU), enough that one slow unit does not swing it.
 */
export const PACE_WINDOW = 5

export interface RemainingInput {
  /** Units finished so far. */
  done: number
  /** Units in all; unknown (undefined or 0) means no estimate. */
  total?: number
  /** Durations of finished units, oldest first: the mean of the last PACE_WINDOW is the pace. */
  unitSeconds?: readonly number[]
  /** Otherwise: the time the `done` units took together (units of a similar size, run in a pool). */
  elapsedSeconds?: number
}

/**
 * Whole seconds left for the units not yet finished, at the pace of the finished ones; 0 once
 * everything is done; undefined while the total or the pace is unknown (nothing finished yet).
 */
export function timeRemaining({ done, total, unitSeconds, elapsedSeconds }: RemainingInput): number | undefined {
  if (!total || total <= 0) return undefined
  if (done >= total) return 0
  const recent = (unitSeconds ?? []).filter((t) => Number.isFinite(t) && t > 0).slice(-PACE_WINDOW)
  const pace = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : done > 0 && elapsedSeconds !== undefined && elapsedSeconds > 0 ? elapsedSeconds / done : undefined
  return pace === undefined ? undefined : Math.round(pace * (total - Math.max(0, done)))
}
