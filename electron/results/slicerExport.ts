// Predictions as 3D Slicer segmentations: every label map of a prediction folder written again as
// <folder>/slicer/<case>.seg.nrrd, with the dataset's label names (dataset.json) and the project's
// label colours (else the app's default table), one file per task in the worker pool. A subfolder,
// so the prediction folder itself still holds only what nnU-Net wrote and its evaluator reads.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLabelColor } from '../../shared/labelColors'
import type { SlicerSegmentationsRequest, Settings } from '../../shared/schema'
import type { SlicerSegmentationsResult } from '../../shared/api'
import type { JobContext } from '../jobs/jobManager'
import { datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import type { SlicerTask } from './slicerTask'

export const SLICER_FOLDER = 'slicer'

/** A label map nnU-Net writes (not a .seg.nrrd this app wrote, not summary.json or plans). */
const PREDICTION = /^(?!.*\.seg\.nrrd$).*\.(nii\.gz|nii|nrrd|mha)$/i

export type WriteSlicerFile = (task: SlicerTask, signal: AbortSignal) => Promise<{ target: string; bytes: number }>

export async function runSlicerExport(req: SlicerSegmentationsRequest, settings: Settings, ctx: JobContext, write: WriteSlicerFile): Promise<SlicerSegmentationsResult> {
  if (!settings.folders) throw new Error('The nnU-Net folders are not set: the label names come from the dataset.json of the dataset in nnUNet_raw.')
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: its dataset.json names the labels of the segmentations.`)
  const labels = await datasetLabels(settings, dataset)
  if (!labels.length) throw new Error(`The dataset.json of ${dataset} names no labels, so the segments would have no names.`)
  const info = await stat(req.folder).catch(() => null)
  if (!info?.isDirectory()) throw new Error(`The prediction folder ${req.folder} does not exist.`)
  const files = (await readdir(req.folder)).filter((n) => PREDICTION.test(n)).sort()
  if (!files.length) throw new Error(`${req.folder} holds no segmentations to write for Slicer: predict into it first.`)
  const segments = labels.map((l) => ({ name: l.name, value: l.value, colour: req.colours?.[l.name] ?? defaultLabelColor(l.value) }))
  const out = join(req.folder, SLICER_FOLDER)
  ctx.log(`Writing ${files.length} segmentation${files.length === 1 ? '' : 's'} for 3D Slicer into ${out} (segments: ${segments.map((s) => `${s.value} ${s.name}`).join(', ')}).`, 'info')
  let done = 0
  ctx.progress({ done, total: files.length, unit: 'case', message: 'writing .seg.nrrd' })
  const written = await Promise.all(
    files.map(async (name) => {
      const target = join(out, `${name.replace(/\.(nii\.gz|nii|nrrd|mha)$/i, '')}.seg.nrrd`)
      const r = await write({ prediction: join(req.folder, name), target, segments }, ctx.signal)
      ctx.progress({ done: ++done, total: files.length, unit: 'case', message: name })
      return r.target
    }),
  )
  return { folder: out, files: written }
}
