// A dataset's results as nnU-Net left them on disk, gathered in one read: per trained model and
// fold the state (from its checkpoints and training log), the fold's validation summary.json,
// every validation case's Dice and FP/FN voxels; the test evaluations (summary.json of a folder of
// test predictions, written by nnU-Net's evaluator); find_best's inference_information.json.
// Read-only: nothing here writes or runs anything.
import { readFile, readdir, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CaseResult, DatasetResults, FindBestInfo, FoldResult, FoldState, ModelResults, Spread, TestResults } from '../../shared/api'
import type { NnunetVersion, ResultsRequest, Settings } from '../../shared/schema'
import { epochsFromTrainerName, parseTrainingLog } from '../../shared/trainingLog'
import { datasetPredictionsRoot, LEGACY_TEST_PREDICTIONS, predictionFolderLabel } from '../../shared/predictionFolders'
import { datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { datasetFoldCount } from '../nnunet/foldCount'
import { readManifest } from '../dataset/manifest'
import { labelName, parsePythonJson, validationSummaryFile, type DatasetLabel } from '../nnunet/summaries'
import { foldCompletion } from '../nnunet/trainerOutputs'
import { foldHold, foldLockFile } from '../nnunet/foldLock'
import { handRunTraining } from '../nnunet/handRunTraining'

type Labels = readonly DatasetLabel[]

/** A fold whose log was written this recently, with no final checkpoint, is taken as still training. */
export const RUNNING_WITHIN_MS = 15 * 60_000
const DEFAULT_EPOCHS = 1000

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

async function readJson(file: string): Promise<unknown> {
  return parsePythonJson(await readFile(file, 'utf8'))
}

/** The case id of a reference or prediction file: its name without the ending (liver_001.nii.gz -> liver_001). */
export function caseIdOf(file: string): string {
  return basename(file).replace(/\.(nii\.gz|nii|nrrd|mha|mhd|tif|tiff|png)$/i, '')
}

export interface SummaryCases {
  /** Label name -> mean Dice. */
  dice: Record<string, number | null>
  mean: number | null
  cases: Omit<CaseResult, 'fold' | 'model' | 'configuration'>[]
}

/**
 * One nnU-Net summary.json, either version. v2 (evaluate_predictions.py): metric_per_case[i] =
 * { reference_file, prediction_file, metrics: { "1": { Dice, FP, FN, TP, ... } } }, mean, foreground_mean.
 * v1 (evaluator.py aggregate_scores): results.all[i] = { reference, test, "1": { Dice, "Total
 * Positives Test", "Total Positives Reference", ... } }, results.mean; v1 has no FP/FN counts, so
 * they are derived: TP = Dice (TPtest + TPref) / 2, FP = TPtest - TP, FN = TPref - TP. The
 * background (v1 scores label 0 too) is left out.
 */
export function summaryCases(json: unknown, labels: Labels, file: string): SummaryCases {
  const j = json as { metric_per_case?: unknown[]; mean?: Record<string, { Dice?: unknown }>; foreground_mean?: { Dice?: unknown }; results?: { all?: unknown[]; mean?: Record<string, { Dice?: unknown }> } } | null
  const v2 = Array.isArray(j?.metric_per_case)
  const mean = v2 ? j!.mean : j?.results?.mean
  const perCase = v2 ? j!.metric_per_case! : j?.results?.all
  if (!mean || typeof mean !== 'object' || !Array.isArray(perCase)) throw new Error(`${file} is not an nnU-Net summary.json (no per-case results and means).`)
  const keys = Object.keys(mean).filter((k) => k !== '0')
  const dice = Object.fromEntries(keys.map((k) => [labelName(k, labels), num(mean[k]?.Dice)]))
  const known = Object.values(dice).filter((d): d is number => d !== null)
  const fg = v2 ? num(j!.foreground_mean?.Dice) : known.length ? known.reduce((a, b) => a + b, 0) / known.length : null
  const cases = perCase.map((raw) => {
    const c = raw as Record<string, unknown>
    const metricsOf = (k: string): Record<string, unknown> => ((v2 ? (c.metrics as Record<string, unknown>)?.[k] : c[k]) ?? {}) as Record<string, unknown>
    const reference = String(v2 ? c.reference_file : c.reference)
    const prediction = String(v2 ? c.prediction_file : c.test)
    const out = { case: caseIdOf(reference), dice: {} as Record<string, number | null>, fp: {} as Record<string, number | null>, fn: {} as Record<string, number | null>, reference, prediction }
    for (const k of keys) {
      const m = metricsOf(k)
      const name = labelName(k, labels)
      const d = num(m.Dice)
      out.dice[name] = d
      if (v2) {
        out.fp[name] = num(m.FP)
        out.fn[name] = num(m.FN)
      } else {
        const pt = num(m['Total Positives Test'])
        const pr = num(m['Total Positives Reference'])
        const tp = pt === null || pr === null ? null : d === null ? 0 : Math.round((d * (pt + pr)) / 2)
        out.fp[name] = tp === null ? null : pt! - tp
        out.fn[name] = tp === null ? null : pr! - tp
      }
    }
    return out
  })
  return { dice, mean: fg, cases }
}

/** Mean, sample standard deviation, min and max of the known values. */
export function spread(values: readonly (number | null)[]): Spread {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x))
  if (!v.length) return { mean: null, sd: null, min: null, max: null, n: 0 }
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : null
  return { mean, sd, min: Math.min(...v), max: Math.max(...v), n: v.length }
}

