// The pipeline steps as job bodies: convert + plan/preprocess, train, predict, find the best
// configuration. Each resolves its request into a RunSpec (runSpec.ts: every rule of a run) and
// runs it on this machine (runner.ts runSpecHere). They run one at a time because the service
// runs them from its one run queue (queue.ts), never directly.
import { mkdir, readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { leadsInside } from '../files/pathInside'
import type { Finding, PlansSummary, TrainedModel, ValidationSummary } from '../../shared/api'
import { readPlansSummary } from './summaries'
import { finalValidation } from './finalValidation'
import { checkPredictInput, predictDatasetJsons, type PredictInputMatch } from './predictInput'
import { defaultPlans, defaultTrainer, type FindBestRequest } from '../../shared/nnunetArgs'
import type { PlanRequest, PredictRequest, Settings, TrainRequest } from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import { recordPlanInputs } from './planInputs'
import { dataDir as appDataDir } from '../paths'
import { trainedModels } from './folders'
import { revalidateCommand } from './guidance'
import { runSpecHere, runTool } from './runner'
import { HOW } from './howTo'
import { rememberPlans } from './plansChoice'
import { plannedIdentifier } from '../../shared/plans'
import { PREDICTIONS_FOLDER } from '../../shared/predictionFolders'
import { datasetFolderName, trainingOutputFolder } from './runPlaces'
import { findBestSpec, planSpec, predictSpec, trainSpec } from './runSpec'
import { lockFold, type FoldHolder } from './foldLock'

export { childEnv, datasetFolderName, datasetLabels, plansFile, trainingOutputFolder } from './runPlaces'
export { planFirstReason, resolveTrainer } from './runSpec'

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
  const spec = await planSpec(req, { settings, dataDir })
  await ensureFolders(settings)
  const steps = spec.commands.length
  for (const [i, command] of spec.commands.entries()) {
    // nnU-Net's own phases (fingerprint, planning, preprocessing per configuration) come from the runner.
    stepProgress(ctx, i, steps, i < steps - 1 ? 'converting the Decathlon (MSD) task' : 'planning and preprocessing')
    await runTool(ctx, { python: spec.python, env: spec.env, command })
  }
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

export interface TrainResult {
  trainer: string
  outputFolder?: string
  epochs: number
  checkpoints: string[]
  /** The final validation's Dice per named label (absent for fold "all", which has no validation). */
  validation?: ValidationSummary
  /** Stopped after an epoch on request ("stop after this epoch"); continue with --continue. */
  stoppedAfterEpoch?: boolean
  /** Stopped inside an epoch on request ("stop and keep"): checkpoint_latest.pth kept, the run not finished; --continue trains that epoch again. */
  keptMidEpoch?: boolean
}

const checkpointsIn = async (folder: string | undefined) => (folder ? (await readdir(folder).catch(() => [] as string[])).filter((n) => /\.(pth|model)$/.test(n)).sort() : [])

/**
 * One training on this machine. The spec is resolved at its turn (the settings then, every rule
 * checked again: a queued training may have waited behind the plan it needs); its fold folder is
 * locked for the whole run (foldLock.ts), so no other training writes the same fold_N.
 */
export async function runTrain(req: TrainRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir(), holder: FoldHolder = { kind: 'app' }): Promise<TrainResult> {
  const spec = await trainSpec(req, { settings, dataDir })
  const t = spec.train!
  const release = t.outputFolder ? await lockFold(t.outputFolder, { ...holder, jobId: ctx.jobId, title: spec.title }) : undefined
  try {
    ctx.progress({ done: 0, total: t.totalEpochs, unit: 'epoch', message: 'starting nnU-Net' })
    const run = await runSpecHere(spec, ctx, { onSpawn: (pid) => release?.child(pid) })
    const outputFolder = t.outputFolder
    if (run.keptMidEpoch) {
      // Not finished and not at an epoch's end: epochs 0..N-1 are done, epoch N is trained again from the kept weights.
      ctx.log(`Stopped with a checkpoint kept (not finished): checkpoint_latest.pth holds the weights from inside epoch ${run.epochs}. Start the same training with "Continue from the last checkpoint" (--continue) to train epoch ${run.epochs} again from them and go on.`, 'info')
      return { trainer: t.trainer, ...(outputFolder ? { outputFolder } : {}), epochs: run.epochs, checkpoints: await checkpointsIn(outputFolder), stoppedAfterEpoch: true, keptMidEpoch: true }
    }
    if (run.stoppedAfterEpoch) {
      ctx.log('Stopped after the epoch as asked: checkpoint_latest.pth is saved. Start the same training with "Continue from the last checkpoint" (--continue) to go on at the next epoch.', 'info')
      return { trainer: t.trainer, ...(outputFolder ? { outputFolder } : {}), epochs: run.epochs, checkpoints: await checkpointsIn(outputFolder), stoppedAfterEpoch: true }
    }
    const checkpoints = await checkpointsIn(outputFolder)
    const validation = outputFolder && spec.dataset ? await finalValidation(settings, outputFolder, spec.dataset) : undefined
    return { trainer: t.trainer, ...(outputFolder ? { outputFolder } : {}), epochs: run.epochs, checkpoints, ...(validation && { validation }) }
  } finally {
    await release?.()
  }
}

// ---------------------------------------------------------------- predict

export async function runPredict(req: PredictRequest, settings: Settings, ctx: JobContext, dataDir = appDataDir()): Promise<{ output: string; files: string[] }> {
  const version = settings.nnunetVersion
  if (!existsSync(req.input)) throw new Error(`The input folder ${req.input} does not exist.`)
  // Through symbolic links too: a linked output folder must not lead into the scans.
  if (await leadsInside(req.output, req.input)) {
    throw new Error(`The output folder ${req.output} is inside the input folder ${req.input}; the input folder is never written to, and nnU-Net would take the segmentations for new scans next time. Choose a separate output folder.`)
  }
  await warnOutputInDataset(req, settings, ctx)
  const spec = await predictSpec(req, { settings, dataDir })
  const trainer = req.trainer ?? defaultTrainer(version, req.configuration)
  await checkTrainedModel(settings, req, trainer)
  const { cases } = await checkPredictInputFor(settings, req, trainer)
  await mkdir(req.output, { recursive: true })
  // Progress per case (and per sliding window) comes from the runner, parsed from nnU-Net's own output.
  await runSpecHere(spec, ctx)
  const files = (await readdir(req.output)).filter((n) => /\.(nii\.gz|nii|nrrd|mha|tif|png)$/.test(n)).sort()
  // A segmentation of one of this input's cases (v1 keeps, not rewrites, one from an earlier run); other files there are not this run's.
  const ofInput = new Set(cases)
  if (!files.some((n) => ofInput.has(n.replace(/\.(nii\.gz|nii|nrrd|mha|tif|png)$/, '')))) throw new Error(`nnU-Net wrote no segmentation into ${req.output}: it found no case to segment in ${req.input} (it reads only files named like case_0000 with the dataset's file ending). See its log above.`)
  // The dataset's own test cases are scored by the caller (service/predictAndScore.ts): nnunet/ does not import results/.
  return { output: req.output, files }
}

/**
 * Predictions written into the dataset's own raw folder (the old default imagesTs_predicted, or a
 * folder typed there) are files nnU-Net's raw dataset did not have: a later rewrite of the dataset
 * or nnU-Net's --verify_dataset_integrity can trip on them. Said, not refused: an older project or
 * script may name such a folder, and the predictions themselves are fine.
 */
async function warnOutputInDataset(req: PredictRequest, settings: Settings, ctx: JobContext): Promise<void> {
  if (!settings.folders) return
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) return
  const rawDir = settings.nnunetVersion === 'v2' ? join(settings.folders.raw, dataset) : join(settings.folders.raw, 'nnUNet_raw_data', dataset)
  if (!(await leadsInside(req.output, rawDir))) return
  const text = `The output folder ${req.output} is inside the dataset folder ${rawDir}: nnU-Net's raw dataset then holds files it did not write, which a later rewrite of the dataset or nnU-Net's --verify_dataset_integrity can trip on.`
  const hint = `Predict into a folder outside the dataset, e.g. the default ${join(settings.folders.results, dataset, PREDICTIONS_FOLDER)}/<model>/<input folder>.`
  ctx.log(`${text} ${hint}`, 'info')
  ctx.guidance({ severity: 'warning', code: 'predict-output-in-dataset', file: req.output, text, hint })
}

