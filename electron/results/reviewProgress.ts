// Where each predicted case of a folder stands, read from disk so Review shows it again after the
// app was closed (issue 21): added to the dataset (the dataset's manifest.json, or
// nnunet_wizard_added.json for a dataset not written by the wizard, names the prediction or its
// corrected copy as the case's source), corrected (corrected/<name> exists), a correction in progress
// (corrected/.draft/<name>.json), or still to do; and whether it was predicted from a DICOM case
// folder (its correction can then go back as DICOM-SEG). Nothing is written.
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { AddedCaseRecord, ReviewCaseProgress, ReviewProgress, ReviewProgressRequest } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { ADDED_CASES_FILE } from '../dataset/addCase'
import { readLabelDraft } from '../dataset/labelDraft'
import { correctedPathFor } from '../dataset/labelEdit'
import { MANIFEST_FILE } from '../dataset/manifest'
import { datasetFolderName } from '../nnunet/pipeline'
import { readPredictionOrigin } from './predictionOrigin'

/** A label map nnU-Net writes (not a .seg.nrrd or the folder's other files). */
const PREDICTION = /^(?!.*\.seg\.nrrd$)(.*)\.(nii\.gz|nii|nrrd|mha)$/i

/** The added-case records of a dataset folder: the manifest's `added` and the file for datasets without one. */
async function addedRecords(datasetDir: string): Promise<AddedCaseRecord[]> {
  const out: AddedCaseRecord[] = []
  for (const f of [MANIFEST_FILE, ADDED_CASES_FILE]) {
    try {
      const j = JSON.parse(await readFile(join(datasetDir, f), 'utf8')) as { added?: Record<string, AddedCaseRecord> }
      if (j.added && typeof j.added === 'object') out.push(...Object.values(j.added))
    } catch {
      /* no such file, or not ours to read: no record */
    }
  }
  return out
}

export async function reviewProgress(settings: Settings, req: ReviewProgressRequest): Promise<ReviewProgress> {
  const folder = resolve(req.folder)
  const names = (await readdir(folder).catch(() => null))?.filter((n) => PREDICTION.test(n)).sort()
  if (!names) throw new Error(`The prediction folder ${folder} cannot be read.`)
  const origin = await readPredictionOrigin(folder)
  const datasetId = req.datasetId ?? origin?.model.datasetId
  const dataset = datasetId && settings.folders ? await datasetFolderName(settings, datasetId).catch(() => undefined) : undefined
  const records = dataset && settings.folders ? await addedRecords(join(settings.folders.raw, dataset)) : []
  const cases: ReviewCaseProgress[] = []
  for (const name of names) {
    const prediction = join(folder, name)
    const corrected = correctedPathFor(prediction)
    const hasCorrected = existsSync(corrected)
    const added = records.find((r) => [r.sources.prediction, r.sources.label].some((p) => p && (resolve(p) === prediction || resolve(p) === corrected)))
    const draft = await readLabelDraft({ prediction })
    const caseId = PREDICTION.exec(name)![1]!
    const fromDicom = origin?.input ? (await stat(join(origin.input, caseId)).catch(() => null))?.isDirectory() === true : false
    const state: ReviewCaseProgress['state'] = added ? 'added' : draft && !draft.stale ? 'draft' : hasCorrected ? 'corrected' : 'todo'
    cases.push({
      case: caseId,
      prediction,
      state,
      ...(hasCorrected && { corrected }),
      ...(draft && { draft: { savedAt: draft.savedAt, voxels: draft.voxels } }),
      ...(added && { addedAs: added.caseId }),
      ...(fromDicom && { fromDicom }),
    })
  }
  return { folder, ...(datasetId && { datasetId }), cases }
}
