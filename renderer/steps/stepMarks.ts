// What the side list says about each step: done, or needing attention, only where the app knows.
// A green mark on a step merely passed by (a check with errors, a write that failed) would tell the
// user their dataset is ready when it is not.
import type { JobKind, JobState } from '../../shared/api'
import { STEPS, type StepId } from './stepList'

export type StepMark = { kind: 'done' | 'attention'; why: string }

/** The project's last run of a step's job, as the side list needs it. */
export interface StepRun {
  state: JobState
  /** It ran for other folders, labels or settings than the project holds now. */
  outdated: boolean
  /** Cases with errors (the check's report). */
  errors?: number
  /** What it read changed since it ran (the dataset rewritten after the plan): why, in words. */
  stale?: string
}

/** The steps whose completion is a job of the project. */
export const STEP_JOBS: Partial<Record<StepId, JobKind>> = { check: 'validate', write: 'prepare', plan: 'plan', train: 'train', predict: 'predict' }

/**
 * `blockers` are what the steps themselves report (marked wherever the step is). `filled` names
 * the form and view steps whose part of the project is there (folders chosen, output named, nnU-Net
 * folders set, a model trained): those are done. Every mark comes from the project and the
 * service's facts, never from where this window happens to be, so two tabs on one project show
 * the same ticks (issue 18: a tab on Train ticked every step before it, one on Sources none).
 * A step with no part filled gets no mark rather than a warning: skipping the dataset steps to
 * train a dataset written elsewhere is a fair way to work.
 */
export function stepMarks(
  blockers: Partial<Record<StepId, string>>,
  runs: Partial<Record<StepId, StepRun>>,
  filled: ReadonlySet<StepId> = new Set(),
): Partial<Record<StepId, StepMark>> {
  const marks: Partial<Record<StepId, StepMark>> = {}
  STEPS.forEach((s) => {
    const blocker = blockers[s.id]
    if (blocker) {
      marks[s.id] = { kind: 'attention', why: blocker }
      return
    }
    if (!STEP_JOBS[s.id]) {
      // A form or a view: done when its part of the project is there and nothing wrong is reported.
      if (filled.has(s.id)) marks[s.id] = { kind: 'done', why: 'Done' }
      return
    }
    const run = runs[s.id]
    if (!run || run.outdated) return
    // A finished run whose inputs changed since is no longer done: it says why instead of a tick.
    if (run.stale && run.state === 'done') {
      marks[s.id] = { kind: 'attention', why: `${run.stale.charAt(0).toUpperCase()}${run.stale.slice(1)}: run this step again.` }
      return
    }
    if (run.state === 'failed') marks[s.id] = { kind: 'attention', why: 'The last run failed: open the step to see why.' }
    else if (run.state === 'done' && run.errors) marks[s.id] = { kind: 'attention', why: `${run.errors} case${run.errors === 1 ? ' has' : 's have'} errors.` }
    else if (run.state === 'done') marks[s.id] = { kind: 'done', why: 'Done' }
  })
  return marks
}
