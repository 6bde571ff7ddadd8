// The pipeline steps as job bodies: convert + plan/preprocess, train, predict, find the best
// configuration. Each builds its argv with shared/nnunetArgs.ts and runs it with runTool. They run
// one at a time because the service runs them from its one run queue (queue.ts), never directly.
import { mkdir, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { leadsInside } from '../files/pathInside'
import type { Finding, PlansSummary, TrainedModel, ValidationSummary } from '../../shared/api'
import { readDatasetLabels, readPlansSummary, readValidationSummary } from './summaries'
import {
  convertMsdArgs,
  defaultPlans,
  defaultTrainer,
  findBestArgs,
  planArgs,
  predictArgs,
  trainArgs,
  type FindBestRequest,
} from '../../shared/nnunetArgs'
import type { NnunetVersion, PlanRequest, PredictRequest, Settings, TrainRequest } from '../../shared/schema'
import { epochsFromTrainerName } from '../../shared/trainingLog'
import type { JobContext } from '../jobs/jobManager'
import { recordPlanInputs } from './planInputs'
import { dataDir as appDataDir } from '../paths'
import { folderEnv, optionEnv, trainedModels } from './folders'
import { resolvePython } from './python'
import { revalidateCommand } from './guidance'
import { runTool } from './runner'
import { createdTrainerEpochs, trainerDir, trainerDirFor, usedTrainerDirs, writeGeneratedTrainer } from './trainers'
import { ensureV1Trainer } from './trainerInstall'
import { missingTrainingOutputs } from './trainerOutputs'
import { HOW } from './howTo'
import { rememberPlans } from './plansChoice'
import { prepareTrainLonger } from './trainLonger'
import { gpuEnv } from './gpus'
import { plannedIdentifier } from '../../shared/plans'

/** nnU-Net's own default length: 1000 epochs (v2 nnUNetTrainer, v1 nnUNetTrainerV2). */
const DEFAULT_EPOCHS = 1000

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

async function ensureFolders(settings: Settings): Promise<void> {
  const f = settings.folders!
  const dirs = [f.raw, f.preprocessed, f.results]
  if (settings.nnunetVersion === 'v1') dirs.push(join(f.raw, 'nnUNet_raw_data'), join(f.raw, 'nnUNet_cropped_data'))
  for (const d of dirs) await mkdir(d, { recursive: true })
}

function stepProgress(ctx: JobContext, done: number, total: number, message: string): void {
  ctx.progress({ done, total, unit: 'step', message })
}

// ---------------------------------------------------------------- plan and preprocess

export interface PlanResult {
  datasetId: number
  dataset?: string
  preprocessed?: string
  /** What nnU-Net planned (v2 only: v1's plans are a Python pickle). */
  plans?: PlansSummary
}

export async function runPlan(req: PlanRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir()): Promise<PlanResult> {
  const version = settings.nnunetVersion
  const python = resolvePython(settings)
  const env = childEnv(settings, dataDir)
  await ensureFolders(settings)
  const steps = req.convertFromMsd ? 2 : 1
  if (req.convertFromMsd) {
    stepProgress(ctx, 0, steps, 'converting the Decathlon (MSD) task')
    await runTool(ctx, { python, env, command: convertMsdArgs(version, req.convertFromMsd, { outputId: req.datasetId, processes: req.processes }) })
  }
  stepProgress(ctx, steps - 1, steps, 'planning and preprocessing')
  // nnU-Net's own phases (fingerprint, planning, preprocessing per configuration) come from the runner.
  await runTool(ctx, { python, env, command: planArgs(version, req) })
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) return { datasetId: req.datasetId }
  // What this plan read: Train refuses the preprocessed data once the dataset changes (planInputs.ts).
  await recordPlanInputs(settings, dataset)
  const preprocessed = join(settings.folders!.preprocessed, dataset)
  const identifier = version === 'v2' ? plannedIdentifier(req) : defaultPlans(version)
  const plans = version === 'v2' ? await readPlansSummary(join(preprocessed, `${identifier}.json`)) : undefined
  // Later runs of this dataset use these plans without being told (plansChoice.ts).
  if (plans) await rememberPlans(dataDir, settings, req.datasetId, identifier)
  return { datasetId: req.datasetId, dataset, preprocessed, ...(plans && { plans }) }
}

