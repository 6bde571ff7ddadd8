// Which trained models Results and the report show first, and which they leave out: a model
// whose trainings were all stopped before a fold finished (a cancelled run) has no scores, and
// opening Results on it ("no scored cases yet") or listing it in a report with NaN hid the model
// that did finish. Pure: the same rule for the screen and the HTML report.
import type { ModelResults } from './api'

/**
 * finished: a fold has its final checkpoint and validation summary; running: a fold is training or
 * validating now, or has its final checkpoint but was stopped in its validation (it can predict,
 * so it stays listed, but it has no scores, so Results does not open on it); stopped: neither.
 */
export function modelOutcome(m: Pick<ModelResults, 'folds'>): 'finished' | 'running' | 'stopped' {
  if (m.folds.some((f) => f.state === 'finished')) return 'finished'
  if (m.folds.some((f) => f.state === 'running' || f.state === 'validating' || f.state === 'unvalidated')) return 'running'
  return 'stopped'
}

export interface ModelOrder<M> {
  /** Shown: finished and running models, newest first (all of them with showStopped). */
  shown: M[]
  /** Stopped models left out (empty with showStopped). */
  hidden: M[]
  /** The model to open on: the newest finished one, else the newest shown. */
  first: M | null
}

/**
 * Orders models newest first by `modifiedAt(m)` (its newest checkpoint; 0 when unknown, then by
 * name) and leaves the stopped ones out unless asked.
 */
export function orderModels<M extends Pick<ModelResults, 'folds' | 'model'>>(models: readonly M[], modifiedAt: (m: M) => number, showStopped = false): ModelOrder<M> {
  const sorted = [...models].sort((a, b) => modifiedAt(b) - modifiedAt(a) || a.model.localeCompare(b.model))
  const hidden = showStopped ? [] : sorted.filter((m) => modelOutcome(m) === 'stopped')
  const shown = sorted.filter((m) => !hidden.includes(m))
  return { shown, hidden, first: shown.find((m) => modelOutcome(m) === 'finished') ?? shown[0] ?? null }
}
