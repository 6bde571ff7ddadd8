// argv builders against the argparse definitions of nnunet 1.7.1 and nnunetv2 2.8.1.
import { describe, expect, it } from 'vitest'
import { convertMsdArgs, displayCommand, findBestArgs, planArgs, predictArgs, preprocessConfigurations, trainArgs } from '../../shared/nnunetArgs'
import * as s from '../../shared/schema'
import { entryProgram, invocation } from '../../electron/nnunet/launch'

const train = (r: Partial<s.TrainRequest>) => s.trainRequest.parse({ datasetId: 4, configuration: '3d_fullres', fold: 0, ...r })
const predict = (r: Partial<s.PredictRequest>) => s.predictRequest.parse({ datasetId: 4, input: '/in put', output: '/out', configuration: '3d_fullres', ...r })

describe('nnU-Net v2 argv', () => {
  it('converts an MSD task into the requested id', () => {
    expect(convertMsdArgs('v2', '/data/Task04_Hippocampus', { outputId: 4, processes: 2 })).toEqual({
      tool: { script: 'nnUNetv2_convert_MSD_dataset', entry: 'nnunetv2.dataset_conversion.convert_MSD_dataset:entry_point' },
      args: ['-i', '/data/Task04_Hippocampus', '-overwrite_id', '4', '-np', '2'],
    })
  })

  it('plans with --verify_dataset_integrity, configurations and process counts', () => {
    const cmd = planArgs('v2', { datasetId: 4, verifyIntegrity: true, configurations: ['3d_fullres'], processes: 2 })
    expect(cmd.tool.script).toBe('nnUNetv2_plan_and_preprocess')
    expect(cmd.args).toEqual(['-d', '4', '--verify_dataset_integrity', '-c', '3d_fullres', '-np', '2', '-npfp', '2'])
    expect(planArgs('v2', { datasetId: 12, verifyIntegrity: false }).args).toEqual(['-d', '12'])
  })

  it('preprocesses 3d_lowres and 3d_fullres for the cascade (v2 -c does not take it)', () => {
    expect(preprocessConfigurations(['3d_cascade_fullres', '2d'])).toEqual(['2d', '3d_fullres', '3d_lowres'])
  })

  it('trains DATASET CONFIG FOLD with trainer, --npz, continue, validation only, weights and device', () => {
    expect(trainArgs('v2', train({}), { trainer: 'nnUNetTrainer', device: 'cuda' }).args).toEqual(['4', '3d_fullres', '0', '-tr', 'nnUNetTrainer', '--npz', '-device', 'cuda'])
    expect(trainArgs('v2', train({ fold: 'all', npz: false, continueTraining: true, plans: 'nnUNetResEncUNetMPlans' }), { trainer: 'nnUNetTrainer_Wizard_20ep', device: 'cpu' }).args).toEqual([
      '4', '3d_fullres', 'all', '-tr', 'nnUNetTrainer_Wizard_20ep', '-p', 'nnUNetResEncUNetMPlans', '--c', '-device', 'cpu',
    ])
    expect(trainArgs('v2', train({ validationOnly: true }), { trainer: 'nnUNetTrainer' }).args).toContain('--val')
    expect(trainArgs('v2', train({ pretrainedWeights: '/w/checkpoint_final.pth' }), { trainer: 'nnUNetTrainer', device: 'mps' }).args).toEqual([
      '4', '3d_fullres', '0', '-tr', 'nnUNetTrainer', '-pretrained_weights', '/w/checkpoint_final.pth', '--npz', '-device', 'mps',
    ])
  })

  it('refuses to continue a training and load pretrained weights at once (nnU-Net would fail later)', () => {
    expect(() => trainArgs('v2', train({ continueTraining: true, pretrainedWeights: '/w.pth' }), { trainer: 'nnUNetTrainer' })).toThrow(/cannot be combined/)
  })

  it('predicts with -i -o -d -c -f -tr -chk -device', () => {
    const cmd = predictArgs('v2', predict({ folds: [0, 1, 'all'], checkpoint: 'checkpoint_best.pth' }), { trainer: 'nnUNetTrainer', device: 'cpu', processes: 1 })
    expect(cmd.tool.script).toBe('nnUNetv2_predict')
    expect(cmd.args).toEqual(['-i', '/in put', '-o', '/out', '-d', '4', '-c', '3d_fullres', '-f', '0', '1', 'all', '-tr', 'nnUNetTrainer', '-chk', 'checkpoint_best.pth', '-npp', '1', '-nps', '1', '-device', 'cpu'])
  })

  it('preprocesses only, with the existing plans, for fine-tuning (nnUNetv2_preprocess -plans_name -c -np per configuration)', () => {
    const cmd = planArgs('v2', { datasetId: 4, verifyIntegrity: false, configurations: ['3d_fullres'], processes: 2, preprocessOnly: true, plansName: 'nnUNetResEncUNetMPlans' })
    expect(cmd.tool).toEqual({ script: 'nnUNetv2_preprocess', entry: 'nnunetv2.experiment_planning.plan_and_preprocess_entrypoints:preprocess_entry' })
    expect(cmd.args).toEqual(['-d', '4', '-plans_name', 'nnUNetResEncUNetMPlans', '-c', '3d_fullres', '-np', '2'])
    expect(planArgs('v2', { datasetId: 4, verifyIntegrity: true, preprocessOnly: true }).args).toEqual(['-d', '4', '-plans_name', 'nnUNetPlans'])
    expect(() => planArgs('v1', { datasetId: 4, verifyIntegrity: false, preprocessOnly: true })).toThrow(/nnU-Net v2/)
  })

  it('saves the probabilities for Review (--save_probabilities) only when asked', () => {
    expect(predictArgs('v2', predict({ saveProbabilities: true }), { trainer: 'nnUNetTrainer' }).args).toContain('--save_probabilities')
    expect(predictArgs('v2', predict({}), { trainer: 'nnUNetTrainer' }).args).not.toContain('--save_probabilities')
  })

  it('finds the best configuration over folds', () => {
    expect(findBestArgs('v2', { datasetId: 4, configurations: ['2d', '3d_fullres'], trainer: 'nnUNetTrainer' }).args).toEqual(['4', '-c', '2d', '3d_fullres', '-f', '0', '1', '2', '3', '4', '-tr', 'nnUNetTrainer'])
  })
})

