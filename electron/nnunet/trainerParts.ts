// Python parts shared by the wizard's generated trainers (trainers.ts) and the thin wrappers that
// run nnU-Net's own trainers (iterationWrapperPy, v1: iterationWrapperV1Py): each training iteration
// is reported on a line the app parses (shared/nnunetProgress.ts ITERATION_LINE), the same line for
// v1 and v2, and (v2) SIGUSR2 ("stop and keep") saves checkpoint_latest.pth after the running
// iteration and exits with STOP_EXIT_CODE.
//
// Why: nnU-Net prints nothing between "Epoch N" and the end of that epoch, which on a CPU with its
// 250 iterations per epoch is an hour of silence; and a plain cancel throws that hour away.
//
// v2 (nnunetv2 2.x, nnUNetTrainer.run_training): every training batch goes through
// self.train_step(batch) between on_train_epoch_start and on_train_epoch_end; validation batches go
// through validation_step, so wrapping train_step counts exactly the training iterations.
// save_checkpoint records current_epoch + 1 as the epoch --c resumes at; a stop inside an epoch
// records the running epoch itself, so --c trains that epoch again from the weights kept.

/** Exit status of a generated trainer stopped on request (EX_TEMPFAIL: run again with --c). */
export const STOP_EXIT_CODE = 75

/** The line's fixed start; the whole line: "nnU-Net Wizard: iteration 3 of 250 in epoch 0: 2.418 s/it". */
export const ITERATION_PREFIX = 'nnU-Net Wizard: iteration '

/** Seconds between two iteration lines once the first few are out (every iteration of a slow run is said). */
export const ITERATION_REPORT_SECONDS = 5

/**
 * The body lines (4-space indented, inside a function with `trainer` and `_wz_time`) that run one
 * training iteration (`call`, its result kept as `out`) and say it: the first five, the last, and
 * one every ITERATION_REPORT_SECONDS between. `epoch` and `total` are the trainer's own attributes,
 * which differ by version (v2 current_epoch / num_iterations_per_epoch, v1 epoch /
 * num_batches_per_epoch); the counter restarts when the epoch changes.
 */
function countIterationPy(attrs: { epoch: string; total: string; call: string }): string[] {
  return [
    "    state = trainer.__dict__.setdefault('_wizard_iterations', {'epoch': None, 'done': 0, 'start': 0.0, 'said': 0.0})",
    `    if state['epoch'] != ${attrs.epoch}:`,
    `        state.update(epoch=${attrs.epoch}, done=0, start=_wz_time.time(), said=0.0)`,
    `    out = ${attrs.call}`,
    "    state['done'] += 1",
    '    now = _wz_time.time()',
    `    done, total = state['done'], ${attrs.total}`,
    `    if done <= 5 or done >= total or now - state['said'] >= ${ITERATION_REPORT_SECONDS}:`,
    "        state['said'] = now",
    `        print(f'${ITERATION_PREFIX}{done} of {total} in epoch {${attrs.epoch}}: {(now - state["start"]) / done:.3f} s/it', flush=True)`,
  ]
}

/**
 * Module-level Python (no indentation): the iteration counter, the report and "stop and keep".
 * Imports are aliased so they never clash with the names of the module they are pasted into.
 */
export function iterationFunctionsPy(): string[] {
  return [
    'import os as _wz_os',
    'import signal as _wz_signal',
    'import sys as _wz_sys',
    'import time as _wz_time',
    '',
    '_WIZARD_KEEP = [False]',
    '',
    '',
    'def _wizard_keep_request(signum, frame):',
    '    _WIZARD_KEEP[0] = True',
    "    print('nnU-Net Wizard: stop and keep requested (SIGUSR2): the running iteration finishes, then checkpoint_latest.pth is saved', flush=True)",
    '',
    '',
    'def _wizard_install_keep():',
    "    if hasattr(_wz_signal, 'SIGUSR2'):",
    '        try:',
    '            _wz_signal.signal(_wz_signal.SIGUSR2, _wizard_keep_request)',
    '        except ValueError:',
    '            pass  # not the main thread: no handler, nothing else changes',
    '',
    '',
    'def _wizard_finish_loaders(trainer):',
    "    for loader in (getattr(trainer, 'dataloader_train', None), getattr(trainer, 'dataloader_val', None)):",
    "        if loader is not None and hasattr(loader, '_finish'):",
    '            loader._finish()',
    '',
    '',
    'def _wizard_keep_now(trainer, done, total):',
    '    # The running epoch is not finished: the checkpoint names it as the epoch --c starts at.',
    '    epoch = trainer.current_epoch',
    '    trainer.current_epoch = epoch - 1',
    "    trainer.save_checkpoint(_wz_os.path.join(trainer.output_folder, 'checkpoint_latest.pth'))",
    '    trainer.current_epoch = epoch',
    "    trainer.print_to_log_file(f'nnU-Net Wizard: stopped and kept at iteration {done} of {total} of epoch {epoch}: checkpoint_latest.pth saved (epoch {epoch} not finished); --c trains epoch {epoch} again from these weights')",
    '    _wizard_finish_loaders(trainer)',
    '    _wz_sys.stdout.flush()',
    '    _wz_sys.stderr.flush()',
    `    _wz_os._exit(${STOP_EXIT_CODE})`,
    '',
    '',
    'def _wizard_train_step(trainer, step, batch):',
    ...countIterationPy({ epoch: 'trainer.current_epoch', total: 'trainer.num_iterations_per_epoch', call: 'step(batch)' }),
    '    if _WIZARD_KEEP[0]:',
    '        _wizard_keep_now(trainer, done, total)',
    '    return out',
  ]
}

