// A fine-tuning round (issue 21) resolved into ordinary runs of the one engine: nnUNetv2_preprocess
// with the plans the parent was trained on (a PlanRequest with preprocessOnly: planning again
// could change the network and void the checkpoint), then one training per fold under a trainer
// of its own, TRAINER_ftN (a generated subclass of the parent's root trainer), started from the
// parent fold's checkpoint_final.pth (-pretrained_weights) or from scratch. Its own trainer name
// gives it its own results folder: the parent's checkpoints and validation stay as they are, and
// both versions can predict. The queue (local) and a SLURM submission run these requests alike.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelVersion } from '../../shared/api'
import { defaultTrainer } from '../../shared/nnunetArgs'
import type { FineTuneRequest, PlanRequest, Settings, TrainRequest } from '../../shared/schema'
import { epochsFromTrainerName } from '../../shared/trainingLog'
import { writeFileAtomic } from '../files/writeAtomic'
import { datasetFolderName, trainingOutputFolder } from './runPlaces'
import { RunRefused, withPlans } from './runSpec'
import { createdTrainerEpochs, trainerDir, writeGeneratedTrainer } from './trainers'

const FT_SUFFIX = /_ft\d+$/

/** The trainer of version n: the parent's root trainer with _ftN (nnUNetTrainer_ft2, nnUNetTrainer_Wizard_5ep_ft3). */
export function fineTuneTrainerName(parentTrainer: string, version: number): string {
  return `${parentTrainer.replace(FT_SUFFIX, '')}_ft${version}`
}

export interface FineTunePlan {
  dataset: string
  plans: string
  parentTrainer: string
  trainer: string
  /** The preprocess run (absent with skipPreprocess). */
  preprocess?: PlanRequest
  trainings: TrainRequest[]
  /** This round's record and, when the parent had none, the parent's as version 1. */
  versions: ModelVersion[]
  version: ModelVersion
}

/** Training cases the parent was trained on: the dataset.json nnU-Net copied into its model folder. */
async function parentCases(modelFolder: string): Promise<number | undefined> {
  try {
    const n = (JSON.parse(await readFile(join(modelFolder, 'dataset.json'), 'utf8')) as { numTraining?: unknown }).numTraining
    return typeof n === 'number' ? n : undefined
  } catch {
    return undefined
  }
}

export async function resolveFineTune(req: FineTuneRequest, settings: Settings, dataDir: string, known: readonly ModelVersion[]): Promise<FineTunePlan> {
  if (settings.nnunetVersion !== 'v2') throw new RunRefused('Fine-tuning preprocesses the new cases with the existing plans (nnUNetv2_preprocess), which is nnU-Net v2; switch to nnU-Net v2 in the Environment step.', 'fine-tune-v1', 'fine-tune')
  if (!settings.folders) throw new RunRefused('Set the nnU-Net folders first (Environment step).', 'fine-tune-folders', 'fine-tune')
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new RunRefused(`Dataset ${req.datasetId} is not in the nnU-Net folders.`, 'fine-tune-dataset', 'fine-tune')
  const plans = (await withPlans({ datasetId: req.datasetId, ...(req.plans && { plans: req.plans }) }, { settings, dataDir })).plans ?? 'nnUNetPlans'
  const parentTrainer = req.trainer ?? defaultTrainer('v2', req.configuration)
  const mine = known.filter((v) => v.datasetId === req.datasetId && v.configuration === req.configuration)
  const parentRecord = mine.find((v) => v.trainer === parentTrainer && v.plans === plans)
  // An unrecorded parent becomes the next number (1 for a dataset's first round), never one taken.
  const top = Math.max(0, ...mine.map((v) => v.version))
  const parentVersion = parentRecord?.version ?? top + 1
  const version = Math.max(top, parentVersion) + 1
  const trainer = fineTuneTrainerName(parentTrainer, version)
  const modelFolder = join(settings.folders.results, dataset, `${parentTrainer}__${plans}__${req.configuration}`)
  const weights = new Map<string, string>()
  if (req.start === 'previous') {
    for (const fold of req.folds) {
      const ckpt = join(trainingOutputFolder(settings, dataset, parentTrainer, plans, req.configuration, fold), 'checkpoint_final.pth')
      if (!existsSync(ckpt)) throw new RunRefused(`Fine-tuning fold ${fold} starts from the parent's final checkpoint, and ${ckpt} does not exist: let ${parentTrainer} fold ${fold} finish, choose its folds, or train from scratch.`, 'fine-tune-no-checkpoint', 'fine-tune')
      weights.set(String(fold), ckpt)
    }
  }
  const parentEpochs = epochsFromTrainerName(parentTrainer) ?? createdTrainerEpochs(dataDir, 'v2', parentTrainer) ?? 1000
  const epochs = req.epochs ?? parentEpochs
  // The root trainer is the base, so TRAINER_ft3 is not a subclass of TRAINER_ft2 (whose module may be gone).
  await writeGeneratedTrainer(trainerDir(dataDir), { version: 'v2', base: parentTrainer.replace(FT_SUFFIX, ''), epochs, ...(req.iterationsPerEpoch && { iterationsPerEpoch: req.iterationsPerEpoch }), name: trainer, features: { stopOnSignal: true } })
  await writeFileAtomic(join(trainerDir(dataDir), `${trainer}.wizard.json`), `${JSON.stringify({ epochs, fineTune: { parent: parentTrainer, version, start: req.start } }, null, 2)}\n`)
  const cases = (await readFile(join(settings.folders.raw, dataset, 'dataset.json'), 'utf8').then((t) => (JSON.parse(t) as { numTraining?: number }).numTraining, () => undefined)) ?? 0
  const now = new Date().toISOString()
  const parent: ModelVersion = parentRecord ?? { version: parentVersion, datasetId: req.datasetId, configuration: req.configuration, trainer: parentTrainer, plans, start: 'first', folds: [...req.folds], cases: (await parentCases(modelFolder)) ?? 0, createdAt: now }
  const record: ModelVersion = {
    version,
    datasetId: req.datasetId,
    configuration: req.configuration,
    trainer,
    plans,
    ...(req.start === 'previous' && { parent: { version: parent.version, trainer: parentTrainer } }),
    start: req.start,
    folds: [...req.folds],
    cases,
    createdAt: now,
  }
  // Worker processes as a prediction's preprocessing gets them (runSpec.ts): the machine's worker
  // budget, not nnUNetv2_preprocess's default of 8, each of which imports torch (minutes on a small CPU).
  const processes = settings.augmentationWorkers ? Math.max(1, Math.min(settings.augmentationWorkers, 4)) : undefined
  const preprocess: PlanRequest | undefined = req.skipPreprocess
    ? undefined
    : { datasetId: req.datasetId, configurations: [req.configuration === '3d_cascade_fullres' ? '3d_fullres' : req.configuration], verifyIntegrity: false, preprocessOnly: true, plansName: plans, ...(processes && { processes }) }
  const trainings: TrainRequest[] = req.folds.map((fold) => ({
    datasetId: req.datasetId,
    configuration: req.configuration,
    fold,
    trainer,
    plans,
    npz: true,
    continueTraining: false,
    validationOnly: false,
    ...(weights.has(String(fold)) && { pretrainedWeights: weights.get(String(fold))! }),
  }))
  return { dataset, plans, parentTrainer, trainer, ...(preprocess && { preprocess }), trainings, versions: parentRecord ? [record] : [parent, record], version: record }
}
