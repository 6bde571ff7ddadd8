// nnU-Net's folders: creating them, the environment variables that carry them to every child
// process, what datasets they hold (and id collisions), and "copy shell exports" text.
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DatasetStatus, FolderStatus, Finding, TrainedModel } from '../../shared/api'
import { readDatasetLabels, readPlansSummary } from './summaries'
import { datasetPredictionsRoot } from '../../shared/predictionFolders'
import { isInside } from '../files/pathInside'
import { modelOlderDataset, rawDatasetDir, readDatasetInputs, stalePlanReason } from './planInputs'
import { datasetFoldCount } from './foldCount'
import { foldCompletion } from './trainerOutputs'
import type { NnunetFolders, NnunetVersion, Settings } from '../../shared/schema'

/** The variable names each version reads, in the order raw, preprocessed, results. */
export const FOLDER_VARS: Record<NnunetVersion, { raw: string; preprocessed: string; results: string }> = {
  v2: { raw: 'nnUNet_raw', preprocessed: 'nnUNet_preprocessed', results: 'nnUNet_results' },
  v1: { raw: 'nnUNet_raw_data_base', preprocessed: 'nnUNet_preprocessed', results: 'RESULTS_FOLDER' },
}

/** The standard layout under one base folder (v1 as in the guide, v2 as in nnU-Net's docs). */
export function foldersUnder(base: string, version: NnunetVersion): NnunetFolders {
  if (version === 'v2') return { raw: join(base, 'nnUNet_raw'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_results') }
  return { raw: join(base, 'nnUNet_raw_data_base'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_trained_models') }
}

export async function createFolders(base: string, version: NnunetVersion): Promise<NnunetFolders> {
  const folders = foldersUnder(base, version)
  const dirs = [folders.raw, folders.preprocessed, folders.results]
  // v1 expects these two inside nnUNet_raw_data_base (the converter writes to nnUNet_raw_data).
  if (version === 'v1') dirs.push(join(folders.raw, 'nnUNet_raw_data'), join(folders.raw, 'nnUNet_cropped_data'))
  try {
    for (const d of dirs) await mkdir(d, { recursive: true })
  } catch (err) {
    throw new Error(`Cannot create the nnU-Net folders under ${base}: ${(err as Error).message}. Choose a folder you can write to.`)
  }
  return folders
}

/** The folder variables for a child process; throws a clear message when the folders are not set. */
export function folderEnv(settings: Settings): Record<string, string> {
  const f = settings.folders
  if (!f) {
    throw new Error('The nnU-Net folders are not set. Choose or create them in the Environment step (or pass --base / --raw --preprocessed --results on the command line).')
  }
  const vars = FOLDER_VARS[settings.nnunetVersion]
  return { [vars.raw]: f.raw, [vars.preprocessed]: f.preprocessed, [vars.results]: f.results }
}

/**
 * Settings-driven nnU-Net options: worker processes and (v2) torch.compile. The worker count sets
 * both nnUNet_n_proc_DA (augmentation during training) and nnUNet_def_n_proc (nnU-Net's other
 * pools: the final validation export, preprocessing defaults), which is 8 otherwise: on a small
 * machine one number keeps nnU-Net from starting more processes than there are cores.
 */
export function optionEnv(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {}
  if (settings.augmentationWorkers !== undefined) {
    env.nnUNet_n_proc_DA = String(settings.augmentationWorkers)
    env.nnUNet_def_n_proc = String(Math.max(1, settings.augmentationWorkers))
  }
  // nnunetv2 compiles by default when the variable is unset; the app makes it an explicit choice.
  if (settings.nnunetVersion === 'v2') env.nnUNet_compile = settings.torchCompile ? 'true' : 'false'
  return env
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory()
  } catch {
    return false
  }
}

async function listDirs(p: string): Promise<string[]> {
  try {
    return (await readdir(p, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    return []
  }
}

/** Every folder that may hold a dataset of this version, with its own name. */
async function datasetFolders(settings: Settings): Promise<string[]> {
  const f = settings.folders!
  if (settings.nnunetVersion === 'v2') {
    const tops = [f.raw, f.preprocessed, f.results]
    return (await Promise.all(tops.map(async (t) => (await listDirs(t)).map((n) => join(t, n))))).flat()
  }
  // v1: raw data and cropped data under the base, preprocessed, and results/nnUNet/<configuration>/TaskNNN_*.
  const tops = [join(f.raw, 'nnUNet_raw_data'), join(f.raw, 'nnUNet_cropped_data'), f.preprocessed]
  const out = (await Promise.all(tops.map(async (t) => (await listDirs(t)).map((n) => join(t, n))))).flat()
  for (const config of await listDirs(join(f.results, 'nnUNet'))) {
    for (const n of await listDirs(join(f.results, 'nnUNet', config))) out.push(join(f.results, 'nnUNet', config, n))
  }
  return out
}

/** Parses "Dataset004_Liver" (v2) or "Task004_Liver" / "Task04_Liver" (v1, MSD) into id and name. */
export function parseDatasetFolderName(name: string, version: NnunetVersion): { id: number; name: string } | null {
  const re = version === 'v2' ? /^Dataset(\d{3})_(.+)$/ : /^Task(\d{2,3})_(.+)$/
  const m = re.exec(name)
  return m ? { id: Number(m[1]), name: m[2]! } : null
}

export async function folderStatus(settings: Settings): Promise<FolderStatus> {
  const version = settings.nnunetVersion
  if (!settings.folders) return { version, env: {}, exists: {}, datasets: [] }
  const env = folderEnv(settings)
  const exists: Record<string, boolean> = {}
  for (const [k, v] of Object.entries(env)) exists[k] = await isDir(v)
  const byKey = new Map<string, DatasetStatus>()
  for (const dir of await datasetFolders(settings)) {
    const base = dir.split(/[\\/]/).pop()!
    const parsed = parseDatasetFolderName(base, version)
    if (!parsed) continue
    const key = `${parsed.id}\0${parsed.name}`
    const entry = byKey.get(key) ?? { ...parsed, where: [] }
    entry.where.push(dir)
    byKey.set(key, entry)
  }
  const datasets = [...byKey.values()].sort((a, b) => a.id - b.id || a.name.localeCompare(b.name))
  for (const d of datasets) Object.assign(d, await datasetDefaults(settings, d))
  const trainings = await trainedModels(settings)
  for (const d of datasets) {
    // Containment by path, never by prefix: /data/nnUNet_raw_old is not inside /data/nnUNet_raw.
    d.inRaw = d.where.some((w) => isInside(w, settings.folders!.raw))
    const finished = new Set(trainings.filter((m) => m.datasetId === d.id && m.finished.length > 0).map((m) => m.configuration))
    if (finished.size) d.finishedConfigurations = [...finished].sort()
  }
  return { version, env, exists, datasets, trainings }
}

/** What Train and Predict default from: its labels, its plans (v2), its imagesTs and where its predictions go (under nnUNet_results, never inside the dataset). */
async function datasetDefaults(settings: Settings, d: DatasetStatus): Promise<Partial<DatasetStatus>> {
  const f = settings.folders!
  const v2 = settings.nnunetVersion === 'v2'
  const folder = `${v2 ? 'Dataset' : 'Task'}${String(d.id).padStart(3, '0')}_${d.name}`
  const rawDir = v2 ? join(f.raw, folder) : join(f.raw, 'nnUNet_raw_data', folder)
  const preDir = join(f.preprocessed, folder)
  const labels = (await readDatasetLabels(join(rawDir, 'dataset.json'))) ?? (await readDatasetLabels(join(preDir, 'dataset.json')))
  const plans = v2 ? await readPlansSummary(join(preDir, 'nnUNetPlans.json')) : undefined
  const imagesTs = join(rawDir, 'imagesTs')
  const hasTs = await isDir(imagesTs)
  // One label file per training case: what nnU-Net's five folds are cut from.
  const labelFiles = await readdir(join(rawDir, 'labelsTr')).catch(() => null)
  const trainingCases = labelFiles?.filter((n) => !n.startsWith('.')).length
  const planStale = (await isDir(preDir)) ? await stalePlanReason(settings, folder) : undefined
  // The folds Train offers and Results lists: a splits_final.json with fewer folds wins over nnU-Net's 5.
  const folds = await datasetFoldCount(preDir)
  return {
    ...(labels && { labels }),
    ...(trainingCases !== undefined && { trainingCases }),
    folds,
    ...(planStale && { planStale }),
    ...(plans && { plans }),
    ...(hasTs && { imagesTs }),
    predictionsRoot: datasetPredictionsRoot(f.results, folder),
  }
}

async function foldsIn(modelDir: string, version: NnunetVersion): Promise<{ folds: string[]; finished: string[]; unvalidated: string[]; modifiedAt: number }> {
  const folds: string[] = []
  const finished: string[] = []
  const unvalidated: string[] = []
  let modifiedAt = 0
  for (const d of await listDirs(modelDir)) {
    const m = /^fold_(\d+|all)$/.exec(d)
    if (!m) continue
    const files = await readdir(join(modelDir, d)).catch(() => [] as string[])
    const checkpoints = files.filter((f) => /\.(pth|model)$/.test(f))
    if (!checkpoints.length) continue
    folds.push(m[1]!)
    for (const c of checkpoints) modifiedAt = Math.max(modifiedAt, (await stat(join(modelDir, d, c)).catch(() => ({ mtimeMs: 0 }))).mtimeMs)
    // Finished only with the validation summary too (foldCompletion): a fold validating, or stopped in it, has no scores.
    const completion = foldCompletion(version, join(modelDir, d))
    if (completion === 'finished') finished.push(m[1]!)
    else if (completion === 'unvalidated') unvalidated.push(m[1]!)
  }
  const order = (f: string) => (f === 'all' ? 99 : Number(f))
  const sorted = (l: string[]) => l.sort((a, b) => order(a) - order(b))
  return { folds: sorted(folds), finished: sorted(finished), unvalidated: sorted(unvalidated), modifiedAt }
}

/**
 * Trained models in the results folder. v2: results/DatasetX/TRAINER__PLANS__CONFIG/fold_N;
 * v1: results/nnUNet/CONFIG/TaskX/TRAINER__PLANS/fold_N. Models without any checkpoint are left out.
 */
export async function trainedModels(settings: Settings): Promise<TrainedModel[]> {
  const f = settings.folders
  if (!f) return []
  const version = settings.nnunetVersion
  const out: TrainedModel[] = []
  // The raw dataset as it is now, read once per dataset: a model trained on an older version is flagged.
  const nowInputs = new Map<string, ReturnType<typeof readDatasetInputs>>()
  const add = async (dataset: string, configuration: string, trainer: string, plans: string, folder: string) => {
    const parsed = parseDatasetFolderName(dataset, version)
    if (!parsed) return
    const { folds, finished, unvalidated, modifiedAt } = await foldsIn(folder, version)
    if (!folds.length) return
    if (!nowInputs.has(dataset)) nowInputs.set(dataset, readDatasetInputs(rawDatasetDir(settings, dataset)))
    const now = await nowInputs.get(dataset)
    const older = now ? await modelOlderDataset(folder, folds, now) : undefined
    out.push({ datasetId: parsed.id, dataset, configuration, trainer, plans, folder, folds, finished, ...(unvalidated.length && { unvalidated }), modifiedAt, ...(older && { olderDataset: older }) })
  }
  if (version === 'v2') {
    for (const dataset of await listDirs(f.results)) {
      for (const model of await listDirs(join(f.results, dataset))) {
        const parts = model.split('__')
        if (parts.length === 3) await add(dataset, parts[2]!, parts[0]!, parts[1]!, join(f.results, dataset, model))
      }
    }
  } else {
    for (const configuration of await listDirs(join(f.results, 'nnUNet'))) {
      for (const dataset of await listDirs(join(f.results, 'nnUNet', configuration))) {
        for (const model of await listDirs(join(f.results, 'nnUNet', configuration, dataset))) {
          const parts = model.split('__')
          if (parts.length === 2) await add(dataset, configuration, parts[0]!, parts[1]!, join(f.results, 'nnUNet', configuration, dataset, model))
        }
      }
    }
  }
  return out.sort((a, b) => a.datasetId - b.datasetId || a.configuration.localeCompare(b.configuration) || a.trainer.localeCompare(b.trainer))
}

/** Ids used by more than one dataset name: nnU-Net refuses these ("More than one dataset name found"). */
export function idCollisions(status: FolderStatus): { id: number; names: string[] }[] {
  const names = new Map<number, string[]>()
  for (const d of status.datasets) names.set(d.id, [...(names.get(d.id) ?? []), d.name])
  return [...names.entries()].filter(([, n]) => n.length > 1).map(([id, n]) => ({ id, names: n }))
}

/**
 * Datasets anywhere in the nnU-Net folders (raw, preprocessed, results) that use `id` under another
 * name. Writing a new dataset with that id makes it ambiguous to nnU-Net: an error when the output
 * goes into nnUNet_raw itself, a warning when it goes elsewhere (it clashes once copied or converted).
 */
export function idClashFindings(status: FolderStatus, id: number, name: string, writesIntoRaw: boolean): Finding[] {
  return status.datasets
    .filter((d) => d.id === id && d.name !== name)
    .map((d) => ({
      severity: writesIntoRaw ? 'error' : 'warning',
      code: 'id-used-in-nnunet-folders',
      file: d.where[0],
      text: `Dataset id ${id} is already used by "${d.name}" in the nnU-Net folders (${d.where.join(', ')}); nnU-Net would not know which dataset ${id} means.`,
      hint: 'Choose another id, or remove the other dataset from nnUNet_raw, nnUNet_preprocessed and nnUNet_results first.',
    }))
}

/** bash/zsh double-quoted string: only \ " $ ` are special inside. */
export function bashQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`
}

/**
 * PowerShell single-quoted string: a quote is written twice, nothing else is special. PowerShell
 * counts the typographic single quotes (U+2018, U+2019, U+201A, U+201B) as quotes too, so a
 * folder named with one (autocorrected "it’s") would otherwise end the string early.
 */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`
}

export function shellExports(settings: Settings): { bash: string; powershell: string } {
  const env = { ...(settings.folders ? folderEnv(settings) : {}), ...optionEnv(settings) }
  const entries = Object.entries(env)
  return {
    bash: entries.map(([k, v]) => `export ${k}=${bashQuote(v)}`).join('\n'),
    powershell: entries.map(([k, v]) => `$env:${k} = ${powershellQuote(v)}`).join('\n'),
  }
}
