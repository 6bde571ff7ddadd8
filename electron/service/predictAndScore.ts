// A prediction, and when it segmented the dataset's own test cases (imagesTs, with labelsTs kept),
// their scores from nnU-Net's evaluator at once. The two steps live in nnunet/ (the prediction) and
// results/ (the scoring); they meet here, above both, so neither has to know the other. A folder of
// DICOM cases is converted for nnU-Net first (dicomPredictInput.ts).
import type { PredictRequest, Settings } from '../../shared/schema'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobContext } from '../jobs/jobManager'
import { stageDicomInput } from './dicomPredictInput'
import { runPredict } from '../nnunet/pipeline'
import { scoreTestPrediction } from '../results/toolJobs'
import { writePredictionOrigin } from '../results/predictionOrigin'
import { withPlans } from '../nnunet/runSpec'

export async function predictAndScore(req: PredictRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<Awaited<ReturnType<typeof runPredict>> & { test?: { summary: string; cases: number } }> {
  // Said first: without -o the service chose the folder (beside the model, shared/predictionFolders.ts).
  ctx.log(`Segmenting the scans in ${req.input} into ${req.output}.`, 'info')
  // A folder of DICOM cases is converted first (dicomPredictInput.ts); nnU-Net predicts the converted copy.
  const dicom = await stageDicomInput(req.input, req.output, join(dataDir, 'staging'), ctx)
  let predicted: Awaited<ReturnType<typeof runPredict>>
  try {
    predicted = await runPredict(dicom ? { ...req, input: dicom.staging } : req, settings, ctx, dataDir)
  } finally {
    if (dicom) await rm(dicom.staging, { recursive: true, force: true })
  }
  // Which model made these predictions (nnU-Net does not say): Review and the manifest of a case added from them read it.
  await writePredictionOrigin(await withPlans(req, { settings, dataDir }), settings)
  const test = await scoreTestPrediction(req, settings, ctx, dataDir)
  return { ...predicted, ...(test && { test }) }
}