// ---------------------------------------------------------------- train

/** The trainer class a request runs with and the epochs that implies. */
export async function resolveTrainer(req: TrainRequest, version: NnunetVersion, dataDir: string): Promise<{ trainer: string; totalEpochs: number }> {
  const base = req.trainer ?? defaultTrainer(version, req.configuration)
  if (req.epochs === undefined && req.iterationsPerEpoch === undefined) {
    return { trainer: base, totalEpochs: epochsFromTrainerName(base) ?? createdTrainerEpochs(dataDir, version, base) ?? DEFAULT_EPOCHS }
  }
  const epochs = req.epochs ?? epochsFromTrainerName(base) ?? DEFAULT_EPOCHS
  // v1 too gets a generated subclass that saves checkpoints and validates (nnU-Net's own
  // nnUNetTrainerV2_2epochs/_5epochs are benchmarking trainers that save nothing). Its module is
  // installed into nnU-Net's package by runTrain (trainerInstall.ts).
  const trainer = await writeGeneratedTrainer(trainerDirFor(version, dataDir), { version, base, epochs, iterationsPerEpoch: req.iterationsPerEpoch, ...(version === 'v2' && { features: { stopOnSignal: true } }) })
  return { trainer, totalEpochs: epochs }
}

export interface TrainResult {
  trainer: string
  outputFolder?: string
  epochs: number
  checkpoints: string[]
  /** The final validation's Dice per named label (absent for fold "all", which has no validation). */
  validation?: ValidationSummary
  /** Stopped after an epoch on request ("stop after this epoch"); continue with --continue. */
  stoppedAfterEpoch?: boolean
}

/**
 * The plans file a training reads (v2 preprocessed/DatasetX/PLANS.json, v1 preprocessed/TaskX/
 * PLANS_plans_2D.pkl or _3D.pkl). Without it nnU-Net stops with a missing-file trace; the rule
 * "plan and preprocess first" is said here, for the wizard and the CLI alike.
 */
export function plansFile(settings: Settings, dataset: string, plans: string, configuration: TrainRequest['configuration']): string {
  const dir = join(settings.folders!.preprocessed, dataset)
  if (settings.nnunetVersion === 'v2') return join(dir, `${plans}.json`)
  return join(dir, `${plans}_plans_${configuration === '2d' ? '2D' : '3D'}.pkl`)
}

/**
 * Why this training cannot start yet because its dataset has not been planned (the plans file is
 * missing, or the dataset is nowhere in the nnU-Net folders), or undefined. nnU-Net itself would
 * only stop with a FileNotFoundError traceback.
 */
export async function planFirstReason(req: TrainRequest, settings: Settings): Promise<string | undefined> {
  if (!settings.folders) return undefined // folderEnv says that, in its own words
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) {
    return `Dataset ${req.datasetId} is not in the nnU-Net folders (${settings.folders.raw}): write it there, then plan first (nnunet-wizard plan -d ${req.datasetId}), then train.`
  }
  const file = plansFile(settings, dataset, req.plans ?? defaultPlans(settings.nnunetVersion), req.configuration)
  if (!existsSync(file)) {
    return `Dataset ${req.datasetId} (${dataset}) has not been planned and preprocessed for ${req.configuration} yet: ${file} does not exist. Plan first (Plan step, or nnunet-wizard plan -d ${req.datasetId}), then train.`
  }
  if (settings.nnunetVersion !== 'v2') return undefined
  // Planning writes every configuration nnU-Net chose into the plans; preprocessing only the ones asked for.
  const plans = await readPlansSummary(file)
  const config = plans?.configurations.find((c) => c.name === req.configuration)
  if (plans && !config) {
    return `The plans of dataset ${req.datasetId} (${file}) have no ${req.configuration}: nnU-Net planned ${plans.configurations.map((c) => c.name).join(', ')} for these images. Choose one of them.`
  }
  if (config && config.preprocessed === false) {
    return `Dataset ${req.datasetId} (${dataset}) has not been preprocessed for ${req.configuration}: plan first with ${req.configuration} ticked (nnunet-wizard plan -d ${req.datasetId} -c ${req.configuration === '3d_cascade_fullres' ? '3d_fullres' : req.configuration}), then train.`
  }
  return undefined
}

