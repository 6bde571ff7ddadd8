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
  /** Folds that must have finished (checkpoint_final); any finished fold when absent. */
  folds?: readonly (number | 'all')[]
}

export class AmbiguousModelError extends Error {}

const describe = (m: TrainedModel) => `${m.trainer} (plans ${m.plans}; finished folds ${m.finished.join(', ') || 'none'})`

/**
 * The trainer and plans to use: the request's own when it names the trainer; else the only
 * trained model of this dataset and configuration with those folds finished; undefined when
 * there is none (the caller's default then fails with its own list of what exists). Several
 * candidates are refused with each named, never guessed.
 */
export function trainedModelFor(models: readonly TrainedModel[], asked: ModelAsked): { trainer: string; plans: string } | undefined {
  if (asked.trainer) return undefined
  const folds = (asked.folds ?? []).map(String)
  const fits = models.filter(
    (m) =>
      m.datasetId === asked.datasetId &&
      m.configuration === asked.configuration &&
      (!asked.plans || m.plans === asked.plans) &&
      m.finished.length > 0 &&
      folds.every((f) => m.finished.includes(f)),
  )
  if (fits.length === 1) return { trainer: fits[0]!.trainer, plans: fits[0]!.plans }
  if (fits.length > 1) {
    throw new AmbiguousModelError(
      `Dataset ${asked.datasetId} has ${fits.length} trained ${asked.configuration} models${folds.length ? ` with fold ${folds.join(', ')} finished` : ''}: ${fits.map(describe).join('; ')}. Name the one to use by its trainer (--trainer NAME${fits.some((m) => m.plans !== fits[0]!.plans) ? ' and --plans NAME' : ''} on the command line).`,
    )
  }
  return undefined
}