describe('nnU-Net v1 argv', () => {
  it('converts a Decathlon task with nnUNet_convert_decathlon_task', () => {
    expect(convertMsdArgs('v1', '/data/Task04_Hippocampus', { processes: 2, outputId: 4 })).toEqual({
      tool: { script: 'nnUNet_convert_decathlon_task', entry: 'nnunet.experiment_planning.nnUNet_convert_decathlon_task:main' },
      args: ['-i', '/data/Task04_Hippocampus', '-p', '2', '-output_task_id', '4'],
    })
  })

  it('plans with -t, planners switched off for configurations not asked for, -tl/-tf and the integrity check', () => {
    expect(planArgs('v1', { datasetId: 4, verifyIntegrity: true }).args).toEqual(['-t', '4', '--verify_dataset_integrity'])
    expect(planArgs('v1', { datasetId: 4, verifyIntegrity: true, configurations: ['3d_fullres'], processes: 1 }).args).toEqual(['-t', '4', '-pl2d', 'None', '-tl', '1', '-tf', '1', '--verify_dataset_integrity'])
    expect(planArgs('v1', { datasetId: 4, verifyIntegrity: false, configurations: ['2d'] }).args).toEqual(['-t', '4', '-pl3d', 'None'])
  })

  it('trains CONFIG TRAINER TASK FOLD with --npz, -c, -val and -pretrained_weights (no device flag in v1)', () => {
    expect(trainArgs('v1', train({}), { trainer: 'nnUNetTrainerV2', device: 'cpu' })).toEqual({
      tool: { script: 'nnUNet_train', entry: 'nnunet.run.run_training:main' },
      args: ['3d_fullres', 'nnUNetTrainerV2', '4', '0', '--npz'],
    })
    expect(trainArgs('v1', train({ configuration: '3d_cascade_fullres', fold: 'all', continueTraining: true, validationOnly: true }), { trainer: 'nnUNetTrainerV2CascadeFullRes' }).args).toEqual([
      '3d_cascade_fullres', 'nnUNetTrainerV2CascadeFullRes', '4', 'all', '--npz', '-c', '-val',
    ])
  })

  it('predicts with -t -m -f -tr and a v1 checkpoint name', () => {
    expect(predictArgs('v1', predict({ folds: [0], checkpoint: 'model_best' }), { trainer: 'nnUNetTrainerV2' }).args).toEqual([
      '-i', '/in put', '-o', '/out', '-t', '4', '-m', '3d_fullres', '-f', '0', '-tr', 'nnUNetTrainerV2', '-chk', 'model_best',
    ])
  })

  it('finds the best configuration with -m ... -t', () => {
    expect(findBestArgs('v1', { datasetId: 4, configurations: ['2d', '3d_fullres'], folds: [0, 1] }).args).toEqual(['-m', '2d', '3d_fullres', '-t', '4', '-f', '0', '1'])
  })
})

describe('launching', () => {
  it('runs the entry point through the interpreter when no console script sits next to it', () => {
    const cmd = trainArgs('v2', train({}), { trainer: 'nnUNetTrainer' })
    const inv = invocation('/nonexistent/bin/python', cmd)
    expect(inv.file).toBe('/nonexistent/bin/python')
    expect(inv.args[0]).toBe('-c')
    expect(inv.args[1]).toBe(entryProgram(cmd.tool))
    expect(inv.args[1]).toContain('from nnunetv2.run.run_training import run_training_entry')
    expect(inv.args.slice(2)).toEqual(cmd.args)
  })

  it('shows a command as a researcher would type it, quoting only what needs it', () => {
    expect(displayCommand(predictArgs('v2', predict({}), { trainer: 'nnUNetTrainer' }))).toBe("nnUNetv2_predict -i '/in put' -o /out -d 4 -c 3d_fullres -f 0 -tr nnUNetTrainer")
  })
})