export async function runTrain(req: TrainRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir()): Promise<TrainResult> {
  const version = settings.nnunetVersion
  const plans = req.plans ?? defaultPlans(version)
  // Checked again at its turn: a queued training may wait behind the plan it needs.
  const notPlanned = await planFirstReason(req, settings)
  if (notPlanned) throw new Error(notPlanned)
  const dataset = await datasetFolderName(settings, req.datasetId)
  const python = resolvePython(settings)
  const env = childEnv(settings, dataDir)
  const { trainer, totalEpochs } = await resolveTrainer(req, version, dataDir)
  if (req.configuration === '3d_cascade_fullres' && dataset) {
    // The cascade's full-resolution stage learns from the low-resolution stage's predictions.
    const lowresTrainer = version === 'v2' ? trainer : 'nnUNetTrainerV2'
    const lowres = trainingOutputFolder(settings, dataset, lowresTrainer, plans, '3d_lowres', req.fold)
    if (!existsSync(lowres)) {
      throw new Error(`The 3d_cascade_fullres configuration needs the 3d_lowres model of fold ${req.fold} first (expected ${lowres}). Train 3d_lowres for this fold, then start the cascade.`)
    }
  }
  if (version === 'v1') {
    // v1 imports trainers only from its own package: put the wizard's module there (trainerInstall.ts).
    const installed = await ensureV1Trainer(python, trainer, dataDir)
    if (installed) ctx.log(`Trainer ${trainer}: ${installed} (where nnU-Net v1 finds trainers)`, 'info')
  }
  // The GPUs this run may use: nnU-Net's documented way to run one fold per GPU.
  Object.assign(env, gpuEnv(req))
  // Train longer: the finished fold's checkpoint goes into the new trainer's folder, run with --c (trainLonger.ts).
  const runReq = dataset && req.longerFrom ? await prepareTrainLonger(req, settings, (t, p) => trainingOutputFolder(settings, dataset, t, p, req.configuration, req.fold), trainer, ctx) : req
  ctx.progress({ done: 0, total: totalEpochs, unit: 'epoch', message: 'starting nnU-Net' })
  const command = trainArgs(version, runReq, { trainer, device: version === 'v2' ? settings.device : undefined })
  // The wizard's generated v2 trainers stop after an epoch on request (trainers.ts stopOnSignal).
  const stoppable = version === 'v2' && trainer !== (req.trainer ?? defaultTrainer(version, req.configuration))
  const run = await runTool(ctx, { python, env, command, training: { totalEpochs }, stoppable })
  const outputFolder = dataset ? trainingOutputFolder(settings, dataset, trainer, plans, req.configuration, req.fold) : undefined
  if (run.stoppedAfterEpoch) {
    ctx.log('Stopped after the epoch as asked: checkpoint_latest.pth is saved. Start the same training with "Continue from the last checkpoint" (--continue) to go on at the next epoch.', 'info')
    return { trainer, ...(outputFolder ? { outputFolder } : {}), epochs: run.epochs, checkpoints: outputFolder ? (await readdir(outputFolder).catch(() => [] as string[])).filter((n) => /\.(pth|model)$/.test(n)).sort() : [], stoppedAfterEpoch: true }
  }
  // Exit code 0 is not enough: a trainer may save no checkpoint or skip the validation.
  const missing = outputFolder ? missingTrainingOutputs(version, outputFolder, trainer) : undefined
  if (missing) throw new Error(missing)
  const checkpoints = outputFolder ? (await readdir(outputFolder).catch(() => [] as string[])).filter((n) => /\.(pth|model)$/.test(n)).sort() : []
  const validation = outputFolder && dataset ? await readValidationSummary(outputFolder, version, await datasetLabels(settings, dataset)) : undefined
  return { trainer, ...(outputFolder ? { outputFolder } : {}), epochs: run.epochs, checkpoints, ...(validation && { validation }) }
}

