// The one run engine's resolution: a run request (plan, train, predict, find_best) becomes a
// RunSpec here, once, whichever scheduler then runs it (this machine's queue, or SLURM) and
// whichever door it came through (the app, the CLI, exported scripts). Every rule of a run lives
// here and nowhere else: the plans a dataset was planned with (remembered or queued), the
// generated trainer for custom epochs, "plan first", train longer, the v1 refusals and the v1
// trainer install, the cascade's lowres stage, the GPUs. A scheduler only decides WHERE the spec
// runs (DESIGN.md: One engine, two places to run).
//
// The train rules are a list of named checks (TRAIN_CHECKS): a new rule is one more entry.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { convertMsdArgs, defaultPlans, defaultTrainer, findBestArgs, planArgs, predictArgs, trainArgs, type FindBestRequest, type NnunetCommand } from '../../shared/nnunetArgs'
import { plannedIdentifier, v1PlanRefusal } from '../../shared/plans'
import type { NnunetVersion, PlanRequest, PredictRequest, Settings, TrainRequest } from '../../shared/schema'
import { epochsFromTrainerName } from '../../shared/trainingLog'
import { DomainError } from '../domainError'
import { readPlansSummary } from './summaries'
import { gpuEnv } from './gpus'
import { plansToUse } from './plansChoice'
import { resolvePython } from './python'
import { childEnv, datasetFolderName, plansFile, trainingOutputFolder } from './runPlaces'
import { trainLongerProblem } from './trainLonger'
import { stalePlanReason } from './planInputs'
import { datasetFoldCount } from './foldCount'
import { readSplitsCoverage, rewriteAdvice } from './splits'
import { splitsCoverageProblem } from '../../shared/splitsCoverage'
import { planAgainText } from '../../shared/runInputs'
import { createdTrainerEpochs, trainerDirFor, trainerDirV1, writeGeneratedTrainer } from './trainers'

/** nnU-Net's own default length: 1000 epochs (v2 nnUNetTrainer, v1 nnUNetTrainerV2). */
const DEFAULT_EPOCHS = 1000

/** A request the rules refuse: said before anything runs. `code` is what the transports and the renderer branch on. */
export class RunRefused extends DomainError {
  constructor(
    message: string,
    code: string,
    /** The name of the rule that refused it (TRAIN_CHECKS). */
    readonly check?: string,
  ) {
    super(message, code, 'conflict')
    this.name = 'RunRefused'
  }
}

export const planTitle = (r: PlanRequest) => `Plan and preprocess dataset ${r.datasetId}`
export const trainTitle = (r: TrainRequest) => `Train ${r.configuration} fold ${r.fold} (dataset ${r.datasetId})`
export const predictTitle = (r: PredictRequest) => `Predict with ${r.configuration} (dataset ${r.datasetId})`
export const findBestTitle = (r: FindBestRequest) => `Find the best configuration of dataset ${r.datasetId} (${r.configurations.join(', ')})`

/**
 * Runs that will have run before this one: the entries ahead of it in the run queue, or the jobs
 * of the same SLURM submission it waits for (afterok). A plan ahead makes "plan first" hold at
 * its turn; a 3d_lowres training ahead makes the cascade's input exist at its turn.
 */
export interface Ahead {
  plans: readonly PlanRequest[]
  trainings: readonly TrainRequest[]
}
const NOTHING_AHEAD: Ahead = { plans: [], trainings: [] }

export interface ResolveContext {
  settings: Settings
  /** The app's data folder (generated trainers, remembered plans). */
  dataDir: string
  ahead?: Ahead
}

/** Something done on disk before the run starts, on the machine (or shared file system) it runs on. */
export type Preparation =
  /** v1 imports trainers only from its own package: copy the wizard's module there (trainerInstall.ts). */
  | { kind: 'install-v1-trainer'; trainer: string; module: string }
  /** Train longer: the finished fold's checkpoint becomes the new trainer's checkpoint_latest.pth (trainLonger.ts). */
  | { kind: 'train-longer'; from: string; fromTrainer: string; to: string; epochs: number }
  /** What the training reads: the plan's record of the dataset goes into the fold folder, so Results and Predict can tell a model trained on an older dataset (planInputs.ts). */
  | { kind: 'record-train-inputs'; preprocessed: string; to: string }