async function mtime(file: string): Promise<number | null> {
  return stat(file).then((s) => s.mtimeMs, () => null)
}

/** The fold's newest training log (v1 and v2 both write training_log_*.txt into the fold folder). */
async function newestLog(foldDir: string): Promise<{ file: string; mtimeMs: number } | null> {
  const names = (await readdir(foldDir).catch(() => [] as string[])).filter((n) => /^training_log.*\.txt$/.test(n))
  let best: { file: string; mtimeMs: number } | null = null
  for (const n of names) {
    const t = await mtime(join(foldDir, n))
    if (t !== null && (!best || t > best.mtimeMs)) best = { file: join(foldDir, n), mtimeMs: t }
  }
  return best
}

/**
 * Whether a training log ends with the line the wizard's trainers write when they stop on request
 * (electron/nnunet/trainerParts.ts "stopped and kept at iteration ...", trainers.ts "stopped after
 * epoch ... on request"). A later --continue writes a new log file, so only the newest log counts.
 */
export function endedOnRequest(logText: string): boolean {
  const last = logText.trimEnd().split('\n').pop() ?? ''
  return /nnU-Net Wizard: stopped (and kept at iteration|after epoch \d+ on request)/.test(last)
}

/**
 * Whether someone trains the fold folder now, by its one-writer lock (electron/nnunet/foldLock.ts,
 * taken by every training the app starts: run queue, CLI, SLURM task): true while a live process,
 * a SLURM job that is not over, or an orphaned nnU-Net of a crashed app holds it; false when its
 * holder is gone (a stale lock) or, without a lock, when no nnU-Net training of it started by hand
 * runs here (handRunTraining.ts; a CLI train stopped with SIGTERM released its lock); undefined
 * when that cannot be told or the lock cannot be read: then the log's age alone decides.
 */
export type FoldTrainedNow = (foldFolder: string) => Promise<boolean | undefined>

export const foldLockHeld: FoldTrainedNow = async (foldFolder) => {
  // No lock: the app trains it not; a training started by hand (nnUNetv2_train in a terminal)
  // takes none, so look for one by its command line.
  if (!existsSync(foldLockFile(foldFolder))) return handRunTraining(foldFolder)
  return foldHold(foldFolder).then(
    (hold) => !!hold,
    () => undefined,
  )
}

