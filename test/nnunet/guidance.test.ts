// Known failures -> guidance, on the messages nnU-Net and its libraries really print.
import { describe, expect, it } from 'vitest'
import { GuidanceMatcher } from '../../electron/nnunet/guidance'

const cases: [string, string][] = [
  ['too-few-cases', 'ValueError: Cannot have number of splits n_splits=5 greater than the number of samples: n_samples=4.'],
  ['find-best-needs-npz', "RuntimeError: No .npz files found in folder /r/Dataset004_X/nnUNetTrainer__nnUNetPlans__3d_fullres/fold_0/validation. Rerun your validation with the --npz flag. Use nnUNetv2_train [...] --val --npz."],
  ['find-best-needs-npz', 'AssertionError: Validation directory missing: /r/x. Please rerun validation with `nnUNet_train CONFIG TRAINER TASK FOLD -val --npz`'],
  ['torch-compile-failed', 'torch._dynamo.exc.BackendCompilerFailed: backend=\'inductor\' raised:'],
  ['augmentation-workers-died', 'RuntimeError: One or more background workers are no longer alive. Exiting. Please check the print statements above for the actual error message'],
  ['augmentation-workers-died', 'RuntimeError: Some background workers are no longer alive'],
  ['folders-not-set', 'RuntimeError: nnUNet_preprocessed is not defined. nnU-Net cannot be used for preprocessing or training.'],
  ['folders-not-set', 'RESULTS_FOLDER is not defined and nnU-Net cannot be used for training or inference.'],
  ['dataset-not-found', 'RuntimeError: Could not find a dataset with the ID 7. Make sure the requested dataset ID exists'],
  ['dataset-not-found', 'RuntimeError: Could not find a task with the ID 7. Make sure the requested task ID exists and that'],
  ['dataset-id-collision', 'RuntimeError: More than one dataset name found for dataset id 1. Please correct that.'],
  ['nnunet-not-installed', "ModuleNotFoundError: No module named 'nnunet'"],
  ['nnunet-not-installed', "ModuleNotFoundError: No module named 'nnunetv2'"],
]

describe('guidance from nnU-Net failures', () => {
  it.each(cases)('%s <- %s', (code, line) => {
    const found = new GuidanceMatcher().match(line)
    expect(found.map((f) => f.code)).toEqual([code])
    expect(found[0]!.hint).toBeTruthy()
  })

  it('says each thing once per run and ignores ordinary lines', () => {
    const m = new GuidanceMatcher()
    expect(m.match('2024-01-01: Epoch 3')).toEqual([])
    expect(m.match('Could not find a dataset with the ID 7.')).toHaveLength(1)
    expect(m.match('Could not find a dataset with the ID 7.')).toHaveLength(0)
  })
})
