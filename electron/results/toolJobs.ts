// The results jobs, each one nnU-Net tool: scoring test predictions against labelsTs with
// nnU-Net's evaluator, exporting a trained model to a zip and installing one from a zip with
// nnU-Net's own model-sharing commands. They are light (no GPU, seconds to minutes) and read or
// add files nnU-Net owns, so they run as plain jobs beside the run queue, not in it.
import { existsSync } from 'node:fs'
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, delimiter, dirname, join } from 'node:path'
import { defaultPlans, defaultTrainer } from '../../shared/nnunetArgs'
import type { Configuration, EvaluateTestRequest, ExportModelRequest, ImportModelRequest, PredictRequest, Settings } from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import { folderEnv, trainedModels } from '../nnunet/folders'
import { childEnv, datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { resolvePython } from '../nnunet/python'
import { runTool } from '../nnunet/runner'
import { leadsInside } from '../files/pathInside'
import { trainerDir, trainerDirV1, writeGeneratedTrainer } from '../nnunet/trainers'
import { rawDatasetDir, readTestFolder } from './crossValidation'
import { trainedModelFor } from './modelChoice'
import { carryIntoZip, generatedTrainerOf, type ZipModel } from './modelZip'
import { evaluateArgs, exportModelArgs, importModelArgs } from './tools'

export { generatedTrainerOf }

const ending = (n: string) => /\.(nii\.gz|nii|nrrd|mha|tif|png)$/i.exec(n)?.[0]

export interface EvaluateResult {
  summary: string
  cases: number
  /** labelsTs cases without a prediction (not scored). */
  unscored: string[]
}

/**
 * Scores a folder of predictions of the dataset's test cases against its labelsTs with nnU-Net's
 * evaluator, which writes predictions/summary.json. A prediction with no reference is refused
 * before nnU-Net starts (its evaluator would stop on the missing file); reference cases that were
 * not predicted are left out and named.
 */
export async function runEvaluateTest(req: EvaluateTestRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<EvaluateResult> {
  const version = settings.nnunetVersion
  folderEnv(settings)
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: check the dataset id and the folders.`)
  const labelsTs = join(rawDatasetDir(settings, dataset), 'labelsTs')
  const refs = await readdir(labelsTs).catch(() => null)
  if (!refs) throw new Error(`${labelsTs} does not exist: the test cases' labels are needed to score their predictions. Write the dataset again with a test split and test labels on (the default; nnunet-wizard prepare without --no-test-labels).`)
  const preds = (await readdir(req.predictions).catch(() => null))?.filter((n) => ending(n))
  if (!preds) throw new Error(`The prediction folder ${req.predictions} does not exist.`)
  if (!preds.length) throw new Error(`${req.predictions} holds no segmentations to score: predict the test images (imagesTs) into it first.`)
  const refSet = new Set(refs.filter((n) => ending(n)))
  const orphans = preds.filter((p) => !refSet.has(p))
  if (orphans.length) {
    throw new Error(`${orphans.length} prediction${orphans.length === 1 ? ' has' : 's have'} no label in ${labelsTs} (${orphans.slice(0, 3).join(', ')}${orphans.length > 3 ? ', ...' : ''}): only predictions of the dataset's test cases (imagesTs) can be scored. Predict imagesTs into a folder of its own.`)
  }
  const unscored = [...refSet].filter((r) => !preds.includes(r)).sort()
  if (unscored.length && version === 'v1') {
    throw new Error(`nnU-Net v1's evaluator needs a prediction of every test case; ${unscored.length} ${unscored.length === 1 ? 'is' : 'are'} missing in ${req.predictions} (${unscored.slice(0, 3).join(', ')}). Predict all of imagesTs.`)
  }
  if (unscored.length) ctx.log(`Not predicted, so not scored: ${unscored.join(', ')}.`, 'info')
  // nnU-Net v2 copies the model's dataset.json and plans into the prediction folder; else the dataset's own.
  const pre = join(settings.folders!.preprocessed, dataset)
  const pick = (...files: string[]) => files.find((f) => existsSync(f)) ?? files[files.length - 1]!
  const summary = join(req.predictions, 'summary.json')
  const labels = await datasetLabels(settings, dataset)
  const command = evaluateArgs(
    version,
    {
      reference: labelsTs,
      predictions: req.predictions,
      datasetJson: pick(join(req.predictions, 'dataset.json'), join(pre, 'dataset.json')),
      plans: pick(join(req.predictions, 'plans.json'), join(pre, `${defaultPlans(version)}.json`)),
      labels: labels.map((l) => l.value),
      processes: Math.max(1, Math.min(settings.augmentationWorkers ?? 2, 8)),
      partial: unscored.length > 0,
    },
    summary,
  )
  ctx.progress({ done: 0, total: 1, unit: 'step', message: `scoring ${preds.length} test prediction${preds.length === 1 ? '' : 's'}` })
  await runTool(ctx, { python: resolvePython(settings), env: childEnv(settings, dataDir), command })
  const read = await readTestFolder(req.predictions, labelsTs, labels)
  if (!read?.test.summary) throw new Error(`nnU-Net's evaluator ended without writing ${summary}; see the log.`)
  ctx.progress({ done: 1, total: 1, unit: 'step', message: 'scored' })
  return { summary, cases: read.test.cases, unscored }
}

/**
 * After a prediction: when its input is the dataset's own imagesTs and labelsTs holds a label for
 * every prediction, score it with nnU-Net's evaluator (predictions/summary.json). A failure here
 * is logged, never turned into a failed prediction: the segmentations are written either way.
 */
export async function scoreTestPrediction(req: PredictRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<{ summary: string; cases: number } | undefined> {
  if (!settings.folders) return undefined
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) return undefined
  const raw = rawDatasetDir(settings, dataset)
  const same = async (a: string, b: string) => (await realpath(a).catch(() => a)) === (await realpath(b).catch(() => b))
  if (!(await same(req.input, join(raw, 'imagesTs'))) || !existsSync(join(raw, 'labelsTs'))) return undefined
  ctx.log(`These are the dataset's test cases and labelsTs holds their labels: scoring them with nnU-Net's evaluator.`, 'info')
  try {
    const r = await runEvaluateTest({ datasetId: req.datasetId, predictions: req.output }, settings, ctx, dataDir)
    ctx.log(`Test Dice written to ${r.summary} (${r.cases} cases); the Results step shows them.`, 'info')
    return { summary: r.summary, cases: r.cases }
  } catch (err) {
    ctx.log(`The test cases could not be scored: ${(err as Error).message} (the predictions are written; score them from the Results step).`, 'info')
    return undefined
  }
}

export interface ExportResult {
  zip: string
  bytes: number
  folds: (number | 'all')[]
  configurations: string[]
  /** Trainer classes nnU-Net does not ship whose code the zip carries (with the README's commands). */
  trainers: string[]
  /** The README inside the zip: how plain nnU-Net installs and predicts with it. */
  readme: string
  /** What plain nnU-Net will lack (a trainer whose code was not found). */
  warnings: string[]
}

/** Exports a trained model (its finished folds by default) to a zip with nnU-Net's own exporter. */
export async function runExportModel(req: ExportModelRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<ExportResult> {
  const version = settings.nnunetVersion
  folderEnv(settings)
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: check the dataset id and the folders.`)
  if (!/\.zip$/i.test(req.output)) throw new Error(`The model file ${req.output} must end in .zip (nnU-Net's installer takes a zip).`)
  if (existsSync(req.output)) throw new Error(`${req.output} already exists; choose a new file name (nothing is overwritten).`)
  if (await leadsInside(req.output, settings.folders!.results)) throw new Error(`Write the zip outside the nnU-Net results folder (${settings.folders!.results}).`)
  // No trainer named: the model actually trained (a generated trainer, other plans), else nnU-Net's defaults.
  const all = await trainedModels(settings)
  const trained = req.configurations.map((c) => trainedModelFor(all, { datasetId: req.datasetId, configuration: c, trainer: req.trainer, plans: req.plans, folds: req.folds })).filter((x) => x !== undefined)
  const plansFound = [...new Set(trained.map((t) => t.plans))]
  if (plansFound.length > 1) throw new Error(`The configurations asked for were trained with different plans (${plansFound.join(', ')}): nnU-Net exports one plans identifier per zip; export them one at a time.`)
  const plans = req.plans ?? plansFound[0] ?? defaultPlans(version)
  const models = all.filter((m) => m.datasetId === req.datasetId && m.plans === plans)
  const trainerOf = (c: Configuration) => req.trainer ?? trainedModelFor(all, { datasetId: req.datasetId, configuration: c, plans, folds: req.folds })?.trainer ?? defaultTrainer(version, c)
  const chosen = req.configurations.map((c) => ({ c, m: models.find((m) => m.configuration === c && m.trainer === trainerOf(c)) }))
  const absent = chosen.filter((x) => !x.m)
  if (absent.length) {
    const have = models.map((m) => `${m.configuration} (${m.trainer})`).join(', ') || 'none'
    throw new Error(`There is no trained ${absent.map((x) => `${x.c} with ${trainerOf(x.c)}`).join(', ')} of dataset ${req.datasetId} to export. Trained models: ${have}.`)
  }
  // nnU-Net's exporter needs every named fold of every configuration, with its final checkpoint.
  const finished = chosen.map((x) => x.m!.finished)
  const common = finished.reduce((a, b) => a.filter((f) => b.includes(f)))
  const folds = req.folds ?? common.map((f) => (f === 'all' ? ('all' as const) : Number(f)))
  const unfinished = folds.filter((f) => !common.includes(String(f)))
  if (!folds.length || unfinished.length) {
    throw new Error(`${unfinished.length ? `Fold ${unfinished.join(', ')} has not finished training` : 'No fold has finished training'} in every configuration asked for (finished in all: ${common.join(', ') || 'none'}). Export finished folds only.`)
  }
  if (version === 'v2' && new Set(req.configurations.map(trainerOf)).size > 1) {
    throw new Error(`nnU-Net exports one trainer per zip; these configurations were trained with ${[...new Set(req.configurations.map(trainerOf))].join(', ')}: export them one at a time.`)
  }
  if (version === 'v1' && new Set(req.configurations.map(trainerOf)).size > 1 && !req.configurations.includes('3d_cascade_fullres')) {
    throw new Error('nnU-Net v1 exports one trainer for 2d/3d_lowres/3d_fullres: export the configurations of different trainers one at a time.')
  }
  await mkdir(dirname(req.output), { recursive: true })
  const trainer = trainerOf(req.configurations.find((c) => c !== '3d_cascade_fullres') ?? req.configurations[0]!)
  ctx.progress({ done: 0, total: 1, unit: 'step', message: `exporting ${req.configurations.join(', ')} folds ${folds.join(', ')}` })
  // nnU-Net writes a temporary zip beside the target; the trainer code and README are added to it,
  // and only a complete zip takes the name asked for.
  const partial = join(dirname(req.output), `.${basename(req.output)}.${process.pid}.partial.zip`)
  const env = childEnv(settings, dataDir)
  const python = resolvePython(settings)
  try {
    await runTool(ctx, { python, env, command: exportModelArgs(version, { datasetId: req.datasetId, output: partial, configurations: req.configurations, trainer, plans, folds }) })
    if (!(await stat(partial).then((s) => s.size, () => 0))) throw new Error(`nnU-Net's exporter ended without writing ${req.output}; see the log.`)
    const zipModels: ZipModel[] = chosen.map(({ c, m }) => ({
      dataset,
      datasetId: req.datasetId,
      configuration: c,
      trainer: m!.trainer,
      plans,
      arcFolder: version === 'v2' ? `${dataset}/${m!.trainer}__${plans}__${c}/` : `nnUNet/${c}/${dataset}/${m!.trainer}__${plans}/`,
    }))
    const dirs = version === 'v2' ? (env.nnUNet_extTrainer ?? '').split(delimiter).filter(Boolean) : [trainerDirV1(dataDir)]
    const carry = await carryIntoZip(partial, zipModels, { python, version, env, dirs, zipName: basename(req.output), folds })
    if (existsSync(req.output)) throw new Error(`${req.output} appeared while exporting; choose a new file name (nothing is overwritten).`)
    await rename(partial, req.output)
    if (carry.carried.length) ctx.log(`The zip carries the code of ${carry.carried.join(', ')} (not shipped with nnU-Net) and ${carry.readme} with the commands plain nnU-Net needs to install it and predict.`, 'info')
    else ctx.log(`The zip holds ${carry.readme} with the commands plain nnU-Net needs to install it and predict.`, 'info')
    for (const w of carry.warnings) {
      ctx.guidance(w)
      ctx.log(`warning: ${w.text}`, 'info')
    }
    const bytes = await stat(req.output).then((s) => s.size, () => 0)
    ctx.progress({ done: 1, total: 1, unit: 'step', message: `wrote ${basename(req.output)}` })
    return { zip: req.output, bytes, folds, configurations: req.configurations, trainers: carry.carried, readme: carry.readme, warnings: carry.warnings.map((w) => w.text) }
  } finally {
    await rm(partial, { force: true })
  }
}

export interface ImportResult {
  zip: string
  results: string
  /** Models in the results folder after the install that were not there before (or were replaced). */
  installed: string[]
  /** Generated trainer classes written again so nnU-Net finds them when predicting with the model. */
  trainers: string[]
}

/** Installs a model zip into the results folder with nnU-Net's own installer (it overwrites a model of the same name, as nnU-Net documents). */
export async function runImportModel(req: ImportModelRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<ImportResult> {
  folderEnv(settings)
  const info = await stat(req.zip).catch(() => null)
  if (!info?.isFile()) throw new Error(`The model file ${req.zip} does not exist.`)
  const results = settings.folders!.results
  await mkdir(results, { recursive: true })
  const before = new Map((await trainedModels(settings)).map((m) => [m.folder, m.modifiedAt ?? 0]))
  ctx.progress({ done: 0, total: 1, unit: 'step', message: `installing ${basename(req.zip)}` })
  await runTool(ctx, { python: resolvePython(settings), env: childEnv(settings, dataDir), command: importModelArgs(settings.nnunetVersion, req.zip) })
  const after = await trainedModels(settings)
  const fresh = after.filter((m) => !before.has(m.folder) || (m.modifiedAt ?? 0) !== before.get(m.folder))
  // The zip holds weights and plans, not the trainer class; nnU-Net v2 looks the class up by name
  // when it predicts. This app's generated trainers are written again from their name (the same
  // source), so a model trained with `train --epochs N` works on the computer it is installed on.
  const trainers: string[] = []
  for (const m of fresh) {
    const spec = settings.nnunetVersion === 'v2' ? generatedTrainerOf(m.trainer) : null
    if (!spec || trainers.includes(m.trainer)) continue
    const name = await writeGeneratedTrainer(trainerDir(dataDir), spec)
    if (name === m.trainer) trainers.push(name)
    else ctx.log(`The model's trainer ${m.trainer} could not be generated again (got ${name}); predicting with it needs that trainer class on nnUNet_extTrainer.`, 'info')
  }
  for (const m of fresh) {
    if (!trainers.includes(m.trainer) && /_Wizard_/.test(m.trainer)) ctx.log(`The model's trainer ${m.trainer} is not one nnU-Net ships: predicting with it needs that trainer class (nnUNet_extTrainer).`, 'info')
  }
  ctx.progress({ done: 1, total: 1, unit: 'step', message: 'installed' })
  return { zip: req.zip, results, installed: fresh.map((m) => m.folder), trainers }
}
