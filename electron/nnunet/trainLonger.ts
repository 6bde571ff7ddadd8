// "Train longer": a finished fold goes on to a higher epoch count from its final checkpoint
// (nnU-Net issue #1422), instead of starting again. nnU-Net has no flag for it: the epoch count
// belongs to the trainer class, and a trainer with more epochs writes to another folder. So the
// wizard's generated trainer for the new count gets the finished fold's checkpoint_final.pth
// copied into its own fold folder as checkpoint_latest.pth, and runs with --c: nnU-Net loads the
// weights, optimiser, logs and epoch counter and trains the remaining epochs. The old folder is
// not touched, so its results stay readable. "Continue" (--c alone) is for an interrupted fold.
// The rule is checked by the run resolution (runSpec.ts, check "train-longer"); the copy is its
// preparation (runPrepare.ts), done by whichever scheduler runs it.
import type { Settings, TrainRequest } from '../../shared/schema'
import { epochsFromTrainerName } from '../../shared/trainingLog'

/** nnU-Net's own default length (v2 nnUNetTrainer). */
const DEFAULT_EPOCHS = 1000

/** Why this "train longer" request cannot run, or undefined. Pure: checked before queueing too. */
export function trainLongerProblem(req: TrainRequest, version: Settings['nnunetVersion']): string | undefined {
  if (!req.longerFrom) return undefined
  if (version !== 'v2') return 'Train longer needs nnU-Net v2: nnU-Net v1 cannot load the generated trainer with the new epoch count.'
  if (req.epochs === undefined) return `Train longer needs the new epoch count (--epochs), more than the ${epochsOf(req.longerFrom)} of ${req.longerFrom}.`
  if (req.epochs <= epochsOf(req.longerFrom)) return `Train longer goes from ${epochsOf(req.longerFrom)} epochs (${req.longerFrom}) to more: ${req.epochs} is not more.`
  if (req.continueTraining || req.pretrainedWeights || req.validationOnly) return 'Train longer already continues from the finished checkpoint: leave Continue, pretrained weights and validation only off.'
  return undefined
}

function epochsOf(trainer: string): number {
  return epochsFromTrainerName(trainer) ?? DEFAULT_EPOCHS
}
