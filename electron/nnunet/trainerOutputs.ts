// What a finished training must leave behind, checked after nnU-Net exits 0 instead of assumed:
// nnU-Net exits 0 even when its trainer saved nothing (v1's nnUNetTrainerV2_2epochs/_5epochs are
// benchmarking trainers whose save_checkpoint and validate are empty on purpose; a custom trainer
// can do the same), and then there is no model to predict with.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { NnunetVersion } from '../../shared/schema'

/** The files of a finished fold, relative to the fold folder (nnunet 1.7.1 / nnunetv2 2.8.1 names). */
export function finishedTrainingFiles(version: NnunetVersion): { checkpoints: string[]; validation: string } {
  return version === 'v2'
    ? { checkpoints: ['checkpoint_final.pth'], validation: join('validation', 'summary.json') }
    : { checkpoints: ['model_final_checkpoint.model', 'model_final_checkpoint.model.pkl'], validation: join('validation_raw', 'summary.json') }
}

/**
 * How far a fold folder got, from its files alone: finished when the final checkpoint and the
 * validation summary are both there; unvalidated when the final checkpoint is there without the
 * summary (nnU-Net writes checkpoint_final before it validates, so the fold is validating now, or
 * was stopped during its validation: a SLURM job cancelled then); none without the final checkpoint.
 * A fold without its summary has no scores, so it must not count as finished (Results opened on
 * such a model with no scores, the report printed NaN, find_best was offered folds it cannot read).
 */
export function foldCompletion(version: NnunetVersion, foldDir: string): 'finished' | 'unvalidated' | 'none' {
  const want = finishedTrainingFiles(version)
  if (!existsSync(join(foldDir, want.checkpoints[0]!))) return 'none'
  return existsSync(join(foldDir, want.validation)) ? 'finished' : 'unvalidated'
}

/** Trainers of nnU-Net that train but save and validate nothing, by design. */
const BENCHMARK_TRAINERS = /^nnUNetTrainerV2_(2|5)epochs$/

/**
 * Undefined when the fold folder holds the final checkpoint and the validation summary; else the
 * sentence that says what is missing and why.
 */
export function missingTrainingOutputs(version: NnunetVersion, outputFolder: string, trainer: string): string | undefined {
  const want = finishedTrainingFiles(version)
  const missingCkpt = want.checkpoints.filter((f) => !existsSync(join(outputFolder, f)))
  const missingVal = existsSync(join(outputFolder, want.validation)) ? [] : [want.validation]
  if (!missingCkpt.length && !missingVal.length) return undefined
  const missing = [...missingCkpt, ...missingVal].join(', ')
  const head = `nnU-Net ended without an error, but the training left no usable model: ${missing} ${missingCkpt.length + missingVal.length === 1 ? 'is' : 'are'} missing in ${outputFolder}.`
  let why: string
  if (BENCHMARK_TRAINERS.test(trainer)) {
    why = `${trainer} is one of nnU-Net v1's benchmarking trainers: it saves no checkpoint and skips the validation on purpose. Train with a number of epochs instead (the wizard then writes a trainer that saves and validates).`
  } else if (missingCkpt.length) {
    why = `The trainer ${trainer} saved no final checkpoint (does it override save_checkpoint, or turn checkpointing off?), so there is nothing to predict with. Fix the trainer, then train this fold again.`
  } else {
    why = `The trainer ${trainer} saved its checkpoint but ran no validation (does it override validate / perform_actual_validation?). Run "Validation only" for this fold, or fix the trainer.`
  }
  return `${head} ${why}`
}
