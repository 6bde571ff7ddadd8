// argv builders for nnU-Net v1 and v2: the one place that knows each tool's positional arguments
// and flags (from the argparse definitions in nnunet 1.7.1 and nnunetv2 2.8.1). Pure data in,
// argv out; electron/nnunet decides how the tool is launched (console script or `python -c`).
import type { Configuration, FindBestRequest, NnunetVersion, PlanRequest, PredictRequest, TrainRequest } from './schema'
import { planPreset, plannedIdentifier, v1PlanRefusal } from './plans'

export type { FindBestRequest }

/** A console script of an nnU-Net package, with the Python function it runs. */
export interface NnunetTool {
  /** The console script name, e.g. "nnUNetv2_train" (what a researcher would type). */
  script: string
  /** "package.module:function" from the package's entry_points. */
  entry: string
}

export interface NnunetCommand {
  tool: NnunetTool
  args: string[]
}

export const TOOLS = {
  v2: {
    convert: { script: 'nnUNetv2_convert_MSD_dataset', entry: 'nnunetv2.dataset_conversion.convert_MSD_dataset:entry_point' },
    plan: { script: 'nnUNetv2_plan_and_preprocess', entry: 'nnunetv2.experiment_planning.plan_and_preprocess_entrypoints:plan_and_preprocess_entry' },
    preprocess: { script: 'nnUNetv2_preprocess', entry: 'nnunetv2.experiment_planning.plan_and_preprocess_entrypoints:preprocess_entry' },
    train: { script: 'nnUNetv2_train', entry: 'nnunetv2.run.run_training:run_training_entry' },
    predict: { script: 'nnUNetv2_predict', entry: 'nnunetv2.inference.predict_from_raw_data:predict_entry_point' },
    findBest: { script: 'nnUNetv2_find_best_configuration', entry: 'nnunetv2.evaluation.find_best_configuration:find_best_configuration_entry_point' },
  },
  v1: {
    convert: { script: 'nnUNet_convert_decathlon_task', entry: 'nnunet.experiment_planning.nnUNet_convert_decathlon_task:main' },
    plan: { script: 'nnUNet_plan_and_preprocess', entry: 'nnunet.experiment_planning.nnUNet_plan_and_preprocess:main' },
    train: { script: 'nnUNet_train', entry: 'nnunet.run.run_training:main' },
    predict: { script: 'nnUNet_predict', entry: 'nnunet.inference.predict_simple:main' },
    findBest: { script: 'nnUNet_find_best_configuration', entry: 'nnunet.evaluation.model_selection.figure_out_what_to_submit:main' },
  },
} as const satisfies Record<NnunetVersion, Record<string, NnunetTool>>

/** The trainer nnU-Net uses when none is named. */
export function defaultTrainer(version: NnunetVersion, configuration: Configuration): string {
  if (version === 'v2') return 'nnUNetTrainer'
  return configuration === '3d_cascade_fullres' ? 'nnUNetTrainerV2CascadeFullRes' : 'nnUNetTrainerV2'
}

/** Default plans identifier of each version (v1's is the plans file prefix used by -p). */
export function defaultPlans(version: NnunetVersion): string {
  return version === 'v2' ? 'nnUNetPlans' : 'nnUNetPlansv2.1'
}

// ---------------------------------------------------------------- convert

export function convertMsdArgs(version: NnunetVersion, taskDir: string, opts: { processes?: number; outputId?: number } = {}): NnunetCommand {
  if (version === 'v2') {
    const args = ['-i', taskDir]
    if (opts.outputId !== undefined) args.push('-overwrite_id', String(opts.outputId))
    if (opts.processes !== undefined) args.push('-np', String(opts.processes))
    return { tool: TOOLS.v2.convert, args }
  }
  const args = ['-i', taskDir]
  if (opts.processes !== undefined) args.push('-p', String(opts.processes))
  if (opts.outputId !== undefined) args.push('-output_task_id', String(opts.outputId))
  return { tool: TOOLS.v1.convert, args }
}

// ---------------------------------------------------------------- plan and preprocess