export async function readFold(modelDir: string, fold: number | 'all', version: NnunetVersion, trainer: string, labels: Labels, now = Date.now(), trainedNow: FoldTrainedNow = foldLockHeld): Promise<{ fold: FoldResult; cases: SummaryCases['cases'] }> {
  const folder = join(modelDir, `fold_${fold}`)
  const totalEpochs = epochsFromTrainerName(trainer) ?? DEFAULT_EPOCHS
  const files = await readdir(folder).catch(() => null)
  const empty = { dice: {}, mean: null, cases: 0, curves: [], epochsDone: 0, totalEpochs, folder }
  if (!files) return { fold: { fold, state: 'missing', ...empty }, cases: [] }
  const completion = foldCompletion(version, folder)
  const log = await newestLog(folder)
  const logText = log ? await readFile(log.file, 'utf8') : ''
  const curves = log ? parseTrainingLog(logText, { totalEpochs }) : []
  const epochsDone = curves.filter((e) => e.epochSeconds !== undefined).length
  // A fresh log means training, unless it ends with the wizard's trainer saying it stopped on request
  // (stop and keep, stop after an epoch): that fold is stopped with a checkpoint, nothing runs.
  // A fresh log alone is no proof: a CLI train killed 10 s after its start left a fresh log and
  // debug.json and was shown as "training 0/1000" (until the log aged). So a fold trains or
  // validates only while its lock has a live holder too; no holder -> stopped (or unvalidated).
  const fresh = !!log && now - log.mtimeMs < RUNNING_WITHIN_MS && !endedOnRequest(logText) && (await trainedNow(folder)) !== false
  // The final checkpoint without the validation summary: validating now (fresh log: nnU-Net logs each
  // case it predicts) or stopped during the validation; neither has scores, so neither is finished.
  const state: FoldState =
    completion === 'finished' ? 'finished'
    : completion === 'unvalidated' ? (fresh ? 'validating' : 'unvalidated')
    : fresh ? 'running'
    : log || files.length ? 'stopped'
    : 'missing'
  const summary = validationSummaryFile(folder, version)
  let scored: SummaryCases | null = null
  try {
    scored = summaryCases(await readJson(summary), labels, summary)
  } catch {
    // No validation yet (still training, fold "all", --disable_checkpointing) or cut short.
  }
  const fr: FoldResult = { ...empty, fold, state, curves, epochsDone, ...(scored && { summary, dice: scored.dice, mean: scored.mean, cases: scored.cases.length }) }
  return { fold: fr, cases: scored?.cases ?? [] }
}

/** find_best_configuration's own record (v2 results/DatasetX/inference_information.json). */
export async function readFindBest(file: string): Promise<FindBestInfo | undefined> {
  try {
    const j = (await readJson(file)) as { all_results?: Record<string, unknown>; best_model_or_ensemble?: { result_on_crossval_pre_pp?: unknown; result_on_crossval_post_pp?: unknown; selected_model_or_models?: { configuration: string; trainer: string; plans_identifier: string }[] } }
    const b = j.best_model_or_ensemble
    if (!b) return undefined
    const all = Object.fromEntries(Object.entries(j.all_results ?? {}).map(([k, v]) => [k, num(v)]))
    const pre = num(b.result_on_crossval_pre_pp)
    const members = (b.selected_model_or_models ?? []).map((m) => `${m.trainer}__${m.plans_identifier}__${m.configuration}`)
    // The best entry is the one all_results gives the winning Dice; with one member it is that model.
    const best = Object.keys(all).find((k) => all[k] === pre && (members.length > 1 ? k.startsWith('ensemble___') : k === members[0])) ?? members.join(' + ')
    return { file, best, dice: pre, diceAfterPostprocessing: num(b.result_on_crossval_post_pp), all }
  } catch {
    return undefined
  }
}

const PREDICTION = /\.(nii\.gz|nii|nrrd|mha|tif|png)$/i

