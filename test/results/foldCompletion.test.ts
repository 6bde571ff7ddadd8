// A fold is finished only with its final checkpoint AND its validation summary.json: nnU-Net writes
// checkpoint_final before it validates, so a fold validating now (or a SLURM fold scancelled during
// its validation) has the checkpoint but no scores. Found by the third walkthrough: such a model was
// "finished" with no scores, Results and Predict opened on it as the newest, find_best offered it.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { foldCompletion } from '../../electron/nnunet/trainerOutputs'
import { trainedModels } from '../../electron/nnunet/folders'
import { readDatasetResults, readFold } from '../../electron/results/crossValidation'
import { orderModels } from '../../shared/resultsModels'
import { findBestChoices } from '../../shared/findBest'
import { modelsNewestFirst } from '../../renderer/steps/predict/predictFolders'
import { trainedModelFor } from '../../electron/results/modelChoice'
import { resultsHtml } from '../../electron/results/report'
import * as s from '../../shared/schema'

const labels = [{ name: 'liver', value: 1 }]
/** A v2 validation summary.json of one case (nnunetv2's save_summary_json layout). */
const summary = JSON.stringify({ foreground_mean: { Dice: 0.8 }, mean: { '1': { Dice: 0.8 } }, metric_per_case: [{ metrics: { '1': { Dice: 0.8, FP: 10, FN: 10, TP: 40 } }, prediction_file: '/p/demo_001.nii.gz', reference_file: '/r/demo_001.nii.gz' }] })
const logLine = '2026-12-07 12:00:00.000000: predicting demo_001 \n'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-foldcompletion-'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

async function fold(dir: string, opts: { checkpoint?: string; summary?: string; log?: 'fresh' | 'old' }): Promise<string> {
  await mkdir(dir, { recursive: true })
  if (opts.checkpoint) await writeFile(join(dir, opts.checkpoint), 'ckpt')
  if (opts.summary) {
    await mkdir(join(dir, opts.summary, '..'), { recursive: true })
    await writeFile(join(dir, opts.summary), summary)
  }
  if (opts.log) {
    const log = join(dir, 'training_log_2026_12_7_11_00_00.txt')
    await writeFile(log, logLine)
    if (opts.log === 'old') {
      const old = new Date(Date.now() - 3_600_000)
      await utimes(log, old, old)
    }
  }
  return dir
}

describe('foldCompletion (a fold folder on disk)', () => {
  it('v2: checkpoint_final alone is unvalidated; with validation/summary.json finished; neither none', async () => {
    expect(foldCompletion('v2', await fold(join(tmp, 'a', 'fold_0'), { checkpoint: 'checkpoint_final.pth' }))).toBe('unvalidated')
    expect(foldCompletion('v2', await fold(join(tmp, 'b', 'fold_0'), { checkpoint: 'checkpoint_final.pth', summary: 'validation/summary.json' }))).toBe('finished')
    expect(foldCompletion('v2', await fold(join(tmp, 'c', 'fold_0'), { checkpoint: 'checkpoint_latest.pth', log: 'fresh' }))).toBe('none')
    // A summary without the final checkpoint is no finished fold either.
    expect(foldCompletion('v2', await fold(join(tmp, 'd', 'fold_0'), { summary: 'validation/summary.json' }))).toBe('none')
  })

  it('v1: model_final_checkpoint.model with validation_raw/summary.json', async () => {
    expect(foldCompletion('v1', await fold(join(tmp, 'v1a', 'fold_0'), { checkpoint: 'model_final_checkpoint.model' }))).toBe('unvalidated')
    expect(foldCompletion('v1', await fold(join(tmp, 'v1b', 'fold_0'), { checkpoint: 'model_final_checkpoint.model', summary: 'validation_raw/summary.json' }))).toBe('finished')
    // v2's summary folder does not count for v1.
    expect(foldCompletion('v1', await fold(join(tmp, 'v1c', 'fold_0'), { checkpoint: 'model_final_checkpoint.model', summary: 'validation/summary.json' }))).toBe('unvalidated')
  })

  it('readFold: validating (fresh log, a live lock holder), unvalidated (stopped in validation), finished with scores', async () => {
    const trainer = 'nnUNetTrainer_Wizard_2ep'
    const validating = await readFold(await fold(join(tmp, 'rf1'), {}).then(async (m) => (await fold(join(m, 'fold_0'), { checkpoint: 'checkpoint_final.pth', log: 'fresh' }), m)), 0, 'v2', trainer, labels, Date.now(), async () => true)
    expect(validating.fold).toMatchObject({ state: 'validating', cases: 0, mean: null })
    const cut = await readFold(await fold(join(tmp, 'rf2'), {}).then(async (m) => (await fold(join(m, 'fold_0'), { checkpoint: 'checkpoint_final.pth', log: 'old' }), m)), 0, 'v2', trainer, labels)
    expect(cut.fold.state).toBe('unvalidated')
    const done = await readFold(await fold(join(tmp, 'rf3'), {}).then(async (m) => (await fold(join(m, 'fold_0'), { checkpoint: 'checkpoint_final.pth', summary: 'validation/summary.json', log: 'fresh' }), m)), 0, 'v2', trainer, labels)
    expect(done.fold).toMatchObject({ state: 'finished', cases: 1, mean: 0.8 })
    expect(done.cases.map((c) => c.case)).toEqual(['demo_001'])
  })
})

