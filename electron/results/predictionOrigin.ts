// Which model made a prediction folder. nnU-Net copies dataset.json and plans.json there but not
// the trainer, configuration or folds, so after each prediction the wizard writes its own small
// record beside the predictions (nnunet_wizard_prediction.json, atomically): Review shows it, and
// a case added to the dataset from that folder carries it into manifest.json as its origin.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelOrigin } from '../../shared/api'
import type { PredictRequest, Settings } from '../../shared/schema'
import { defaultPlans, defaultTrainer } from '../../shared/nnunetArgs'
import { writeFileAtomic } from '../files/writeAtomic'
import { datasetFolderName } from '../nnunet/pipeline'

export const PREDICTION_ORIGIN_FILE = 'nnunet_wizard_prediction.json'

export interface PredictionOrigin {
  model: ModelOrigin
  /** The folder of scans that was predicted (nnU-Net's -i). */
  input: string
  probabilities: boolean
  predictedAt: string
}

/** The record of a finished prediction (`req` with its plans already resolved, as the run used them). */
export async function writePredictionOrigin(req: PredictRequest, settings: Settings, trainerUsed?: string): Promise<void> {
  const version = settings.nnunetVersion
  const trainer = trainerUsed ?? req.trainer ?? defaultTrainer(version, req.configuration)
  const plans = req.plans ?? defaultPlans(version)
  const dataset = settings.folders ? await datasetFolderName(settings, req.datasetId) : undefined
  const folder = dataset && settings.folders && version === 'v2' ? join(settings.folders.results, dataset, `${trainer}__${plans}__${req.configuration}`) : undefined
  const record: PredictionOrigin = {
    model: { datasetId: req.datasetId, ...(folder && { folder }), configuration: req.configuration, trainer, plans, folds: req.folds, checkpoint: req.checkpoint ?? (version === 'v2' ? 'checkpoint_final.pth' : 'model_final_checkpoint') },
    input: req.input,
    probabilities: !!req.saveProbabilities,
    predictedAt: new Date().toISOString(),
  }
  await writeFileAtomic(join(req.output, PREDICTION_ORIGIN_FILE), JSON.stringify(record, null, 2) + '\n')
}

export async function readPredictionOrigin(folder: string): Promise<PredictionOrigin | undefined> {
  try {
    const r = JSON.parse(await readFile(join(folder, PREDICTION_ORIGIN_FILE), 'utf8')) as PredictionOrigin
    return r && typeof r === 'object' && r.model ? r : undefined
  } catch {
    return undefined
  }
}