/** Lines inside a generated class (4-space indented): the train_step that reports. */
export function iterationMethodPy(): string[] {
  return ['', '    _wizard_reports_iterations = True', '', '    def train_step(self, batch):', '        return _wizard_train_step(self, super().train_step, batch)']
}

/** The line of a generated __init__ that installs the SIGUSR2 handler. */
export const INSTALL_KEEP_LINE = '        _wizard_install_keep()'

/**
 * The `-c` preamble that makes nnU-Net's own v2 trainers report iterations and stop-and-keep: the
 * functions above, then nnUNetTrainer.train_step wrapped (every shipped trainer inherits it). It is
 * a fixed program: no user text enters it. Trainers that replace train_step without calling the
 * base's are run unchanged.
 */
export function iterationWrapperPy(): string {
  return [
    ...iterationFunctionsPy(),
    '',
    '',
    'def _wizard_wrap():',
    '    from nnunetv2.training.nnUNetTrainer.nnUNetTrainer import nnUNetTrainer as _T',
    "    if getattr(_T.train_step, '_wizard', False):",
    '        return',
    '    original = _T.train_step',
    '',
    '    def train_step(self, batch):',
    "        if getattr(self, '_wizard_reports_iterations', False):",
    '            return original(self, batch)  # a generated trainer reports itself',
    '        return _wizard_train_step(self, lambda b: original(self, b), batch)',
    '',
    '    train_step._wizard = True',
    '    _T.train_step = train_step',
    '    _wizard_install_keep()',
    '',
    '',
    '_wizard_wrap()',
  ].join('\n')
}

// ---------------------------------------------------------------- nnU-Net v1
//
// v1 (nnunet 1.7.1, NetworkTrainer.run_training): each epoch runs
// `self.run_iteration(self.tr_gen, True)` num_batches_per_epoch times (inside a tqdm bar only with
// use_progress_bar, off unless nnunet_use_progress_bar=1), then the validation batches through the same
// method with do_backprop False. So a run_iteration that counts only do_backprop calls counts
// exactly the training iterations; the epoch is self.epoch (0-based, as nnU-Net's "epoch:  0").
// "Stop and keep" is v2 only: v1's checkpoints are saved by its own schedule.

/** Module-level Python (no indentation) of a v1 trainer or wrapper: the counter and its report. */
export function iterationFunctionsV1Py(): string[] {
  return [
    'import time as _wz_time',
    '',
    '',
    'def _wizard_train_iteration(trainer, run):',
    ...countIterationPy({ epoch: 'trainer.epoch', total: 'trainer.num_batches_per_epoch', call: 'run()' }),
    '    return out',
  ]
}

/** Lines inside a generated v1 class (4-space indented): the run_iteration that reports training batches. */
export function iterationMethodV1Py(): string[] {
  return [
    '',
    '    _wizard_reports_iterations = True',
    '',
    '    def run_iteration(self, data_generator, do_backprop=True, *args, **kwargs):',
    '        step = super().run_iteration',
    '        if not do_backprop:',
    '            return step(data_generator, do_backprop, *args, **kwargs)  # a validation batch',
    '        return _wizard_train_iteration(self, lambda: step(data_generator, do_backprop, *args, **kwargs))',
  ]
}

/**
 * The `-c` preamble that makes nnU-Net v1's own trainers report iterations: NetworkTrainer.run_training
 * (which every v1 trainer's run_training reaches through super()) first puts a counting run_iteration
 * on the trainer's class, around whatever run_iteration it has. On the class, not the instance: a
 * closure kept on the instance that names the instance is a reference cycle, so the trainer (and its
 * batchgenerators workers) outlived main() and were torn down at interpreter exit, where the main
 * process hung reading from its dead workers. A fixed program: no user text enters it.
 */
export function iterationWrapperV1Py(): string {
  return [
    ...iterationFunctionsV1Py(),
    '',
    '',
    'def _wizard_wrap_v1():',
    '    from nnunet.training.network_training.network_trainer import NetworkTrainer as _T',
    "    if getattr(_T.run_training, '_wizard', False):",
    '        return',
    '    original = _T.run_training',
    '',
    '    def run_training(self, *args, **kwargs):',
    '        cls = type(self)',
    "        if not getattr(cls, '_wizard_reports_iterations', False):  # a generated trainer reports itself",
    '            step = cls.run_iteration',
    '',
    '            def run_iteration(trainer, data_generator, do_backprop=True, *a, **k):',
    '                if not do_backprop:',
    '                    return step(trainer, data_generator, do_backprop, *a, **k)',
    '                return _wizard_train_iteration(trainer, lambda: step(trainer, data_generator, do_backprop, *a, **k))',
    '',
    '            cls.run_iteration = run_iteration',
    '            cls._wizard_reports_iterations = True',
    '        return original(self, *args, **kwargs)',
    '',
    '    run_training._wizard = True',
    '    _T.run_training = run_training',
    '',
    '',
    '_wizard_wrap_v1()',
  ].join('\n')
}