/** A folder of test predictions and its evaluation (summary.json, written by nnU-Net's evaluator) against labelsTs. */
export async function readTestFolder(folder: string, labelsTs: string, labels: Labels): Promise<{ test: TestResults; cases: SummaryCases['cases'] } | null> {
  const names = await readdir(folder).catch(() => null)
  if (!names) return null
  const predictions = names.filter((n) => PREDICTION.test(n))
  const summary = join(folder, 'summary.json')
  const base: TestResults = { folder, reference: labelsTs, state: 'not-evaluated', dice: {}, mean: null, cases: 0, predictions: predictions.length }
  const summaryTime = await mtime(summary)
  if (summaryTime === null) return { test: base, cases: [] }
  let scored: SummaryCases
  try {
    scored = summaryCases(await readJson(summary), labels, summary)
  } catch {
    return { test: base, cases: [] }
  }
  let newest = 0
  for (const p of predictions) newest = Math.max(newest, (await mtime(join(folder, p))) ?? 0)
  return { test: { ...base, state: newest > summaryTime ? 'stale' : 'evaluated', summary, dice: scored.dice, mean: scored.mean, cases: scored.cases.length }, cases: scored.cases }
}

/** Case id -> the source's case key from the dataset's manifest.json (none when it leaves source names out, or there is none). */
async function sourceNames(datasetDir: string): Promise<Map<string, string>> {
  const read = await readManifest(datasetDir).catch(() => null)
  if (!read || !('manifest' in read)) return new Map()
  return new Map(Object.values(read.manifest.cases).flatMap((c) => (c.caseKey && c.caseKey !== c.caseId ? [[c.caseId, c.caseKey] as const] : [])))
}

const subfolders = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)).sort()

/**
 * The test prediction folders Results reads when none is named: every <model>/<input> folder under
 * the dataset's predictions root (where Predict writes by default, shared/predictionFolders.ts), and
 * the raw dataset's imagesTs_predicted that older versions predicted into, so those stay listed.
 * Folders that are not there are left out by readTestFolder.
 */
export async function defaultTestFolders(rawDir: string, predictionsRoot: string): Promise<string[]> {
  const underRoot: string[] = []
  for (const model of await subfolders(predictionsRoot)) underRoot.push(...(await subfolders(model)))
  return [join(rawDir, LEGACY_TEST_PREDICTIONS), ...underRoot]
}

/** raw/DatasetX (v2) or raw/nnUNet_raw_data/TaskX (v1). */
export function rawDatasetDir(settings: Settings, dataset: string): string {
  const f = settings.folders!
  return settings.nnunetVersion === 'v2' ? join(f.raw, dataset) : join(f.raw, 'nnUNet_raw_data', dataset)
}

