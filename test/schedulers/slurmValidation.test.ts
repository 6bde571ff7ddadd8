// A SLURM training that ended COMPLETED shows its final validation Dice like a local one: the job's
// result carries the fold's validation/summary.json read by the same function (finalValidation),
// also when a restarted app re-attaches the task from its registry. A fake scheduler stands in for
// SLURM (the real one is in slurm*.integration tests); the files are as nnU-Net v2 writes them.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { datasetOfFoldFolder, finalValidation } from '../../electron/nnunet/finalValidation'
import { createCluster } from '../../electron/schedulers/cluster'
import type { Scheduler } from '../../electron/schedulers/types'
import * as s from '../../shared/schema'

// The shape (and numbers) of fold_0/validation/summary.json of the trained 2-fold fixture (Dataset611,
// nnUNetTrainer_Wizard_2ep_2it, 2d), one case; NaN as Python's json.dump writes it.
const summaryJson = `{
    "foreground_mean": { "Dice": 0.06390086276286705, "FN": 22269.0, "FP": 25073.5, "IoU": 0.033369040066267314, "TN": 320096.5, "TP": 2221.0, "n_pred": 27294.5, "n_ref": 24490.0 },
    "mean": {
        "1": { "Dice": 0.10024228835931003, "FN": 35192.0, "FP": 39451.0, "IoU": 0.0527658278448243, "TN": 290859.0, "TP": 4158.0, "n_pred": 43609.0, "n_ref": 39350.0 },
        "2": { "Dice": 0.027559437166424065, "FN": 9346.0, "FP": 10696.0, "IoU": 0.013972252287710322, "TN": 349334.0, "TP": 284.0, "n_pred": 10980.0, "n_ref": 9630.0 },
        "3": { "Dice": NaN, "FN": 0.0, "FP": 0.0, "IoU": NaN, "TN": 360000.0, "TP": 0.0, "n_pred": 0.0, "n_ref": 0.0 }
    },
    "metric_per_case": [
        { "metrics": { "1": { "Dice": 0.10024228835931003 }, "2": { "Dice": 0.027559437166424065 }, "3": { "Dice": NaN } },
          "prediction_file": "/x/fold_0/validation/liver_001.nii.gz", "reference_file": "/x/gt_segmentations/liver_001.nii.gz" }
    ]
}
`
const datasetJson = { channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1, spleen: 2, kidney: 3 }, numTraining: 5, file_ending: '.nii.gz' }

describe('final validation of a SLURM training', () => {
  let tmp: string
  let settings: s.Settings
  let fold: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-slurm-validation-'))
    const folders = { raw: join(tmp, 'nnUNet_raw'), preprocessed: join(tmp, 'nnUNet_preprocessed'), results: join(tmp, 'nnUNet_results') }
    settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    await mkdir(join(folders.raw, 'Dataset611_Results'), { recursive: true })
    await writeFile(join(folders.raw, 'Dataset611_Results', 'dataset.json'), JSON.stringify(datasetJson))
    fold = join(folders.results, 'Dataset611_Results', 'nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d', 'fold_0')
    await mkdir(join(fold, 'validation'), { recursive: true })
    await writeFile(join(fold, 'validation', 'summary.json'), summaryJson)
    await writeFile(join(fold, 'checkpoint_final.pth'), 'weights')
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('finds the dataset a fold folder lies under (v2 and v1 layouts)', () => {
    expect(datasetOfFoldFolder(fold)).toBe('Dataset611_Results')
    expect(datasetOfFoldFolder('/r/nnUNet/3d_fullres/Task004_Hippocampus/nnUNetTrainerV2__nnUNetPlansv2.1/fold_1')).toBe('Task004_Hippocampus')
    expect(datasetOfFoldFolder('/somewhere/fold_0')).toBeUndefined()
  })

  it('reads the Dice per named label from the fold alone', async () => {
    const v = await finalValidation(settings, fold)
    expect(v?.labels).toEqual([
      { key: '1', name: 'liver', dice: 0.10024228835931003 },
      { key: '2', name: 'spleen', dice: 0.027559437166424065 },
      { key: '3', name: 'kidney', dice: null },
    ])
    expect(v?.mean).toBeCloseTo(0.0639, 4)
    expect(v?.cases).toBe(1)
    // A fold without a validation (fold "all", stopped early) has none.
    expect(await finalValidation(settings, join(fold, '..', 'fold_all'))).toBeUndefined()
  })

  it('puts it in the result of the job that followed the COMPLETED task, after a re-attach', async () => {
    const log = join(tmp, 'task.log')
    await writeFile(log, 'Epoch 1\nMean Validation Dice: 0.0862\n')
    const completed: Scheduler = {
      kind: 'slurm',
      submit: async () => ({ id: '77' }),
      state: async () => [{ id: '77_0', state: 'COMPLETED', node: 'node1', elapsedSeconds: 60, exitCode: 0 }],
      logLocation: async () => log,
      cancel: async () => {},
      signal: async () => {},
    }
    const registry = join(tmp, 'slurm-tasks.json')
    await writeFile(registry, JSON.stringify({ format: 'nnunet-wizard-slurm-tasks', version: 1, tasks: [{ taskId: '77_0', kind: 'train', title: 'Train 2d fold 0 (dataset 611)', logFile: log, tool: { script: 'nnUNetv2_train', entry: 'nnunetv2.run.run_training:run_training_entry' }, args: ['611', '2d', '0'], totalEpochs: 2, outputFolder: fold }] }))
    const jobs = new JobManager(join(tmp, 'jobs'))
    const cluster = createCluster({ jobs, dataDir: tmp, settings: async () => settings, registry, scheduler: completed, pollMs: 20 })
    await cluster.reattach()
    const [job] = await jobs.list()
    const done = await jobs.wait(job!.id)
    expect(done.state, done.error).toBe('done')
    expect(done.result).toMatchObject({ taskId: '77_0', state: 'COMPLETED', outputFolder: fold, checkpoints: ['checkpoint_final.pth'], validation: { mean: expect.closeTo(0.0639, 4), labels: [{ name: 'liver' }, { name: 'spleen' }, { name: 'kidney' }] } })
    // Ended: the registry forgets it (written after the job ends; waited for so the folder is still there).
    await new Promise((r) => setTimeout(r, 300))
    expect(JSON.parse(await readFile(registry, 'utf8')).tasks).toEqual([])
  })
})
