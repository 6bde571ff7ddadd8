// Generated nnU-Net trainers: one spec (base trainer, epochs, iterations, loss, own Python, and
// room for more features) -> the source of one Python module, for nnU-Net v2 or v1.
//
// Where nnU-Net finds them:
// - v2 (nnunetv2 2.8.1) searches the folders of the nnUNet_extTrainer variable when a class is
//   not one of its own (nnunetv2/utilities/find_objects.py: recursive_find_trainer_class_by_name),
//   for training and again for prediction (the model folder names the trainer class). The
//   modules live in <data>/trainers, which childEnv puts on that variable.
// - v1 (nnunet 1.7.1) has no such variable: run_training (default_configuration) and prediction
//   (model_restore.restore_model) both search only its own package folder
//   nnunet/training/network_training, recursively. The modules are kept in <data>/trainers-v1 and
//   installed into that package folder's subpackage nnunet_wizard/ (trainerInstall.ts), as the
//   guide adds its own trainers there.
//
// This file only turns a spec into text and writes it; checking a module with nnU-Net itself is
// trainerCheck.ts. Other features (e.g. "save a checkpoint and stop on a signal") are added as
// optional fields of TrainerFeatures and a few lines in the generated class.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../files/writeAtomic'
import { join } from 'node:path'
import type { NnunetVersion } from '../../shared/schema'
import { INSTALL_KEEP_LINE, iterationFunctionsPy, iterationFunctionsV1Py, iterationMethodPy, iterationMethodV1Py, STOP_EXIT_CODE } from './trainerParts'

/** v2: the folder on nnUNet_extTrainer. */
export function trainerDir(dataDir: string): string {
  return join(dataDir, 'trainers')
}

/** v1: where the wizard keeps its copy of each module (the copy nnU-Net imports is in its package). */
export function trainerDirV1(dataDir: string): string {
  return join(dataDir, 'trainers-v1')
}

export function trainerDirFor(version: NnunetVersion, dataDir: string): string {
  return version === 'v2' ? trainerDir(dataDir) : trainerDirV1(dataDir)
}

/**
 * Every trainer folder this process wrote into. A prediction or a later run started with another
 * data folder still finds a trainer generated earlier in this session.
 */
const usedDirs = new Set<string>()
export function usedTrainerDirs(): string[] {
  return [...usedDirs]
}

/**
 * A loss nnU-Net ships, as discovered in the installed package (trainerLosses.ts).
 * v2 borrows the `_build_loss` method of the shipped loss trainer (module + className);
 * v1 sets `self.loss` the way the shipped loss trainer's __init__ does (imports + expression,
 * read from its source), since v1 builds the loss in __init__, not in a method.
 */
export interface ShippedLoss {
  /** The shipped trainer class that defines the loss, e.g. nnUNetTrainerTopk10Loss. */
  className: string
  module: string
  /** v1: the import lines of that module the expression needs. */
  imports?: string[]
  /** v1: the right-hand side of its `self.loss = ...`. */
  expression?: string
}

export type LossChoice =
  /** The base trainer's own loss (nnU-Net's default: Dice + cross-entropy). */
  | { kind: 'default' }
  | { kind: 'shipped'; loss: ShippedLoss }
  /**
   * Own Python: a module body that defines `build_loss(trainer)` returning a torch module
   * (v2 wraps it for deep supervision as nnU-Net's own losses are; v1's initialize does that).
   */
  | { kind: 'python'; code: string }

/** Optional behaviour of a generated trainer; each feature adds its own lines to the class. */
export interface TrainerFeatures {
  /**
   * v2: on SIGUSR1 (SLURM's warning before the wall time, scancel --signal=USR1, the app's "stop
   * after this epoch") finish the current epoch, save checkpoint_latest.pth and exit with
   * STOP_EXIT_CODE; --c then continues at the next epoch, so at most one epoch is lost.
   */
  stopOnSignal?: boolean
  /** (reserved for other features) */
  [feature: string]: unknown
}

/** Exit status of a generated trainer stopped on request (EX_TEMPFAIL: run again with --c). */
export { STOP_EXIT_CODE }

