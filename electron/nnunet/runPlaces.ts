// Where an nnU-Net run reads and writes, and the environment it runs in: the dataset's folder
// name as nnU-Net spells it, a fold's output folder, a plans file, the child's environment.
// Pure path and environment rules shared by the run resolution (runSpec.ts), the local pipeline,
// the SLURM study and the results readers.
import { readdir } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import type { NnunetVersion, Settings, TrainRequest } from '../../shared/schema'
import { readDatasetLabels } from './summaries'
import { folderEnv, optionEnv } from './folders'
import { trainerDir, usedTrainerDirs } from './trainers'

/** Environment of every nnU-Net child: folders, options and (v2) the wizard's trainer folder. */
export function childEnv(settings: Settings, dataDir: string): Record<string, string> {
  const env = { ...folderEnv(settings), ...optionEnv(settings) }
  if (settings.nnunetVersion === 'v2') {
    const dirs = new Set([trainerDir(dataDir), ...usedTrainerDirs(), ...(process.env.nnUNet_extTrainer ?? '').split(delimiter).filter(Boolean)])
    env.nnUNet_extTrainer = [...dirs].join(delimiter)
  } else {
    // nnunet 1.7.1 predates torch 2.6, whose torch.load reads only plain tensors by default: its
    // own checkpoints (numpy values beside the weights) then fail to load for prediction, -c and
    // -val ("Weights only load failed"). They are the user's own files, written by nnU-Net.
    env.TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD = '1'
  }
  return env
}

function datasetPrefix(version: NnunetVersion, id: number): RegExp {
  // v1 names tasks Task%03d (TaskNN from the Decathlon is converted to TaskNNN).
  return version === 'v2' ? new RegExp(`^Dataset${String(id).padStart(3, '0')}_`) : new RegExp(`^Task0*${id}_`)
}

/** The dataset's folder name (DatasetNNN_Name / TaskNNN_Name) as found in the nnU-Net folders. */
export async function datasetFolderName(settings: Settings, id: number): Promise<string | undefined> {
  const f = settings.folders!
  const re = datasetPrefix(settings.nnunetVersion, id)
  const places = settings.nnunetVersion === 'v2' ? [f.preprocessed, f.raw, f.results] : [f.preprocessed, join(f.raw, 'nnUNet_raw_data'), join(f.raw, 'nnUNet_cropped_data')]
  for (const p of places) {
    const names = await readdir(p).catch(() => [] as string[])
    const hit = names.filter((n) => re.test(n)).sort()[0]
    if (hit) return hit
  }
  return undefined
}

/** Where nnU-Net writes a training's fold: v2 results/DatasetX/T__P__C/fold_F, v1 results/nnUNet/C/TaskX/T__P/fold_F. */
export function trainingOutputFolder(settings: Settings, dataset: string, trainer: string, plans: string, configuration: string, fold: string | number): string {
  const r = settings.folders!.results
  if (settings.nnunetVersion === 'v2') return join(r, dataset, `${trainer}__${plans}__${configuration}`, `fold_${fold}`)
  return join(r, 'nnUNet', configuration, dataset, `${trainer}__${plans}`, `fold_${fold}`)
}

/**
 * The plans file a training reads (v2 preprocessed/DatasetX/PLANS.json, v1 preprocessed/TaskX/
 * PLANS_plans_2D.pkl or _3D.pkl). Without it nnU-Net stops with a missing-file trace.
 */
export function plansFile(settings: Settings, dataset: string, plans: string, configuration: TrainRequest['configuration']): string {
  const dir = join(settings.folders!.preprocessed, dataset)
  if (settings.nnunetVersion === 'v2') return join(dir, `${plans}.json`)
  return join(dir, `${plans}_plans_${configuration === '2d' ? '2D' : '3D'}.pkl`)
}

/** The dataset's label names (its dataset.json in preprocessed, where nnU-Net copies it, else raw). */
export async function datasetLabels(settings: Settings, dataset: string): Promise<{ name: string; value: number }[]> {
  const f = settings.folders!
  const raw = settings.nnunetVersion === 'v2' ? join(f.raw, dataset) : join(f.raw, 'nnUNet_raw_data', dataset)
  return (await readDatasetLabels(join(f.preprocessed, dataset, 'dataset.json'))) ?? (await readDatasetLabels(join(raw, 'dataset.json'))) ?? []
}
