import type { Progress } from '../../shared/api'
import { countOf, formatBytes, formatDuration } from '../lib/format'
import { barFill } from '../lib/progressFill'

interface Props {
  progress?: Progress
  /** Shown when there is no progress yet. */
  idleText?: string
  testId?: string
  /** Draw an indeterminate bar while a job runs without a total. */
  busy?: boolean
  /** The work is finished: a full bar, whatever the last count said. */
  complete?: boolean
}

/**
 * done/total with its unit (or the phase the tool reports, which says it in the tool's terms),
 * bytes written and time left, as an accessible progress bar.
 */
export function ProgressBar({ progress, idleText, testId, busy, complete }: Props) {
  const p = progress
  const known = !!p && p.total > 0
  const fill = barFill(p, { busy, complete })
  return (
    <div className="progress" data-testid={testId ?? 'progress'} data-fill={Math.round(fill.percent)}>
      <div
        className={`progress-track${fill.indeterminate ? ' progress-indeterminate' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={known ? p.total : undefined}
        aria-valuenow={known ? p.done : undefined}
        aria-label={p?.phase ?? p?.unit ?? 'progress'}
      >
        <div className="progress-fill" style={{ width: `${fill.percent}%` }} />
      </div>
      <div className="progress-text">
        {p ? (
          <>
            {p.phase ? (
              <span data-testid="progress-phase">{p.phase}</span>
            ) : p.total > 0 ? (
              <span data-testid="progress-count">{countOf(p.done, p.total, p.unit)}</span>
            ) : (
              // No total and no phase says nothing ("0 of 0 cases" on a finished plan): the idle text.
              <span className="muted">{idleText ?? ''}</span>
            )}
            {p.bytes !== undefined && <span> · {formatBytes(p.bytes)}</span>}
            {p.etaSeconds !== undefined && p.done < p.total && <span> · about {formatDuration(p.etaSeconds)} left</span>}
            {p.message && <span className="muted"> · {p.message}</span>}
          </>
        ) : (
          <span className="muted">{idleText ?? ''}</span>
        )}
      </div>
    </div>
  )
}