/** The lines stopOnSignal adds: the end of __init__, then two methods. */
function stopOnSignalLines(): string[] {
  return [
    '        # SIGUSR1 asks for a stop after the current epoch (nnU-Net Wizard: stopOnSignal).',
    '        self._wizard_stop = False',
    "        if hasattr(_signal, 'SIGUSR1'):",
    '            try:',
    '                _signal.signal(_signal.SIGUSR1, self._wizard_request_stop)',
    '            except ValueError:',
    '                pass  # not the main thread: no handler, nothing else changes',
    '',
    '    def _wizard_request_stop(self, signum, frame):',
    '        self._wizard_stop = True',
    "        print('nnU-Net Wizard: stop requested (SIGUSR1): the current epoch finishes, then a checkpoint is saved', flush=True)",
    '',
    '    def on_epoch_end(self):',
    '        super().on_epoch_end()',
    '        if not self._wizard_stop or self.current_epoch >= self.num_epochs:',
    '            return',
    '        # super() has moved current_epoch on; a checkpoint records current_epoch + 1 as the epoch to resume at.',
    '        self.current_epoch -= 1',
    "        self.save_checkpoint(_os.path.join(self.output_folder, 'checkpoint_latest.pth'))",
    '        self.current_epoch += 1',
    "        self.print_to_log_file(f'nnU-Net Wizard: stopped after epoch {self.current_epoch - 1} on request: checkpoint_latest.pth saved; --c continues at epoch {self.current_epoch}')",
    '        for loader in (getattr(self, "dataloader_train", None), getattr(self, "dataloader_val", None)):',
    "            if loader is not None and hasattr(loader, '_finish'):",
    '                loader._finish()',
    '        _sys.stdout.flush()',
    '        _sys.stderr.flush()',
    `        _os._exit(${STOP_EXIT_CODE})`,
  ]
}

export interface GeneratedTrainerSpec {
  /** nnU-Net version it is written for; v2 when absent. */
  version?: NnunetVersion
  /** The trainer it extends (nnUNetTrainer / nnUNetTrainerV2 / nnUNetTrainerV2CascadeFullRes or any other). */
  base: string
  epochs: number
  iterationsPerEpoch?: number
  /** The loss; the base's own when absent. */
  loss?: LossChoice
  /** The class name; derived from the rest when absent. */
  name?: string
  features?: TrainerFeatures
}

const PY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** nnUNetTrainer_Wizard_20ep, nnUNetTrainer_Wizard_2ep_5it: the name says what it does. */
export function generatedTrainerName(spec: GeneratedTrainerSpec): string {
  if (spec.name) return spec.name
  const loss = spec.loss?.kind === 'shipped' ? `_${spec.loss.loss.className.replace(/^nnUNetTrainer(V2)?_?/, '')}` : spec.loss?.kind === 'python' ? '_ownLoss' : ''
  return `${spec.base}_Wizard_${spec.epochs}ep${spec.iterationsPerEpoch ? `_${spec.iterationsPerEpoch}it` : ''}${loss}`
}

/** Validation batches per epoch: nnU-Net's 50, scaled down with the training iterations (at least 1). */
export function valIterations(iterationsPerEpoch?: number): number | undefined {
  return iterationsPerEpoch === undefined ? undefined : Math.max(1, Math.min(50, Math.round(iterationsPerEpoch / 5)))
}

export interface GeneratedSource {
  name: string
  source: string
  /** Line (1-based) of the module where the user's own Python starts, when there is some. */
  userCodeLine?: number
}

const OWN_CODE_MARK = '# ---- your own Python (build_loss) ----'

function header(spec: GeneratedTrainerSpec, version: NnunetVersion): string[] {
  const what = `${spec.base} with ${spec.epochs} epochs${spec.iterationsPerEpoch ? ` of ${spec.iterationsPerEpoch} iterations` : ''}`
  const loss = spec.loss?.kind === 'shipped' ? `, the loss of ${spec.loss.loss.className}` : spec.loss?.kind === 'python' ? ', your own loss' : ''
  const where =
    version === 'v2'
      ? '# Found by nnU-Net v2 through the nnUNet_extTrainer environment variable.'
      : '# Installed by the wizard into nnunet/training/network_training/nnunet_wizard/, where nnU-Net v1 finds trainers.'
  return [`# Generated by nnU-Net Wizard: ${what}${loss}.`, where, '# Regenerated from its spec by the wizard; edits here are overwritten.']
}

function checkSpec(spec: GeneratedTrainerSpec): void {
  if (!PY_NAME.test(spec.base)) throw new Error(`The base trainer "${spec.base}" is not a Python class name.`)
  if (spec.name !== undefined && !PY_NAME.test(spec.name)) throw new Error(`The trainer name "${spec.name}" is not a Python class name (letters, digits, _; not starting with a digit).`)
  if (!Number.isInteger(spec.epochs) || spec.epochs < 1) throw new Error(`Epochs must be a whole number of at least 1 (got ${spec.epochs}).`)
  if (spec.loss?.kind === 'shipped' && !PY_NAME.test(spec.loss.loss.className)) throw new Error(`The loss trainer "${spec.loss.loss.className}" is not a Python class name.`)
}