describe('default model: the one with finished folds, not the newest cut short in validation', () => {
  let settings: s.Settings
  const finishedModel = 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d'
  const cutModel = 'nnUNetTrainer_Wizard_3ep__nnUNetPlans__2d'
  beforeAll(async () => {
    const f = { raw: join(tmp, 'nn', 'raw'), preprocessed: join(tmp, 'nn', 'pre'), results: join(tmp, 'nn', 'res') }
    settings = s.settings.parse({ nnunetVersion: 'v2', folders: f })
    const ds = 'Dataset042_Demo'
    await mkdir(join(f.raw, ds), { recursive: true })
    await writeFile(join(f.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining: 4 }))
    // The older model: fold 0 finished and validated (checkpoints an hour old).
    const a = await fold(join(f.results, ds, finishedModel, 'fold_0'), { checkpoint: 'checkpoint_final.pth', summary: 'validation/summary.json', log: 'old' })
    const old = new Date(Date.now() - 3_600_000)
    await utimes(join(a, 'checkpoint_final.pth'), old, old)
    // The newer model: folds 0 and 1 scancelled during their validation (checkpoint_final, no summary).
    await fold(join(f.results, ds, cutModel, 'fold_0'), { checkpoint: 'checkpoint_final.pth', log: 'old' })
    await fold(join(f.results, ds, cutModel, 'fold_1'), { checkpoint: 'checkpoint_final.pth', log: 'old' })
  })

  it('trainedModels: finished lists validated folds only, unvalidated the rest; Predict and find_best prefer the finished model', async () => {
    const models = await trainedModels(settings)
    const byTrainer = Object.fromEntries(models.map((m) => [m.trainer, m]))
    expect(byTrainer['nnUNetTrainer_Wizard_3ep']).toMatchObject({ folds: ['0', '1'], finished: [], unvalidated: ['0', '1'] })
    expect(byTrainer['nnUNetTrainer_Wizard_2ep']).toMatchObject({ folds: ['0'], finished: ['0'] })
    expect(byTrainer['nnUNetTrainer_Wizard_2ep']!.unvalidated).toBeUndefined()
    // The cut model is newer, yet Predict preselects the finished one.
    expect(byTrainer['nnUNetTrainer_Wizard_3ep']!.modifiedAt!).toBeGreaterThan(byTrainer['nnUNetTrainer_Wizard_2ep']!.modifiedAt!)
    expect(modelsNewestFirst(models)[0]!.trainer).toBe('nnUNetTrainer_Wizard_2ep')
    expect(findBestChoices(models, 42).map((c) => c.trainer)).toEqual(['nnUNetTrainer_Wizard_2ep'])
    // Its final checkpoints still predict: predict without --trainer sees both models and names both.
    expect(() => trainedModelFor(models, { datasetId: 42, configuration: '2d' })).toThrow(/nnUNetTrainer_Wizard_3ep \(plans nnUNetPlans; finished folds none; not validated: folds 0, 1\)/)
  })

  it('Results opens on the finished model and keeps its cross-validation cases; the cut one stays listed', async () => {
    const models = await trainedModels(settings)
    const times = new Map(models.map((m) => [m.folder, m.modifiedAt ?? 0]))
    const r = await readDatasetResults(settings, { datasetId: 42 })
    const order = orderModels(r.models, (m) => times.get(m.folder) ?? 0)
    expect(order.shown.map((m) => m.model)).toEqual([cutModel, finishedModel])
    expect(order.first!.model).toBe(finishedModel)
    expect(r.models.find((m) => m.model === cutModel)!.folds.slice(0, 2).map((f) => f.state)).toEqual(['unvalidated', 'unvalidated'])
    expect(r.cases.filter((c) => c.model === order.first!.model).map((c) => c.case)).toEqual(['demo_001'])
    // The report names the cut folds' state and prints no NaN for a model without scores.
    const html = resultsHtml({ results: { ...r, models: order.shown }, facts: { cases: { train: 4, test: 0 }, voxels: {} }, commands: {}, generatedAt: new Date(0) })
    expect(html).toContain('<td class="l">unvalidated</td>')
    expect(html).not.toContain('NaN')
  })
})