/**
 * What to preprocess for the requested configurations: the cascade reuses 3d_fullres data and
 * needs 3d_lowres, so it stands for those two (v2's -c does not accept it).
 */
export function preprocessConfigurations(configs: Configuration[]): Exclude<Configuration, '3d_cascade_fullres'>[] {
  const out = new Set<Exclude<Configuration, '3d_cascade_fullres'>>()
  for (const c of configs) {
    if (c === '3d_cascade_fullres') {
      out.add('3d_lowres')
      out.add('3d_fullres')
    } else out.add(c)
  }
  return (['2d', '3d_fullres', '3d_lowres'] as const).filter((c) => out.has(c))
}

export function planArgs(
  version: NnunetVersion,
  req: Pick<PlanRequest, 'datasetId' | 'configurations' | 'verifyIntegrity' | 'processes' | 'preset' | 'gpuMemoryTargetGb' | 'plansName' | 'preprocessOnly'>,
): NnunetCommand {
  const configs = req.configurations?.length ? preprocessConfigurations(req.configurations) : undefined
  if (version === 'v2' && req.preprocessOnly) {
    // The plans that exist, unchanged (fine-tuning reuses their network): nnUNetv2_preprocess only.
    const args = ['-d', String(req.datasetId), '-plans_name', plannedIdentifier(req)]
    if (configs) args.push('-c', ...configs)
    if (req.processes !== undefined) args.push('-np', ...(configs ?? ['2d', '3d_fullres', '3d_lowres']).map(() => String(req.processes)))
    return { tool: TOOLS.v2.preprocess, args }
  }
  if (req.preprocessOnly) throw new Error('Preprocessing with existing plans alone is nnU-Net v2 (nnUNetv2_preprocess); nnU-Net v1 plans and preprocesses together.')
  if (version === 'v2') {
    const args = ['-d', String(req.datasetId)]
    if (req.verifyIntegrity) args.push('--verify_dataset_integrity')
    if (configs) args.push('-c', ...configs)
    if (req.processes !== undefined) args.push('-np', String(req.processes), '-npfp', String(req.processes))
    const preset = planPreset(req.preset)
    if (preset.id !== 'default') args.push('-pl', preset.planner)
    if (req.gpuMemoryTargetGb !== undefined) args.push('-gpu_memory_target', String(req.gpuMemoryTargetGb))
    const plans = plannedIdentifier(req)
    if (plans !== preset.plans) args.push('-overwrite_plans_name', plans)
    return { tool: TOOLS.v2.plan, args }
  }
  const refusal = v1PlanRefusal(req)
  if (refusal) throw new Error(refusal)
  // v1 plans 2d and 3d with separate planners; "None" switches one off. 3d_lowres comes with the
  // 3d planner whenever the data is large enough, so it cannot be chosen separately.
  const args = ['-t', String(req.datasetId)]
  if (configs) {
    if (!configs.includes('2d')) args.push('-pl2d', 'None')
    if (!configs.includes('3d_fullres') && !configs.includes('3d_lowres')) args.push('-pl3d', 'None')
  }
  if (req.processes !== undefined) args.push('-tl', String(req.processes), '-tf', String(req.processes))
  if (req.verifyIntegrity) args.push('--verify_dataset_integrity')
  return { tool: TOOLS.v1.plan, args }
}

// ---------------------------------------------------------------- train

export interface TrainArgsOptions {
  /** The trainer class to pass (already resolved: a generated one for custom epochs). */
  trainer: string
  /** v2 only; v1 always uses CUDA when torch sees it. */
  device?: 'cuda' | 'cpu' | 'mps'
}