function ownCodeLines(code: string): string[] {
  return code.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n')
}

function v2Source(spec: GeneratedTrainerSpec): GeneratedSource {
  const name = generatedTrainerName(spec)
  const val = valIterations(spec.iterationsPerEpoch)
  // The base is looked up by name the way nnU-Net looks up trainers, so custom bases work too.
  const baseImport =
    spec.base === 'nnUNetTrainer'
      ? ['from nnunetv2.training.nnUNetTrainer.nnUNetTrainer import nnUNetTrainer as _Base']
      : ['from nnunetv2.utilities.find_objects import recursive_find_trainer_class_by_name', `_Base = recursive_find_trainer_class_by_name(${JSON.stringify(spec.base)})`]
  const lines = [...header(spec, 'v2'), 'import torch', ...(spec.features?.stopOnSignal ? ['import os as _os', 'import signal as _signal', 'import sys as _sys'] : []), ...baseImport]
  const loss = spec.loss
  if (loss?.kind === 'shipped') lines.push(`from ${loss.loss.module} import ${loss.loss.className} as _LossSource`)
  if (loss?.kind === 'python') lines.push('import numpy as np', 'from nnunetv2.training.loss.deep_supervision import DeepSupervisionWrapper')
  // Every generated v2 trainer says each iteration and stops-and-keeps on SIGUSR2 (trainerParts.ts).
  lines.push('', '', ...iterationFunctionsPy())
  lines.push(
    '',
    '',
    `class ${name}(_Base):`,
    // The __init__ signature must match nnUNetTrainer's exactly: nnU-Net records its arguments by
    // inspecting the signature (my_init_kwargs) and passes them again when it predicts.
    "    def __init__(self, plans: dict, configuration: str, fold: int, dataset_json: dict, device: torch.device = torch.device('cuda')):",
    '        super().__init__(plans, configuration, fold, dataset_json, device)',
    `        self.num_epochs = ${spec.epochs}`,
    ...(spec.iterationsPerEpoch ? [`        self.num_iterations_per_epoch = ${spec.iterationsPerEpoch}`, `        self.num_val_iterations_per_epoch = ${val}`] : []),
    INSTALL_KEEP_LINE,
  )
  if (spec.features?.stopOnSignal) lines.push(...stopOnSignalLines())
  lines.push(...iterationMethodPy())
  if (loss?.kind === 'shipped') {
    // The shipped loss trainer's own method, run on this trainer (it only reads what every nnUNetTrainer has).
    lines.push('', '    def _build_loss(self):', '        return _LossSource._build_loss(self)')
  }
  let userCodeLine: number | undefined
  if (loss?.kind === 'python') {
    lines.push(
      '',
      '    def _build_loss(self):',
      '        loss = build_loss(self)',
      '        if self.enable_deep_supervision:',
      '            # As nnU-Net weights its own losses: halved per lower resolution, the lowest not used.',
      '            weights = np.array([1 / (2 ** i) for i in range(len(self._get_deep_supervision_scales()))])',
      '            weights[-1] = 0',
      '            loss = DeepSupervisionWrapper(loss, weights / weights.sum())',
      '        return loss',
      '',
      '',
      OWN_CODE_MARK,
    )
    userCodeLine = lines.length + 1
    lines.push(...ownCodeLines(loss.code))
  }
  return { name, source: lines.join('\n') + '\n', ...(userCodeLine ? { userCodeLine } : {}) }
}

