// The dicomPredictions job: a prediction folder of DICOM cases back to DICOM (issue 20 item 5).
// The label names come from the dataset's dataset.json, the model from the record the wizard
// writes after each prediction (nnunet_wizard_prediction.json: configuration, trainer, plans,
// folds, checkpoint), and each case is exported by imaging/dicom/exportCases.ts on its own series.
import { join } from 'node:path'
import type { DicomPredictionsRequest, DicomPredictionsResult, Settings } from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import { exportPredictionCases } from '../imaging/dicom/exportCases'
import type { DicomExportFormat, DicomExportOptions, DicomExportResult } from '../imaging/dicom/exportDicom'
import { datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { readPredictionOrigin } from './predictionOrigin'

export const DICOM_FOLDER = 'dicom'

/** Writes one case's file (results/index.ts passes the worker pool's). */
export type ExportOne = (opts: DicomExportOptions, signal?: AbortSignal) => Promise<DicomExportResult>

export function dicomFormats(format: DicomPredictionsRequest['format']): DicomExportFormat[] {
  return format === 'both' ? ['seg', 'rtstruct'] : [format]
}

export async function runDicomPredictions(req: DicomPredictionsRequest, settings: Settings, ctx: JobContext, exportOne?: ExportOne): Promise<DicomPredictionsResult> {
  if (!settings.folders) throw new Error('The nnU-Net folders are not set: the segment and ROI names come from the dataset.json of the dataset in nnUNet_raw.')
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: its dataset.json names the labels of the segmentations.`)
  const names = await datasetLabels(settings, dataset)
  if (!names.length) throw new Error(`The dataset.json of ${dataset} names no labels, so the segments would have no names.`)
  const origin = await readPredictionOrigin(req.folder)
  const m = origin?.model
  const dicomInput = req.dicomInput ?? origin?.input
  if (!dicomInput) throw new Error(`Which DICOM folder was predicted into ${req.folder} is not recorded (no nnunet_wizard_prediction.json); give the DICOM input folder.`)
  const out = req.out ?? join(req.folder, DICOM_FOLDER)
  const formats = dicomFormats(req.format)
  ctx.log(`Writing ${formats.map((f) => (f === 'seg' ? 'DICOM-SEG' : 'RTSTRUCT')).join(' and ')} of the predictions in ${req.folder} into ${out}, each on its case's series in ${dicomInput}.`, 'info')
  const cases = await exportPredictionCases({
    predictions: req.folder,
    dicomInput,
    formats,
    out,
    names,
    ...(req.colours && { colours: req.colours }),
    algorithm: {
      version: `nnU-Net ${settings.nnunetVersion}`,
      dataset,
      ...(m && { configuration: m.configuration, trainer: m.trainer, plans: m.plans, folds: m.folds, checkpoint: m.checkpoint }),
    },
    ...(req.series && { series: req.series }),
    signal: ctx.signal,
    ...(exportOne && { exportOne }),
    progress: (done, total, caseId) => ctx.progress({ done, total, unit: 'case', message: caseId }),
  })
  for (const c of cases) ctx.log(c.error ? `${c.caseId}: not exported: ${c.error}` : `${c.caseId}: ${c.files.map((f) => f.out).join(', ')}`, c.error ? 'stderr' : 'info')
  const failed = cases.filter((c) => c.error)
  if (failed.length) throw new Error(`${failed.length} of ${cases.length} case${cases.length === 1 ? '' : 's'} could not be exported as DICOM: ${failed.map((c) => `${c.caseId} (${c.error})`).join('; ')}`)
  return { folder: out, files: cases.flatMap((c) => c.files.map((f) => f.out)), cases: cases.map((c) => ({ caseId: c.caseId, files: c.files.map((f) => f.out), ...(c.error && { error: c.error }) })) }
}