/** The dataset's label names (its dataset.json in preprocessed, where nnU-Net copies it, else raw). */
export async function datasetLabels(settings: Settings, dataset: string): Promise<{ name: string; value: number }[]> {
  const f = settings.folders!
  const raw = settings.nnunetVersion === 'v2' ? join(f.raw, dataset) : join(f.raw, 'nnUNet_raw_data', dataset)
  return (await readDatasetLabels(join(f.preprocessed, dataset, 'dataset.json'))) ?? (await readDatasetLabels(join(raw, 'dataset.json'))) ?? []
}

// ---------------------------------------------------------------- predict

export async function runPredict(req: PredictRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir()): Promise<{ output: string; files: string[] }> {
  const version = settings.nnunetVersion
  const python = resolvePython(settings)
  const env = childEnv(settings, dataDir)
  if (!existsSync(req.input)) throw new Error(`The input folder ${req.input} does not exist.`)
  // Through symbolic links too: a linked output folder must not lead into the scans.
  if (await leadsInside(req.output, req.input)) {
    throw new Error(`The output folder ${req.output} is inside the input folder ${req.input}; the input folder is never written to, and nnU-Net would take the segmentations for new scans next time. Choose a separate output folder.`)
  }
  const trainer = req.trainer ?? defaultTrainer(version, req.configuration)
  await checkTrainedModel(settings, req, trainer)
  if (version === 'v1') await ensureV1Trainer(python, trainer, dataDir)
  await mkdir(req.output, { recursive: true })
  const command = predictArgs(version, req, { trainer, device: version === 'v2' ? settings.device : undefined, processes: settings.augmentationWorkers ? Math.max(1, Math.min(settings.augmentationWorkers, 4)) : undefined })
  // Progress per case (and per sliding window) comes from the runner, parsed from nnU-Net's own output.
  await runTool(ctx, { python, env, command })
  const files = (await readdir(req.output)).filter((n) => /\.(nii\.gz|nii|nrrd|mha|tif|png)$/.test(n)).sort()
  // The dataset's own test cases are scored by the caller (service/predictAndScore.ts): nnunet/ does not import results/.
  return { output: req.output, files }
}

/** "Trained models of dataset 7: 2d with T (nnUNetPlans): folds 0, finished 0.", or undefined when there is none. */
export function modelList(models: readonly TrainedModel[], datasetId: number): string | undefined {
  const mine = models.filter((m) => m.datasetId === datasetId)
  if (!mine.length) return undefined
  const text = mine.map((m) => `${m.configuration} with ${m.trainer} (${m.plans}): folds ${m.folds.join(', ')}${m.finished.length ? `, finished ${m.finished.join(', ')}` : ', none finished'}`)
  return `Trained models of dataset ${datasetId}: ${text.join('; ')}.`
}

