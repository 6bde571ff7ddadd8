// A corrected prediction of a DICOM case back to DICOM (issue 21 item 5): the label editor's
// corrected copy (corrected/<case>.nii.gz beside the prediction) is written as a DICOM-SEG that
// references the case's own series, found as the prediction export finds it (the case id names the
// folder DICOM_INPUT/<case>; the series is chosen as the conversion chose it). The DICOM input is
// the one recorded with the prediction (nnunet_wizard_prediction.json) unless given. Written
// atomically into <prediction folder>/corrected/dicom/, never into the DICOM folder or a source folder.
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { ExportCorrectedDicomRequest, ExportCorrectedDicomResult } from '../../shared/api'
import { DomainError } from '../domainError'
import { correctedPathFor, refuseSourceFolder } from '../dataset/labelEdit'
import { predictionOf } from '../dataset/labelDraft'
import { labelNamesFromDatasetJson } from '../dataset/viewFiles'
import { chooseSeries } from '../imaging/dicom/chooseSeries'
import { exportDicom, exportFileName } from '../imaging/dicom/exportDicom'
import { referenceOf } from '../imaging/dicom/exportReference'
import { indexDicomFolder } from '../imaging/dicom/headerIndex'
import { readPredictionOrigin } from './predictionOrigin'

const LABEL_FILE = /^(.*)\.(nii\.gz|nii|nrrd|mha)$/i

export interface CorrectedDicomContext {
  sourceFolders: readonly string[]
  /** nnU-Net's version, for the SEG's algorithm identification. */
  nnunetVersion?: string
}

export async function exportCorrectedDicom(req: ExportCorrectedDicomRequest, ctx: CorrectedDicomContext): Promise<ExportCorrectedDicomResult> {
  const prediction = predictionOf(req.prediction)
  const folder = dirname(prediction)
  const caseId = LABEL_FILE.exec(basename(prediction))?.[1]
  if (!caseId) throw new DomainError(`${prediction} is not a label map (.nii.gz, .nii, .nrrd, .mha).`, 'dicom-corrected-name', 'invalid')
  const label = correctedPathFor(prediction)
  if (!existsSync(label)) throw new DomainError(`${basename(prediction)} has no corrected copy yet (${label}): save a correction in the editor first.`, 'dicom-not-corrected', 'not-found')
  const origin = await readPredictionOrigin(folder)
  const dicomInput = req.dicomInput ? resolve(req.dicomInput) : origin?.input
  if (!dicomInput) throw new DomainError(`Which DICOM folder was predicted into ${folder} is not recorded (no nnunet_wizard_prediction.json): give the DICOM input folder.`, 'dicom-no-input', 'invalid')
  const dir = join(dicomInput, caseId)
  if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    throw new DomainError(`There is no DICOM case folder ${dir} for ${basename(prediction)} (a case's id is the name of its DICOM folder): was this case predicted from DICOM?`, 'dicom-no-case', 'not-found')
  }
  const choice = chooseSeries(await indexDicomFolder(dir), req.series ? { pattern: req.series } : {})
  if (!choice.ok) throw new DomainError(`${dir}: ${choice.problem.text}`, 'dicom-series', 'invalid')
  const series = await referenceOf(dir, choice.series)
  const out = join(dirname(label), 'dicom', exportFileName(caseId, 'seg'))
  await refuseSourceFolder(out, ctx.sourceFolders)
  // nnU-Net copies the model's dataset.json into the prediction folder: it names the segments.
  let names: { name: string; value: number }[] = []
  try {
    names = [...labelNamesFromDatasetJson(JSON.parse(await readFile(join(folder, 'dataset.json'), 'utf8')))].map(([value, name]) => ({ value, name }))
  } catch {
    /* no dataset.json beside the prediction: the segments are named "label N" */
  }
  const m = origin?.model
  const r = await exportDicom({
    labels: label,
    reference: dir,
    series,
    format: 'seg',
    out,
    names,
    algorithm: {
      version: ctx.nnunetVersion ? `nnU-Net ${ctx.nnunetVersion}` : '',
      corrected: true,
      ...(m && { dataset: m.datasetId ? String(m.datasetId) : undefined, configuration: m.configuration, trainer: m.trainer, plans: m.plans, folds: m.folds, checkpoint: m.checkpoint }),
    },
  })
  return { out: r.out, label, referencedSeriesUid: r.referencedSeriesUid, segments: r.segments.length, bytes: r.bytes }
}
