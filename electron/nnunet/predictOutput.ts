// The folder a prediction writes into when its request names none (the CLI without -o, an Api
// caller): where shared/predictionFolders.ts puts every default prediction, beside the model under
// nnUNet_results and never inside the dataset. The model is the one the request resolved to (its
// trainer and plans, nnU-Net's defaults when none), so the folder names what made the predictions.
import { defaultPlans, defaultTrainer } from '../../shared/nnunetArgs'
import { datasetPredictionsRoot, defaultPredictionFolder } from '../../shared/predictionFolders'
import type { PredictInput, Settings } from '../../shared/schema'
import { HOW } from './howTo'
import { datasetFolderName } from './runPlaces'

export async function defaultPredictOutput(settings: Settings, req: PredictInput): Promise<string> {
  const f = settings.folders
  if (!f) throw new Error(`The nnU-Net folders are not set, so predictions have no default folder: ${HOW.folders}, or name the output folder (-o DIR).`)
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders (${f.raw}, ${f.preprocessed}, ${f.results}), so its predictions have no default folder. Check the dataset id, or name the output folder (-o DIR).`)
  const version = settings.nnunetVersion
  const model = { trainer: req.trainer ?? defaultTrainer(version, req.configuration), plans: req.plans ?? defaultPlans(version), configuration: req.configuration }
  return defaultPredictionFolder({ root: datasetPredictionsRoot(f.results, dataset), model, input: req.input })
}
