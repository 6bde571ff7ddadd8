// argv of nnU-Net's evaluation and model-sharing tools, checked against their argparse
// definitions (nnunetv2 2.8.1 evaluate_predictions.py / model_sharing/entry_points.py; nnunet
// 1.7.1 evaluator.py / pretrained_models); the integration test runs the v2 ones for real.
import { describe, expect, it } from 'vitest'
import { generatedTrainerOf } from '../../electron/results/toolJobs'
import { evaluateArgs, exportModelArgs, importModelArgs } from '../../electron/results/tools'

const ev = { reference: '/raw/D/labelsTs', predictions: '/p', datasetJson: '/p/dataset.json', plans: '/p/plans.json', labels: [1, 2], processes: 2, partial: false }

describe('result tools', () => {
  it('v2 evaluate_folder: gt, pred, -djfile, -pfile, -o, -np; --chill only for a partial set', () => {
    expect(evaluateArgs('v2', ev, '/p/summary.json')).toEqual({
      tool: { script: 'nnUNetv2_evaluate_folder', entry: 'nnunetv2.evaluation.evaluate_predictions:evaluate_folder_entry_point' },
      args: ['/raw/D/labelsTs', '/p', '-djfile', '/p/dataset.json', '-pfile', '/p/plans.json', '-o', '/p/summary.json', '-np', '2'],
    })
    expect(evaluateArgs('v2', { ...ev, partial: true }, '/p/summary.json').args.at(-1)).toBe('--chill')
  })

  it('v1 nnUNet_evaluate_folder: -ref -pred -l (it always writes pred/summary.json)', () => {
    expect(evaluateArgs('v1', ev, '/p/summary.json')).toEqual({ tool: { script: 'nnUNet_evaluate_folder', entry: 'nnunet.evaluation.evaluator:nnunet_evaluate_folder' }, args: ['-ref', '/raw/D/labelsTs', '-pred', '/p', '-l', '1', '2'] })
  })

  it('export and install, both versions', () => {
    const a = { datasetId: 7, output: '/o/m.zip', configurations: ['3d_fullres', '2d'], trainer: 'T', plans: 'P', folds: [0, 1] as (number | 'all')[] }
    expect(exportModelArgs('v2', a).args).toEqual(['-d', '7', '-o', '/o/m.zip', '-c', '3d_fullres', '2d', '-tr', 'T', '-p', 'P', '-f', '0', '1', '-chk', 'checkpoint_final.pth'])
    expect(exportModelArgs('v2', a).tool.script).toBe('nnUNetv2_export_model_to_zip')
    expect(exportModelArgs('v1', a).args).toEqual(['-t', '7', '-o', '/o/m.zip', '-m', '3d_fullres', '2d', '-tr', 'T', '-pl', 'P', '-f', '0', '1'])
    expect(importModelArgs('v2', '/z.zip')).toEqual({ tool: { script: 'nnUNetv2_install_pretrained_model_from_zip', entry: 'nnunetv2.model_sharing.entry_points:install_from_zip_entry_point' }, args: ['/z.zip'] })
    expect(importModelArgs('v1', '/z.zip').tool.script).toBe('nnUNet_install_pretrained_model_from_zip')
  })

  it("reads the app's generated trainer names back (to write them again on import)", () => {
    expect(generatedTrainerOf('nnUNetTrainer_Wizard_2ep_2it')).toEqual({ base: 'nnUNetTrainer', epochs: 2, iterationsPerEpoch: 2 })
    expect(generatedTrainerOf('nnUNetTrainerV2_Wizard_50ep')).toEqual({ base: 'nnUNetTrainerV2', epochs: 50 })
    expect(generatedTrainerOf('nnUNetTrainer_Wizard_5ep_TopkLoss')).toBeNull()
    expect(generatedTrainerOf('nnUNetTrainer')).toBeNull()
  })
})
