// The Predict form's model and folders as Predict shows them: what the user chose or typed, else
// what follows the facts (the newest model, its dataset's imagesTs, a folder for the segmentations
// named after the model and the input: shared/predictionFolders.ts). One rule for both steps that
// read the form: Review lists the folder Predict wrote to, also when nobody typed it (the form then
// holds null, and only this rule knows where the segmentations went).
import type { DatasetStatus, FolderStatus, TrainedModel } from '../../../shared/api'
import { defaultPredictionFolder } from '../../../shared/predictionFolders'

/** The form's fields this rule reads (null: follow the facts). */
export interface PredictFolderForm {
  /** The chosen model's folder (TrainedModel.folder). */
  model: string | null
  input: string | null
  output: string | null
}

export interface PredictFolders {
  /** Newest first (modelsNewestFirst). */
  models: TrainedModel[]
  model?: TrainedModel
  dataset?: DatasetStatus
  input: string
  output: string
}

/** Newest first, models with a finished fold before those still training. */
export function modelsNewestFirst(models: readonly TrainedModel[]): TrainedModel[] {
  return [...models].sort((a, b) => Number(b.finished.length > 0) - Number(a.finished.length > 0) || (b.modifiedAt ?? 0) - (a.modifiedAt ?? 0))
}

export function resolvePredictFolders(form: PredictFolderForm, status: FolderStatus | null | undefined): PredictFolders {
  const models = modelsNewestFirst(status?.trainings ?? [])
  const model = models.find((m) => m.folder === form.model) ?? models[0]
  const dataset = model ? status?.datasets.find((d) => d.id === model.datasetId) : undefined
  const input = form.input ?? dataset?.imagesTs ?? ''
  const output = form.output ?? (model && dataset?.predictionsRoot && input.trim() ? defaultPredictionFolder({ root: dataset.predictionsRoot, model, input }) : '')
  return { models, ...(model && { model }), ...(dataset && { dataset }), input, output }
}
