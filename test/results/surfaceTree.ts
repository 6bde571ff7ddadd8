// A results tree as nnU-Net leaves it, over real CT masks, for the surface-distance tests (vitest
// and Playwright): Dataset612_Surface with liver = 1 and spleen = 2 from ct_small; fold 0 of a
// 3d_fullres model finished, its validation (one case, the prediction moved one voxel along y)
// scored in summary.json; a scored test folder (where Predict writes the model's predictions of
// imagesTs: nnUNet_results/<dataset>/predictions/<model>/imagesTs) whose prediction lost the spleen.
// nnU-Net itself is not needed: the summary.json files have the shape its evaluator writes.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readVolume, type Volume } from '../../electron/imaging/volume'
import { writeNiftiGz } from '../../electron/imaging/niftiWriter'
import * as s from '../../shared/schema'
import { datasetPredictionsRoot, defaultPredictionFolder } from '../../shared/predictionFolders'

export const SURFACE_CT = '/work/shared/data/totalseg/ct_small'
export const SURFACE_DATASET_ID = 612
export const SURFACE_DATASET = 'Dataset612_Surface'
export const SURFACE_MODEL = 'nnUNetTrainer__nnUNetPlans__3d_fullres'

export interface SurfaceTree {
  settings: s.Settings
  /** The grid of every file (ct_small's). */
  geometry: Volume
  size: [number, number, number]
  spacing: [number, number, number]
  /** Reference label map (liver 1, spleen 2) and the validation prediction (moved one voxel along y). */
  reference: Uint8Array
  shifted: Uint8Array
  gtDir: string
  validationDir: string
  testDir: string
}

export async function makeSurfaceTree(root: string): Promise<SurfaceTree> {
  const f = { raw: join(root, 'raw'), preprocessed: join(root, 'pre'), results: join(root, 'res') }
  const settings = s.settings.parse({ nnunetVersion: 'v2', folders: f })
  const ds = SURFACE_DATASET
  await mkdir(join(f.raw, ds, 'labelsTs'), { recursive: true })
  await writeFile(join(f.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1, spleen: 2 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining: 5 }))
  const liver = await readVolume(join(SURFACE_CT, 'masks/liver.nii.gz'))
  const spleen = await readVolume(join(SURFACE_CT, 'masks/spleen.nii.gz'))
  const size = liver.size as [number, number, number]
  const spacing = liver.spacing as [number, number, number]
  const reference = Uint8Array.from(liver.data as Uint8Array, (v, i) => ((spleen.data as Uint8Array)[i] ? 2 : v ? 1 : 0))
  const shifted = new Uint8Array(reference.length)
  for (let i = size[0]; i < reference.length; i++) shifted[i] = reference[i - size[0]]!
  const gtDir = join(f.preprocessed, ds, 'gt_segmentations')
  const validationDir = join(f.results, ds, SURFACE_MODEL, 'fold_0', 'validation')
  const testDir = defaultPredictionFolder({ root: datasetPredictionsRoot(f.results, ds), model: { trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', configuration: '3d_fullres' }, input: join(f.raw, ds, 'imagesTs') })
  for (const d of [gtDir, validationDir, testDir]) await mkdir(d, { recursive: true })
  const label = { intentCode: 1002 }
  await writeNiftiGz(join(gtDir, 'surf_001.nii.gz'), liver, reference, label)
  await writeNiftiGz(join(validationDir, 'surf_001.nii.gz'), liver, shifted, label)
  await writeNiftiGz(join(f.raw, ds, 'labelsTs', 'surf_009.nii.gz'), liver, reference, label)
  await writeNiftiGz(join(testDir, 'surf_009.nii.gz'), liver, Uint8Array.from(reference, (v) => (v === 2 ? 0 : v)), label)
  const summary = (cases: { ref: string; pred: string }[]) =>
    JSON.stringify({
      foreground_mean: { Dice: 0.9 },
      mean: { '1': { Dice: 0.9 }, '2': { Dice: 0.9 } },
      metric_per_case: cases.map((c) => ({ metrics: { '1': { Dice: 0.9, FP: 1, FN: 1 }, '2': { Dice: 0.9, FP: 1, FN: 1 } }, prediction_file: c.pred, reference_file: c.ref })),
    })
  await writeFile(join(validationDir, 'summary.json'), summary([{ ref: join(gtDir, 'surf_001.nii.gz'), pred: join(validationDir, 'surf_001.nii.gz') }]))
  await writeFile(join(f.results, ds, SURFACE_MODEL, 'fold_0', 'checkpoint_final.pth'), '')
  await writeFile(join(testDir, 'summary.json'), summary([{ ref: join(f.raw, ds, 'labelsTs', 'surf_009.nii.gz'), pred: join(testDir, 'surf_009.nii.gz') }]))
  return { settings, geometry: liver, size, spacing, reference, shifted, gtDir, validationDir, testDir }
}
