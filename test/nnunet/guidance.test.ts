// Known failures -> guidance, on the messages nnU-Net and its libraries really print.
import { describe, expect, it } from 'vitest'
import { GuidanceMatcher, revalidateCommand } from '../../electron/nnunet/guidance'

// [code, the line nnU-Net prints, what the hint must tell the user to do]
const cases: [string, string, string][] = [
  ['too-few-cases', 'ValueError: Cannot have number of splits n_splits=5 greater than the number of samples: n_samples=4.', "Train with fold 'all'"],
  [
    'find-best-needs-npz',
    'RuntimeError: No .npz files found in folder /r/Dataset004_X/nnUNetTrainer__nnUNetPlans__3d_fullres/fold_0/validation. Rerun your validation with the --npz flag. Use nnUNetv2_train [...] --val --npz.',
    '(nnUNetv2_train DATASET CONFIGURATION FOLD -tr TRAINER --val --npz)',
  ],
  [
    'find-best-needs-npz',
    'AssertionError: Validation directory missing: /r/x. Please rerun validation with `nnUNet_train CONFIG TRAINER TASK FOLD -val --npz`',
    '(nnUNet_train CONFIGURATION TRAINER TASK FOLD -val --npz)',
  ],
  ['torch-compile-failed', "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:", 'nnUNet_compile=false'],
  ['augmentation-workers-died', 'RuntimeError: One or more background workers are no longer alive. Exiting. Please check the print statements above for the actual error message', 'nnUNet_n_proc_DA'],
  ['augmentation-workers-died', 'RuntimeError: Some background workers are no longer alive', 'nnUNet_n_proc_DA'],
  ['folders-not-set', 'RuntimeError: nnUNet_preprocessed is not defined. nnU-Net cannot be used for preprocessing or training.', 'Environment step'],
  ['folders-not-set', 'RESULTS_FOLDER is not defined and nnU-Net cannot be used for training or inference.', 'RESULTS_FOLDER'],
  ['dataset-not-found', 'RuntimeError: Could not find a dataset with the ID 7. Make sure the requested dataset ID exists', 'DatasetNNN_Name'],
  ['dataset-not-found', 'RuntimeError: Could not find a task with the ID 7. Make sure the requested task ID exists and that', 'nnUNet_raw_data/TaskNNN_Name'],
  ['dataset-id-collision', 'RuntimeError: More than one dataset name found for dataset id 1. Please correct that.', 'free id'],
  ['nnunet-not-installed', "ModuleNotFoundError: No module named 'nnunet'", 'pip install nnunet==1.7.1'],
  ['nnunet-not-installed', "ModuleNotFoundError: No module named 'nnunetv2'", 'Install nnU-Net for me'],
]

describe('the command that re-validates a fold with --npz', () => {
  it('is the version’s own tool with its own argument order', () => {
    expect(revalidateCommand('v2', { datasetId: 7, configuration: '2d', fold: 3, trainer: 'nnUNetTrainer_Wizard_50ep', plans: 'nnUNetPlans' })).toBe(
      'nnUNetv2_train 7 2d 3 -tr nnUNetTrainer_Wizard_50ep -p nnUNetPlans --npz --val',
    )
    // v1: nnUNet_train CONFIG TRAINER TASK FOLD, the default trainer nnUNetTrainerV2.
    expect(revalidateCommand('v1', { datasetId: 7, configuration: '3d_fullres', fold: 0 })).toBe('nnUNet_train 3d_fullres nnUNetTrainerV2 7 0 --npz -val')
    expect(revalidateCommand('v1')).toBe('nnUNet_train CONFIGURATION TRAINER TASK FOLD -val --npz')
    expect(revalidateCommand('v2')).toBe('nnUNetv2_train DATASET CONFIGURATION FOLD -tr TRAINER --val --npz')
  })
})

describe('guidance from nnU-Net failures', () => {
  it.each(cases)('%s <- %s', (code, line, todo) => {
    const found = new GuidanceMatcher().match(line)
    expect(found).toEqual([{ severity: 'error', code, text: expect.any(String), hint: expect.stringContaining(todo) }])
  })

  it('names the re-validation command of the version that printed the message, never the other', () => {
    const v1 = new GuidanceMatcher().match(cases[2]![1])[0]!
    expect(v1.hint).not.toContain('nnUNetv2_train')
    const v2 = new GuidanceMatcher().match(cases[1]![1])[0]!
    expect(v2.hint).not.toContain('nnUNet_train ')
  })

  it('says each thing once per run and ignores ordinary lines', () => {
    const m = new GuidanceMatcher()
    expect(m.match('2024-01-01: Epoch 3')).toEqual([])
    expect(m.match('Could not find a dataset with the ID 7.')).toHaveLength(1)
    expect(m.match('Could not find a dataset with the ID 7.')).toHaveLength(0)
  })
})
