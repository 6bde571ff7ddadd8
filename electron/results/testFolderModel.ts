// Which model predicted each folder of test predictions, for the Results table's model column. A
// test row is keyed by its folder (imagesTs_predicted, or <model>/<input> under the predictions
// root), and the walkthrough of issue 18 found that folder name where the model belongs.
import type { DatasetResults } from '../../shared/api'
import { datasetPredictionsRoot, predictionFolderLabel } from '../../shared/predictionFolders'
import { readPredictionOrigin } from './predictionOrigin'

export interface TestFolderModel {
  /** TRAINER__PLANS__CONFIGURATION */
  predictedBy: string
  configuration: string
}

/**
 * The model that predicted a test folder: the wizard's record beside the predictions
 * (nnunet_wizard_prediction.json), else the model folder it lies in under the predictions root
 * (<root>/TRAINER__PLANS__CONFIGURATION/<input>); undefined for a folder predicted elsewhere.
 */
export async function testFolderModel(folder: string, predictionsRoot: string | undefined): Promise<TestFolderModel | undefined> {
  const m = (await readPredictionOrigin(folder))?.model
  if (m?.trainer && m.plans && m.configuration) return { predictedBy: `${m.trainer}__${m.plans}__${m.configuration}`, configuration: m.configuration }
  const parts = /^([^/]+)__([^/]+)__([^/]+)\/[^/]+$/.exec(predictionFolderLabel(folder, predictionsRoot))
  return parts ? { predictedBy: `${parts[1]}__${parts[2]}__${parts[3]}`, configuration: parts[3]! } : undefined
}

/** Sets `predictedBy` and `configuration` on every test case whose folder tells its model (in place; returns `r`). */
export async function attachTestModels(r: DatasetResults, resultsFolder: string | undefined): Promise<DatasetResults> {
  const root = resultsFolder ? datasetPredictionsRoot(resultsFolder, r.dataset) : undefined
  const byLabel = new Map<string, TestFolderModel>()
  for (const t of r.test) {
    const m = await testFolderModel(t.folder, root)
    if (m) byLabel.set(predictionFolderLabel(t.folder, root), m)
  }
  for (const c of r.cases) {
    const m = c.fold === 'test' ? byLabel.get(c.model) : undefined
    if (m) Object.assign(c, m)
  }
  return r
}