/** "Trained models of dataset 7: 2d with T (nnUNetPlans): folds 0, finished 0.", or undefined when there is none. */
export function modelList(models: readonly TrainedModel[], datasetId: number): string | undefined {
  const mine = models.filter((m) => m.datasetId === datasetId)
  if (!mine.length) return undefined
  const text = mine.map((m) => `${m.configuration} with ${m.trainer} (${m.plans}): folds ${m.folds.join(', ')}${m.finished.length ? `, finished ${m.finished.join(', ')}` : ', none finished'}`)
  return `Trained models of dataset ${datasetId}: ${text.join('; ')}.`
}

/** Refuses an input folder that holds no case nnU-Net would read (predictInput.ts), by the model's file ending and channels. */
export async function checkPredictInputFor(settings: Settings, req: PredictRequest, trainer = req.trainer ?? defaultTrainer(settings.nnunetVersion, req.configuration)): Promise<PredictInputMatch> {
  const dataset = settings.folders ? await datasetFolderName(settings, req.datasetId) : undefined
  const jsons = dataset ? predictDatasetJsons(settings, dataset, trainingOutputFolder(settings, dataset, trainer, req.plans ?? defaultPlans(settings.nnunetVersion), req.configuration, req.folds[0] ?? 0)) : []
  return checkPredictInput(req, settings.nnunetVersion, jsons)
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
  const spec = await findBestSpec(req, { settings, dataDir })
  let best: { model: string; dice: number } | undefined
  await runSpecHere(spec, ctx, {
    onLine: (line) => {
      // v2 prints "*Best*: TRAINER__PLANS__CONFIG: 0.8123" (an ensemble's name starts with "ensemble").
      const m = /^\*Best\*: (.+): ([-\d.eE]+|nan)\s*$/.exec(line.trim())
      if (m) best = { model: m[1]!, dice: Number(m[2]) }
    },
  })
  return { datasetId: req.datasetId, ...(best ? { best } : {}) }
}