export async function readDatasetResults(settings: Settings, req: ResultsRequest, now = Date.now()): Promise<DatasetResults> {
  if (!settings.folders) throw new Error('The nnU-Net folders are not set. Choose or create them in the Environment step (or pass --base / --raw --preprocessed --results).')
  const version = settings.nnunetVersion
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders (${settings.folders.raw}, ${settings.folders.results}). Check the dataset id and the folders.`)
  const labels = await datasetLabels(settings, dataset)
  const models: ModelResults[] = []
  const cases: CaseResult[] = []
  // Every model folder of the dataset, even one whose folds have no checkpoint yet (a training that just started).
  // The dataset's folds (its splits_final.json, else 5): a 4-fold split has no fold 4 to call missing.
  const foldCount = await datasetFoldCount(join(settings.folders.preprocessed, dataset))
  const all = (await trainedModelFolders(settings, dataset)).filter((m) => !req.configurations || req.configurations.includes(m.configuration as never))
  for (const m of all) {
    const model = version === 'v2' ? basename(m.folder) : `${m.trainer}__${m.plans}__${m.configuration}`
    const present = (await readdir(m.folder).catch(() => [] as string[])).flatMap((n) => {
      const f = /^fold_(\d+|all)$/.exec(n)
      return f ? [f[1] === 'all' ? ('all' as const) : Number(f[1])] : []
    })
    // The dataset's cross-validation folds are always listed (missing ones say so), plus any other fold present.
    const folds = [...new Set([...Array.from({ length: foldCount }, (_, i) => i), ...present])].sort((a, b) => (a === 'all' ? 99 : a) - (b === 'all' ? 99 : b))
    const foldResults: FoldResult[] = []
    for (const f of folds) {
      const { fold, cases: fc } = await readFold(m.folder, f, version, m.trainer, labels, now)
      foldResults.push(fold)
      if (typeof f === 'number') for (const c of fc) cases.push({ ...c, fold: f, model, configuration: m.configuration })
    }
    const scored = foldResults.filter((f) => f.summary && f.fold !== 'all')
    const names = labels.length ? labels.map((l) => l.name) : [...new Set(scored.flatMap((f) => Object.keys(f.dice)))]
    models.push({
      model,
      configuration: m.configuration,
      trainer: m.trainer,
      plans: m.plans,
      folder: m.folder,
      folds: foldResults,
      dice: Object.fromEntries(names.map((n) => [n, spread(scored.map((f) => f.dice[n] ?? null))])),
      mean: spread(scored.map((f) => f.mean)),
    })
  }
  const raw = rawDatasetDir(settings, dataset)
  const labelsTs = join(raw, 'labelsTs')
  const hasLabelsTs = (await stat(labelsTs).then((s) => s.isDirectory(), () => false)) as boolean
  const test: TestResults[] = []
  const predictionsRoot = datasetPredictionsRoot(settings.folders.results, dataset)
  const folders = req.testPredictions ?? (await defaultTestFolders(raw, predictionsRoot))
  for (const folder of [...new Set(folders)]) {
    const t = await readTestFolder(folder, labelsTs, labels)
    if (!t) continue
    test.push(t.test)
    for (const c of t.cases) cases.push({ ...c, fold: 'test', model: predictionFolderLabel(folder, predictionsRoot) })
  }
  const findBest = version === 'v2' ? await readFindBest(join(settings.folders.results, dataset, 'inference_information.json')) : undefined
  // Beside each case id the source it came from (case03 for liver_003), which only the manifest knows.
  const names = await sourceNames(raw)
  for (const c of cases) {
    const source = names.get(c.case)
    if (source) c.source = source
  }
  return { datasetId: req.datasetId, dataset, version, labels: [...labels], models, cases, test, ...(hasLabelsTs && { labelsTs }), ...(findBest && { findBest }) }
}

/** Model folders of one dataset, with or without checkpoints yet. */
async function trainedModelFolders(settings: Settings, dataset: string): Promise<{ configuration: string; trainer: string; plans: string; folder: string }[]> {
  const f = settings.folders!
  const dirs = async (p: string) => (await readdir(p, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name)
  const out: { configuration: string; trainer: string; plans: string; folder: string }[] = []
  if (settings.nnunetVersion === 'v2') {
    for (const model of await dirs(join(f.results, dataset))) {
      const parts = model.split('__')
      if (parts.length === 3) out.push({ trainer: parts[0]!, plans: parts[1]!, configuration: parts[2]!, folder: join(f.results, dataset, model) })
    }
  } else {
    for (const configuration of await dirs(join(f.results, 'nnUNet'))) {
      for (const model of await dirs(join(f.results, 'nnUNet', configuration, dataset))) {
        const parts = model.split('__')
        if (parts.length === 2) out.push({ trainer: parts[0]!, plans: parts[1]!, configuration, folder: join(f.results, 'nnUNet', configuration, dataset, model) })
      }
    }
  }
  return out.sort((a, b) => a.configuration.localeCompare(b.configuration) || a.trainer.localeCompare(b.trainer) || a.plans.localeCompare(b.plans))
}