/** The folds to predict with must be trained, with the checkpoint asked for; say which is missing and what exists. */
export async function checkTrainedModel(settings: Settings, req: PredictRequest, trainer = req.trainer ?? defaultTrainer(settings.nnunetVersion, req.configuration)): Promise<void> {
  if (!settings.folders) return
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders (${settings.folders.raw}, ${settings.folders.preprocessed}, ${settings.folders.results}). Check the dataset id, or ${HOW.folders}.`)
  // v2 takes the file name; v1's -chk takes it without '.model'.
  const checkpoint = settings.nnunetVersion === 'v2' ? (req.checkpoint ?? 'checkpoint_final.pth') : `${(req.checkpoint ?? 'model_final_checkpoint').replace(/\.model$/, '')}.model`
  for (const fold of req.folds) {
    const folder = trainingOutputFolder(settings, dataset, trainer, req.plans ?? defaultPlans(settings.nnunetVersion), req.configuration, fold)
    if (!existsSync(join(folder, checkpoint))) {
      const models = modelList(await trainedModels(settings), req.datasetId)
      const missing = `There is no trained model to predict with: ${join(folder, checkpoint)} does not exist.`
      const train = `${req.configuration} fold ${fold} first (until it finishes)`
      throw new Error(
        models
          ? `${missing} ${models} Choose one of them (trainer, configuration, folds, checkpoint), or train ${train}.`
          : `${missing} The results folder has no trained model of dataset ${req.datasetId} yet: Train ${train}.`,
      )
    }
  }
}

// ---------------------------------------------------------------- find best configuration

/**
 * Validation folds that lack the softmax files (.npz) an ensemble needs. nnU-Net would stop on
 * them only after evaluating everything else; checking first saves that wait.
 */
export async function foldsWithoutNpz(settings: Settings, req: FindBestRequest): Promise<string[]> {
  return (await missingNpz(settings, req)).map((m) => m.validation)
}

interface MissingNpz {
  validation: string
  configuration: FindBestRequest['configurations'][number]
  trainer: string
  fold: number
}

async function missingNpz(settings: Settings, req: FindBestRequest): Promise<MissingNpz[]> {
  if (!settings.folders) return []
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) return []
  const version = settings.nnunetVersion
  const missing: MissingNpz[] = []
  for (const configuration of req.configurations) {
    const trainer = req.trainer ?? defaultTrainer(version, configuration)
    for (const fold of req.folds ?? [0, 1, 2, 3, 4]) {
      const folder = trainingOutputFolder(settings, dataset, trainer, req.plans ?? defaultPlans(version), configuration, fold)
      const validation = join(folder, version === 'v2' ? 'validation' : 'validation_raw')
      const files = await readdir(validation).catch(() => null)
      // A fold that was never trained is nnU-Net's own error to report; only trained folds are checked.
      if (files && !files.some((f) => f.endsWith('.npz'))) missing.push({ validation, configuration, trainer, fold })
    }
  }
  return missing
}

/**
 * Comparing several configurations ensembles them, which needs each trained fold's validation
 * softmax (.npz). One finding per fold without them, each with the command (of the settings'
 * nnU-Net version) that re-runs that fold's validation with --npz. Empty when nothing is missing.
 */
export async function npzFindings(settings: Settings, req: FindBestRequest): Promise<Finding[]> {
  // One configuration is evaluated, not ensembled: no softmax needed.
  const missing = req.configurations.length < 2 ? [] : await missingNpz(settings, req)
  return missing.map((m) => ({
    severity: 'error' as const,
    code: 'find-best-needs-npz',
    file: m.validation,
    text: `This validation folder (${m.configuration} fold ${m.fold}) has no softmax files (.npz): the fold was trained without --npz.`,
    hint: `Re-run the validation of this fold with "Validation only" and --npz ticked (${revalidateCommand(settings.nnunetVersion, { ...req, configuration: m.configuration, trainer: m.trainer, fold: m.fold })}), then find the best configuration again.`,
  }))
}

/** The one sentence that says why find_best cannot compare these configurations yet. */
export function npzRefusal(req: FindBestRequest, findings: readonly Finding[]): string {
  const folds = `${findings.length} trained fold${findings.length === 1 ? ' has' : 's have'} no .npz files`
  return `find_best_configuration cannot compare ${req.configurations.join(', ')}: ${folds}. Re-validate them with --npz first.`
}

export async function runFindBest(req: FindBestRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir()): Promise<{ datasetId: number; best?: { model: string; dice: number } }> {
  // Checked again here: a queued find_best starts long after it was asked for.
  const npz = await npzFindings(settings, req)
  if (npz.length) {
    for (const f of npz) ctx.guidance(f)
    throw new Error(npzRefusal(req, npz))
  }
  const python = resolvePython(settings)
  let best: { model: string; dice: number } | undefined
  await runTool(ctx, {
    python,
    env: childEnv(settings, dataDir),
    command: findBestArgs(settings.nnunetVersion, req),
    onLine: (line) => {
      // v2 prints "*Best*: TRAINER__PLANS__CONFIG: 0.8123" (an ensemble's name starts with "ensemble").
      const m = /^\*Best\*: (.+): ([-\d.eE]+|nan)\s*$/.exec(line.trim())
      if (m) best = { model: m[1]!, dice: Number(m[2]) }
    },
  })
  return { datasetId: req.datasetId, ...(best ? { best } : {}) }
}