export function trainArgs(version: NnunetVersion, req: TrainRequest, opts: TrainArgsOptions): NnunetCommand {
  if (req.continueTraining && req.pretrainedWeights) {
    throw new Error('Continue from a checkpoint and pretrained weights cannot be combined: pretrained weights only apply to a new training.')
  }
  const fold = String(req.fold)
  if (version === 'v2') {
    const args = [String(req.datasetId), req.configuration, fold, '-tr', opts.trainer]
    if (req.plans) args.push('-p', req.plans)
    if (req.pretrainedWeights) args.push('-pretrained_weights', req.pretrainedWeights)
    if (req.npz) args.push('--npz')
    if (req.continueTraining) args.push('--c')
    if (req.validationOnly) args.push('--val')
    if (opts.device) args.push('-device', opts.device)
    if (req.numGpus && req.numGpus > 1) {
      // nnU-Net's DDP runs on CUDA only (run_training.py asserts it).
      if (opts.device && opts.device !== 'cuda') throw new Error(`Training on ${req.numGpus} GPUs (-num_gpus) needs the CUDA device; the device is ${opts.device}.`)
      args.push('-num_gpus', String(req.numGpus))
    }
    return { tool: TOOLS.v2.train, args }
  }
  if (req.numGpus && req.numGpus > 1) throw new Error('nnU-Net v1 trains one run on one GPU (-num_gpus is nnU-Net v2): run folds on separate GPUs instead.')
  const args = [req.configuration, opts.trainer, String(req.datasetId), fold]
  if (req.plans) args.push('-p', req.plans)
  if (req.pretrainedWeights) args.push('-pretrained_weights', req.pretrainedWeights)
  if (req.npz) args.push('--npz')
  if (req.continueTraining) args.push('-c')
  if (req.validationOnly) args.push('-val')
  return { tool: TOOLS.v1.train, args }
}

// ---------------------------------------------------------------- predict

export interface PredictArgsOptions {
  trainer: string
  device?: 'cuda' | 'cpu' | 'mps'
  /** Preprocessing / export worker processes (v2 -npp/-nps, v1 --num_threads_*). */
  processes?: number
}

export function predictArgs(version: NnunetVersion, req: PredictRequest, opts: PredictArgsOptions): NnunetCommand {
  const folds = req.folds.map(String)
  if (version === 'v2') {
    const args = ['-i', req.input, '-o', req.output, '-d', String(req.datasetId), '-c', req.configuration, '-f', ...folds, '-tr', opts.trainer]
    if (req.plans) args.push('-p', req.plans)
    if (req.checkpoint) args.push('-chk', req.checkpoint)
    // CASE.npz (softmax, C x Z x Y x X) and CASE.pkl beside each prediction: Review ranks by them.
    if (req.saveProbabilities) args.push('--save_probabilities')
    if (opts.processes !== undefined) args.push('-npp', String(opts.processes), '-nps', String(opts.processes))
    if (opts.device) args.push('-device', opts.device)
    return { tool: TOOLS.v2.predict, args }
  }
  const args = ['-i', req.input, '-o', req.output, '-t', String(req.datasetId), '-m', req.configuration, '-f', ...folds, '-tr', opts.trainer]
  // v1 names checkpoints without the extension: model_final_checkpoint, model_best.
  if (req.plans) args.push('-p', req.plans)
  if (req.checkpoint) args.push('-chk', req.checkpoint.replace(/\.model$/, ''))
  if (opts.processes !== undefined) args.push('--num_threads_preprocessing', String(opts.processes), '--num_threads_nifti_save', String(opts.processes))
  return { tool: TOOLS.v1.predict, args }
}

// ---------------------------------------------------------------- find best configuration

export function findBestArgs(version: NnunetVersion, req: FindBestRequest): NnunetCommand {
  const folds = (req.folds ?? [0, 1, 2, 3, 4]).map(String)
  if (version === 'v2') {
    const args = [String(req.datasetId), '-c', ...req.configurations, '-f', ...folds]
    if (req.trainer) args.push('-tr', req.trainer)
    if (req.plans) args.push('-p', req.plans)
    return { tool: TOOLS.v2.findBest, args }
  }
  const args = ['-m', ...req.configurations, '-t', String(req.datasetId), '-f', ...folds]
  if (req.trainer) args.push('-tr', req.trainer)
  if (req.plans) args.push('-pl', req.plans)
  return { tool: TOOLS.v1.findBest, args }
}

/** The command as a researcher would type it, for display only (never executed through a shell). */
export function displayCommand(cmd: NnunetCommand): string {
  return [cmd.tool.script, ...cmd.args].map((a) => (/^[A-Za-z0-9_./:=+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}