function v1Source(spec: GeneratedTrainerSpec): GeneratedSource {
  const name = generatedTrainerName(spec)
  const val = valIterations(spec.iterationsPerEpoch)
  const baseImport =
    spec.base === 'nnUNetTrainerV2'
      ? 'from nnunet.training.network_training.nnUNetTrainerV2 import nnUNetTrainerV2 as _Base'
      : spec.base === 'nnUNetTrainerV2CascadeFullRes'
        ? 'from nnunet.training.network_training.nnUNetTrainerV2_CascadeFullRes import nnUNetTrainerV2CascadeFullRes as _Base'
        : // Any other base, found the way nnU-Net v1 finds trainers (its package folder, recursively).
          `import nnunet\nfrom os.path import join as _join\nfrom nnunet.training.model_restore import recursive_find_python_class\n_Base = recursive_find_python_class([_join(nnunet.__path__[0], "training", "network_training")], ${JSON.stringify(spec.base)}, current_module="nnunet.training.network_training")`
  const lines = [...header(spec, 'v1'), baseImport]
  const loss = spec.loss
  if (loss?.kind === 'shipped') {
    if (!loss.loss.expression) throw new Error(`The shipped loss ${loss.loss.className} has no loss expression for nnU-Net v1.`)
    lines.push(...(loss.loss.imports ?? []))
  }
  // Every generated v1 trainer says each training iteration, as the v2 ones do (trainerParts.ts).
  lines.push('', '', ...iterationFunctionsV1Py())
  lines.push(
    '',
    '',
    `class ${name}(_Base):`,
    // v1 saves the constructor's arguments (init_args, set by the base) in the checkpoint's .pkl and
    // calls the class with them again to predict: this class takes exactly the base's arguments.
    '    def __init__(self, *args, **kwargs):',
    '        super().__init__(*args, **kwargs)',
    `        self.max_num_epochs = ${spec.epochs}`,
    ...(spec.iterationsPerEpoch ? [`        self.num_batches_per_epoch = ${spec.iterationsPerEpoch}`, `        self.num_val_batches_per_epoch = ${val}`] : []),
    // Unlike nnU-Net's benchmarking nnUNetTrainerV2_2epochs/_5epochs, nothing is switched off:
    // checkpoints (model_final_checkpoint.model + .pkl) and the validation are the base's own.
  )
  let userCodeLine: number | undefined
  if (loss?.kind === 'shipped') lines.push(`        self.loss = ${loss.loss.expression}`)
  // initialize() wraps self.loss for deep supervision (MultipleOutputLoss2).
  if (loss?.kind === 'python') lines.push('        self.loss = build_loss(self)')
  lines.push(...iterationMethodV1Py())
  if (loss?.kind === 'python') {
    lines.push('', '', OWN_CODE_MARK)
    userCodeLine = lines.length + 1
    lines.push(...ownCodeLines(loss.code))
  }
  return { name, source: lines.join('\n') + '\n', ...(userCodeLine ? { userCodeLine } : {}) }
}

/** The module of a spec: its class name, text, and where the user's own Python starts in it. */
export function generateTrainer(spec: GeneratedTrainerSpec): GeneratedSource {
  checkSpec(spec)
  return (spec.version ?? 'v2') === 'v2' ? v2Source(spec) : v1Source(spec)
}

export function generatedTrainerSource(spec: GeneratedTrainerSpec): string {
  return generateTrainer(spec).source
}

/** Writes `source` to dir/name.py atomically, only when it changed. */
export async function writeTrainerModule(dir: string, name: string, source: string, version: NnunetVersion = 'v2'): Promise<string> {
  if (!PY_NAME.test(name)) throw new Error(`The trainer name "${name}" is not a Python class name.`)
  const file = join(dir, `${name}.py`)
  // Only v2 folders go on nnUNet_extTrainer (a v1 module there would be imported by nnunetv2).
  if (version === 'v2') usedDirs.add(dir)
  const current = await readFile(file, 'utf8').catch(() => null)
  // Atomic: nnU-Net may be importing the folder's modules right now (its temporary name ends in .tmp, which it skips).
  if (current !== source) await writeFileAtomic(file, source)
  return file
}

/** Writes the trainer module of a spec (atomically, only when it changed) and returns its class name. */
export async function writeGeneratedTrainer(dir: string, spec: GeneratedTrainerSpec): Promise<string> {
  const { name, source } = generateTrainer(spec)
  await writeTrainerModule(dir, name, source, spec.version)
  return name
}

/**
 * The epochs of a trainer made with "create trainer" (its <Name>.wizard.json: what nnU-Net
 * reported when it constructed it, else the form's), for "epoch n of N" when its name does not say.
 */
export function createdTrainerEpochs(dataDir: string, version: NnunetVersion, name: string): number | undefined {
  if (!PY_NAME.test(name)) return undefined
  try {
    const rec = JSON.parse(readFileSync(join(trainerDirFor(version, dataDir), `${name}.wizard.json`), 'utf8')) as { epochs?: number; stages?: { stage: string; epochs?: number }[] }
    return rec.stages?.find((st) => st.stage === 'construct')?.epochs ?? rec.epochs
  } catch {
    return undefined
  }
}
