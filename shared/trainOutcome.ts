// How an ended training reads on the Train step. A run stopped on request ("Stop and keep a
// checkpoint" inside an epoch, or "Stop after this epoch") ends as a job that is done, but it is
// not a finished model: issue 18 found a green "Finished" badge, "Finished ... go on to Predict"
// and "go on at the next epoch" after a stop at iteration 2 of epoch 0.

/** The parts of the Node side's TrainResult (electron/nnunet/pipeline.ts) this reads. */
export interface TrainOutcomeResult {
  epochs?: number
  stoppedAfterEpoch?: boolean
  keptMidEpoch?: boolean
}

export interface TrainOutcome {
  /** The job badge instead of "Finished"; undefined: a finished run. */
  badge?: string
  /** The line under the run: what happened and what to do next. */
  text: string
  /** Whether Predict is the next step (only for a run that finished). */
  predictNext: boolean
}

export function trainOutcome(result: TrainOutcomeResult | undefined): TrainOutcome {
  const epochs = result?.epochs ?? 0
  const done = `${epochs} epoch${epochs === 1 ? '' : 's'} finished`
  if (result?.keptMidEpoch) {
    return {
      badge: 'Stopped, checkpoint kept',
      text: `Stopped with a checkpoint kept (not finished; ${done}): tick “Continue from the last checkpoint” and start it again to train epoch ${epochs} again from the kept weights and go on.`,
      predictNext: false,
    }
  }
  if (result?.stoppedAfterEpoch) {
    return {
      badge: 'Stopped after an epoch',
      text: `Stopped after epoch ${Math.max(0, epochs - 1)} as asked (not finished; ${done}): tick “Continue from the last checkpoint” and start it again to go on at epoch ${epochs}.`,
      predictNext: false,
    }
  }
  return { text: 'Finished. Train the other folds, then find the best configuration above (it needs --npz), or go on to Predict.', predictNext: true }
}