/** What proves the run succeeded, beyond exit code 0. */
export type SuccessCheck = { kind: 'training-outputs'; folder: string; trainer: string }

export interface TrainPart {
  /** The request as nnU-Net runs it (plans filled in; --c for train longer). */
  request: TrainRequest
  plans: string
  trainer: string
  /** A trainer the wizard generated (custom epochs or iterations), not one of nnU-Net's or the user's. */
  generated: boolean
  totalEpochs: number
  /** The fold folder it writes (the one-writer lock is on it); undefined before the dataset exists (a plan ahead). */
  outputFolder?: string
  /** Stops after an epoch on SIGUSR1 (the generated v2 trainers). */
  stoppable: boolean
}

export interface RunSpec {
  kind: 'plan' | 'train' | 'predict' | 'find-best'
  title: string
  version: NnunetVersion
  python: string
  /** What runs, in order (a plan: convert first when asked, then plan and preprocess). */
  commands: NnunetCommand[]
  /** The child's environment on top of the inherited one: nnU-Net's folders, options, GPUs. */
  env: Record<string, string>
  /** The dataset's folder name (DatasetNNN_Name / TaskNNN_Name) when it exists yet. */
  dataset?: string
  /** Folders the run writes. */
  writes: string[]
  prepare: Preparation[]
  checks: SuccessCheck[]
  train?: TrainPart
}

// ---------------------------------------------------------------- plans

/**
 * The plans a run uses when its request names none (v2): those of a plan of its dataset ahead
 * of it, else those it was last planned with (plansChoice.ts). nnU-Net itself would silently
 * fall back to nnUNetPlans and train the default U-Net on a ResEnc-planned dataset.
 */
export async function withPlans<R extends { datasetId: number; plans?: string }>(r: R, ctx: ResolveContext): Promise<R> {
  if (r.plans || ctx.settings.nnunetVersion !== 'v2') return r
  const planAhead = (ctx.ahead ?? NOTHING_AHEAD).plans.filter((p) => p.datasetId === r.datasetId).pop()
  const plans = planAhead ? plannedIdentifier(planAhead) : await plansToUse(ctx.dataDir, ctx.settings, r.datasetId)
  return plans && plans !== defaultPlans('v2') ? { ...r, plans } : r
}

// ---------------------------------------------------------------- trainer

/** The trainer class a request runs with and the epochs that implies (writes the generated trainer when epochs are set). */
export async function resolveTrainer(req: TrainRequest, version: NnunetVersion, dataDir: string): Promise<{ trainer: string; totalEpochs: number }> {
  const base = req.trainer ?? defaultTrainer(version, req.configuration)
  if (req.epochs === undefined && req.iterationsPerEpoch === undefined) {
    return { trainer: base, totalEpochs: epochsFromTrainerName(base) ?? createdTrainerEpochs(dataDir, version, base) ?? DEFAULT_EPOCHS }
  }
  const epochs = req.epochs ?? epochsFromTrainerName(base) ?? DEFAULT_EPOCHS
  // v1 too gets a generated subclass that saves checkpoints and validates (nnU-Net's own
  // nnUNetTrainerV2_2epochs/_5epochs are benchmarking trainers that save nothing). Its module is
  // installed into nnU-Net's package before it runs (Preparation install-v1-trainer).
  const trainer = await writeGeneratedTrainer(trainerDirFor(version, dataDir), { version, base, epochs, iterationsPerEpoch: req.iterationsPerEpoch, ...(version === 'v2' && { features: { stopOnSignal: true } }) })
  return { trainer, totalEpochs: epochs }
}

/** Whether the request runs a trainer the wizard generates (custom epochs or iterations). */
const generatesTrainer = (req: TrainRequest) => req.epochs !== undefined || req.iterationsPerEpoch !== undefined

// ---------------------------------------------------------------- train checks

export interface TrainCheckInput {
  /** The request with its plans filled in. */
  req: TrainRequest
  settings: Settings
  dataDir: string
  version: NnunetVersion
  plans: string
  /** The dataset's folder name, when the nnU-Net folders hold it. */
  dataset?: string
  ahead: Ahead
}

