// The model a request means when it names no trainer: the one actually trained. nnU-Net's own
// default (nnUNetTrainer) is rarely what this app trained (a run with --epochs uses a generated
// nnUNetTrainer_Wizard_* class), so `predict -d 7 -c 2d` and `model export -d 7 -c 2d` failed on
// a missing nnUNetTrainer folder right after a training. Pure over the list of trained models.
import type { TrainedModel } from '../../shared/api'

export interface ModelAsked {
  datasetId: number
  configuration: string
  trainer?: string
  plans?: string
  /** Folds that must have their final checkpoint (finished, or not validated yet); any such fold when absent. */
  folds?: readonly (number | 'all')[]
}

export class AmbiguousModelError extends Error {}

const describe = (m: TrainedModel) => `${m.trainer} (plans ${m.plans}; finished folds ${m.finished.join(', ') || 'none'}${m.unvalidated?.length ? `; not validated: folds ${m.unvalidated.join(', ')}` : ''})`

/**
 * The trainer and plans to use: the request's own when it names the trainer; else the only
 * trained model (a finished fold at least) of this dataset and configuration (and plans, when the
 * user named them); undefined when there is none (the caller's default then fails with its own
 * list of what exists). Several candidates are refused with each named, never guessed: not even
 * by the folds asked for or the plans the dataset was planned with last, since `predict -d 7 -c 2d`
 * (fold 0 by default) silently took nnUNetTrainer_Wizard_2ep_4it beside another trained 2d model
 * (issue 18). The one candidate's missing folds are the caller's to report, with that model named.
 */
export function trainedModelFor(models: readonly TrainedModel[], asked: ModelAsked): { trainer: string; plans: string } | undefined {
  if (asked.trainer) return undefined
  const folds = (asked.folds ?? []).map(String)
  // A fold with its final checkpoint predicts, validated (finished) or not yet (unvalidated).
  const fits = models.filter((m) => m.datasetId === asked.datasetId && m.configuration === asked.configuration && (!asked.plans || m.plans === asked.plans) && m.finished.length + (m.unvalidated?.length ?? 0) > 0)
  if (fits.length === 1) return { trainer: fits[0]!.trainer, plans: fits[0]!.plans }
  if (fits.length > 1) {
    const withFolds = folds.length ? fits.filter((m) => folds.every((f) => m.finished.includes(f) || !!m.unvalidated?.includes(f))) : []
    const foldNote = folds.length ? ` Fold ${folds.join(', ')} ${withFolds.length ? `is finished in ${withFolds.map((m) => m.trainer).join(', ')}` : 'is finished in none of them'}.` : ''
    throw new AmbiguousModelError(
      `Dataset ${asked.datasetId} has ${fits.length} trained ${asked.configuration} models: ${fits.map(describe).join('; ')}.${foldNote} Name the one to use by its trainer (--trainer NAME${fits.some((m) => m.plans !== fits[0]!.plans) ? ' and --plans NAME' : ''} on the command line).`,
    )
  }
  return undefined
}
