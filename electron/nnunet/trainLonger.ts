// "Train longer": a finished fold goes on to a higher epoch count from its final checkpoint
// (nnU-Net issue #1422), instead of starting again. nnU-Net has no flag for it: the epoch count
// belongs to the trainer class, and a trainer with more epochs writes to another folder. So the
// wizard's generated trainer for the new count gets the finished fold's checkpoint_final.pth
// copied into its own fold folder as checkpoint_latest.pth, and runs with --c: nnU-Net loads the
// weights, optimiser, logs and epoch counter and trains the remaining epochs. The old folder is
// not touched, so its results stay readable. "Continue" (--c alone) is for an interrupted fold.
import { copyFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defaultPlans } from '../../shared/nnunetArgs'
import type { Settings, TrainRequest } from '../../shared/schema'
import { epochsFromTrainerName } from '../../shared/trainingLog'
import type { JobContext } from '../jobs/jobManager'

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

/**
 * Copies the finished fold's final checkpoint into the new trainer's fold folder (unless that
 * folder already has a checkpoint of its own: then --c simply goes on from it). Returns the
 * request as nnU-Net runs it (with --c).
 */
export async function prepareTrainLonger(
  req: TrainRequest,
  settings: Settings,
  outputFolderOf: (trainer: string, plans: string) => string,
  newTrainer: string,
  ctx: JobContext,
): Promise<TrainRequest> {
  if (!req.longerFrom) return req
  const problem = trainLongerProblem(req, settings.nnunetVersion)
  if (problem) throw new Error(problem)
  const plans = req.plans ?? defaultPlans(settings.nnunetVersion)
  const from = outputFolderOf(req.longerFrom, plans)
  const final = join(from, 'checkpoint_final.pth')
  if (!existsSync(final)) {
    throw new Error(`There is no finished training to extend: ${final} does not exist. Train longer starts from a fold that has finished; an interrupted one is continued with "Continue" (--continue).`)
  }
  const to = outputFolderOf(newTrainer, plans)
  if (to === from) throw new Error(`The new length gives the same trainer (${newTrainer}): choose another epoch count.`)
  const has = ['checkpoint_final.pth', 'checkpoint_latest.pth', 'checkpoint_best.pth'].some((c) => existsSync(join(to, c)))
  if (has) {
    ctx.log(`${to} already has a checkpoint of ${newTrainer}: continuing from it (--c).`, 'info')
  } else {
    await mkdir(to, { recursive: true })
    await copyFile(final, join(to, 'checkpoint_latest.pth'))
    ctx.log(`Train longer: ${req.longerFrom} (${epochsOf(req.longerFrom)} epochs, ${final}) goes on to ${req.epochs} epochs as ${newTrainer}; its results stay in ${from}.`, 'info')
  }
  return { ...req, continueTraining: true }
}