/** One named rule of a training: undefined when it lets the request through. */
export interface TrainCheck {
  name: string
  refuse(i: TrainCheckInput): Promise<{ message: string; code: string } | undefined>
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

const lowresAhead = (i: TrainCheckInput) => i.ahead.trainings.some((t) => t.datasetId === i.req.datasetId && t.configuration === '3d_lowres' && String(t.fold) === String(i.req.fold))

/** The rules every training passes, in order, wherever it runs. */
export const TRAIN_CHECKS: TrainCheck[] = [
  {
    name: 'plan-first',
    // A plan of this dataset ahead of it: checked again at its turn.
    refuse: async (i) => {
      if (i.ahead.plans.some((p) => p.datasetId === i.req.datasetId)) return undefined
      const why = await planFirstReason(i.req, i.settings)
      return why ? { message: why, code: 'plan-first' } : undefined
    },
  },
  {
    name: 'plan-current',
    // Preprocessed data older than the dataset (rewritten with another split, other cases): nnU-Net
    // would train on the old cases without a word, or stop with "fewer than 5 training cases".
    refuse: async (i) => {
      if (!i.dataset || i.ahead.plans.some((p) => p.datasetId === i.req.datasetId)) return undefined
      const why = await stalePlanReason(i.settings, i.dataset)
      return why ? { message: planAgainText(i.req.datasetId, i.dataset, why), code: 'plan-stale' } : undefined
    },
  },
  {
    name: 'fold-in-splits',
    // A fold the dataset's splits do not have (fold 4 of a 4-fold splits_final.json): nnU-Net would
    // stop with an IndexError after loading everything. v1 keeps its splits in a pickle: not read.
    refuse: async (i) => {
      if (typeof i.req.fold !== 'number' || i.version !== 'v2' || !i.dataset || !i.settings.folders) return undefined
      const folds = await datasetFoldCount(join(i.settings.folders.preprocessed, i.dataset))
      if (i.req.fold < folds) return undefined
      return {
        message: `Dataset ${i.req.datasetId} (${i.dataset}) has ${folds} cross-validation folds (0–${folds - 1}${folds === 5 ? ', nnU-Net\'s default' : ', from its splits_final.json'}): there is no fold ${i.req.fold}. Train folds 0–${folds - 1}, or fold "all".`,
        code: 'fold-not-in-splits',
      }
    },
  },
  {
    name: 'splits-cover-dataset',
    // A splits_final.json written before the dataset changed (a test case moved to imagesTr): nnU-Net
    // trains on the folds it lists, so a new case would be in no fold, never trained on or validated,
    // without a word; a case no longer there stops it. Fold "all" does not read the file.
    refuse: async (i) => {
      if (typeof i.req.fold !== 'number' || i.version !== 'v2' || !i.dataset) return undefined
      const read = await readSplitsCoverage(i.settings, i.dataset)
      if (!read || read.coverage.ok) return undefined
      return {
        message: `Dataset ${i.req.datasetId} (${i.dataset}): ${splitsCoverageProblem(read.coverage, read.ids.length, read.file)} ${rewriteAdvice(i.req.datasetId, read.folds, read.source, read.grouped)}`,
        code: 'splits-stale',
      }
    },
  },
  {
    name: 'train-longer',
    refuse: async (i) => {
      const why = trainLongerProblem(i.req, i.version)
      return why ? { message: why, code: 'train-longer' } : undefined
    },
  },
  {
    name: 'v1-one-gpu-per-run',
    refuse: async (i) =>
      i.version === 'v1' && i.req.numGpus && i.req.numGpus > 1 ? { message: 'nnU-Net v1 trains one run on one GPU (-num_gpus is nnU-Net v2): run folds on separate GPUs instead.', code: 'v1-num-gpus' } : undefined,
  },
  {
    name: 'num-gpus-needs-cuda',
    refuse: async (i) =>
      i.version === 'v2' && i.req.numGpus && i.req.numGpus > 1 && i.settings.device !== 'cuda'
        ? { message: `Training on ${i.req.numGpus} GPUs (-num_gpus) needs the CUDA device; the device is ${i.settings.device}.`, code: 'num-gpus-needs-cuda' }
        : undefined,
  },
  {
    name: 'cascade-after-lowres',
    // The cascade's full-resolution stage learns from the low-resolution stage's predictions.
    refuse: async (i) => {
      if (i.req.configuration !== '3d_cascade_fullres' || !i.dataset || lowresAhead(i)) return undefined
      const lowresTrainer = i.version === 'v2' ? (await resolveTrainer(i.req, i.version, i.dataDir)).trainer : 'nnUNetTrainerV2'
      const lowres = trainingOutputFolder(i.settings, i.dataset, lowresTrainer, i.plans, '3d_lowres', i.req.fold)
      return existsSync(lowres) ? undefined : { message: `The 3d_cascade_fullres configuration needs the 3d_lowres model of fold ${i.req.fold} first (expected ${lowres}). Train 3d_lowres for this fold, then start the cascade.`, code: 'cascade-needs-lowres' }
    },
  },
]

/** Runs the checks; throws the first refusal. */
async function checkTraining(i: TrainCheckInput): Promise<void> {
  for (const c of TRAIN_CHECKS) {
    const r = await c.refuse(i)
    if (r) throw new RunRefused(r.message, r.code, c.name)
  }
}

// ---------------------------------------------------------------- resolution

/** A training request with every rule applied (plans filled in, refusals thrown): what a queue entry or a SLURM task records. */
export async function resolveTrainRequest(req: TrainRequest, ctx: ResolveContext): Promise<TrainRequest> {
  const r = await withPlans(req, ctx)
  const version = ctx.settings.nnunetVersion
  const dataset = ctx.settings.folders ? await datasetFolderName(ctx.settings, r.datasetId) : undefined
  await checkTraining({ req: r, settings: ctx.settings, dataDir: ctx.dataDir, version, plans: r.plans ?? defaultPlans(version), ...(dataset && { dataset }), ahead: ctx.ahead ?? NOTHING_AHEAD })
  return r
}

/** The complete spec of a training: argv, environment, trainer, plans, the folder it writes, its preparations and success checks. */
export async function trainSpec(req: TrainRequest, ctx: ResolveContext): Promise<RunSpec> {
  const { settings, dataDir } = ctx
  const version = settings.nnunetVersion
  const r = await resolveTrainRequest(req, ctx)
  const plans = r.plans ?? defaultPlans(version)
  const dataset = settings.folders ? await datasetFolderName(settings, r.datasetId) : undefined
  const { trainer, totalEpochs } = await resolveTrainer(r, version, dataDir)
  const generated = generatesTrainer(r)
  const outputFolder = dataset ? trainingOutputFolder(settings, dataset, trainer, plans, r.configuration, r.fold) : undefined
  const prepare: Preparation[] = []
  let runReq = r
  // v1 imports trainers only from its own package: one the wizard made (generated or created) is copied there.
  const own = join(trainerDirV1(dataDir), `${trainer}.py`)
  if (version === 'v1' && existsSync(own)) prepare.push({ kind: 'install-v1-trainer', trainer, module: own })
  if (r.longerFrom && dataset) {
    // nnU-Net has no "train longer": the new trainer continues (--c) from the finished fold's checkpoint.
    const from = trainingOutputFolder(settings, dataset, r.longerFrom, plans, r.configuration, r.fold)
    if (from === outputFolder) throw new RunRefused(`The new length gives the same trainer (${trainer}): choose another epoch count.`, 'train-longer', 'train-longer')
    prepare.push({ kind: 'train-longer', from, fromTrainer: r.longerFrom, to: outputFolder!, epochs: r.epochs! })
    runReq = { ...r, continueTraining: true }
  }
  if (dataset && outputFolder && settings.folders && !r.validationOnly) prepare.push({ kind: 'record-train-inputs', preprocessed: join(settings.folders.preprocessed, dataset), to: outputFolder })
  const command = trainArgs(version, runReq, { trainer, device: version === 'v2' ? settings.device : undefined })
  return {
    kind: 'train',
    title: trainTitle(r),
    version,
    python: resolvePython(settings),
    commands: [command],
    // The GPUs this run may use: nnU-Net's documented way to run one fold per GPU.
    env: { ...childEnv(settings, dataDir), ...gpuEnv(r) },
    ...(dataset && { dataset }),
    writes: outputFolder ? [outputFolder] : [],
    prepare,
    checks: outputFolder && !r.validationOnly ? [{ kind: 'training-outputs', folder: outputFolder, trainer }] : [],
    // The wizard's generated v2 trainers stop after an epoch on request (trainers.ts stopOnSignal).
    train: { request: runReq, plans, trainer, generated, totalEpochs, ...(outputFolder && { outputFolder }), stoppable: version === 'v2' && generated },
  }
}

/** Plan and preprocess (convert a Decathlon task first when asked). v1 has one planner: presets are refused. */
export async function planSpec(req: PlanRequest, ctx: ResolveContext): Promise<RunSpec> {
  const { settings } = ctx
  const version = settings.nnunetVersion
  const v1Refusal = version === 'v1' ? v1PlanRefusal(req) : undefined
  if (v1Refusal) throw new RunRefused(v1Refusal, 'v1-no-planner-presets', 'v1-planner')
  if (req.preprocessOnly && version !== 'v2') throw new RunRefused('Preprocessing with the existing plans alone (for fine-tuning) is nnU-Net v2 (nnUNetv2_preprocess); nnU-Net v1 plans and preprocesses together.', 'v1-no-preprocess-only', 'preprocess-only')
  const commands = [...(req.convertFromMsd ? [convertMsdArgs(version, req.convertFromMsd, { outputId: req.datasetId, processes: req.processes })] : []), planArgs(version, req)]
  const dataset = settings.folders ? await datasetFolderName(settings, req.datasetId) : undefined
  return {
    kind: 'plan',
    title: planTitle(req),
    version,
    python: resolvePython(settings),
    commands,
    env: childEnv(settings, ctx.dataDir),
    ...(dataset && { dataset }),
    writes: settings.folders ? [settings.folders.preprocessed] : [],
    prepare: [],
    checks: [],
  }
}

/** A prediction with the trained folds (plans filled in like a training's; v1: the generated trainer installed). */
export async function predictSpec(req: PredictRequest, ctx: ResolveContext, trainerOverride?: string): Promise<RunSpec> {
  const { settings, dataDir } = ctx
  const version = settings.nnunetVersion
  const r = await withPlans(req, ctx)
  // v1 saves its softmax differently (-z, an .npz of another layout): Review reads nnU-Net v2's.
  if (r.saveProbabilities && version !== 'v2') throw new RunRefused('Saving probabilities for Review is nnU-Net v2 (--save_probabilities); predict without it, or switch to nnU-Net v2.', 'v1-no-save-probabilities', 'save-probabilities')
  const trainer = trainerOverride ?? r.trainer ?? defaultTrainer(version, r.configuration)
  const own = join(trainerDirV1(dataDir), `${trainer}.py`)
  const command = predictArgs(version, r, { trainer, device: version === 'v2' ? settings.device : undefined, processes: settings.augmentationWorkers ? Math.max(1, Math.min(settings.augmentationWorkers, 4)) : undefined })
  return {
    kind: 'predict',
    title: predictTitle(r),
    version,
    python: resolvePython(settings),
    commands: [command],
    env: childEnv(settings, dataDir),
    writes: [r.output],
    prepare: version === 'v1' && existsSync(own) ? [{ kind: 'install-v1-trainer', trainer, module: own }] : [],
    checks: [],
  }
}

/** find_best_configuration over trained configurations (plans filled in). */
export async function findBestSpec(req: FindBestRequest, ctx: ResolveContext): Promise<RunSpec> {
  const r = await withPlans(req, ctx)
  return {
    kind: 'find-best',
    title: findBestTitle(r),
    version: ctx.settings.nnunetVersion,
    python: resolvePython(ctx.settings),
    commands: [findBestArgs(ctx.settings.nnunetVersion, r)],
    env: childEnv(ctx.settings, ctx.dataDir),
    writes: [],
    prepare: [],
    checks: [],
  }
}

/** The fold folder a training writes (plans filled in, generated trainer resolved), or undefined before its dataset exists. */
export async function trainingFold(req: TrainRequest, ctx: ResolveContext): Promise<string | undefined> {
  const r = await withPlans(req, ctx)
  const { settings } = ctx
  if (!settings.folders) return undefined
  const dataset = await datasetFolderName(settings, r.datasetId)
  if (!dataset) return undefined
  const { trainer } = await resolveTrainer(r, settings.nnunetVersion, ctx.dataDir)
  return trainingOutputFolder(settings, dataset, trainer, r.plans ?? defaultPlans(settings.nnunetVersion), r.configuration, r.fold)
}
