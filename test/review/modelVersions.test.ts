// Model versions (issue 21): a fine-tuning round resolved from a trained model (nnunet/fineTune.ts:
// nnUNetv2_preprocess with the model's plans, then TRAINER_ft2 from the fold's checkpoint_final.pth),
// recorded, and compared from nnU-Net-shaped result files (v2 summary.json per fold, a test
// folder's summary.json with the wizard's record of the model that predicted it).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fineTuneTrainerName, resolveFineTune } from '../../electron/nnunet/fineTune'
import { modelVersionsTable, readModelVersions, recordModelVersions } from '../../electron/results/modelVersions'
import { PREDICTION_ORIGIN_FILE } from '../../electron/results/predictionOrigin'
import { planArgs } from '../../shared/nnunetArgs'
import * as s from '../../shared/schema'

/** A v2 validation summary.json with one case per entry: [TP, FP, FN] per label (nnunetv2's shape). */
function summary(cases: { id: string; liver: [number, number, number]; spleen: [number, number, number] }[]): string {
  const metric = ([tp, fp, fn]: [number, number, number]) => ({ Dice: (2 * tp) / (2 * tp + fp + fn), FN: fn, FP: fp, TP: tp, TN: 100, IoU: 0, n_pred: tp + fp, n_ref: tp + fn })
  const per = cases.map((c) => ({ metrics: { '1': metric(c.liver), '2': metric(c.spleen) }, prediction_file: `/p/${c.id}.nii.gz`, reference_file: `/g/${c.id}.nii.gz` }))
  const mean = (k: '1' | '2') => ({ Dice: per.reduce((a, p) => a + p.metrics[k].Dice, 0) / per.length })
  return JSON.stringify({ foreground_mean: { Dice: (mean('1').Dice + mean('2').Dice) / 2 }, mean: { '1': mean('1'), '2': mean('2') }, metric_per_case: per }, null, 4)
}

describe('fine-tuning rounds and the versions table', () => {
  let tmp: string
  let settings: s.Settings
  const ds = 'Dataset042_Demo'
  const dataDir = () => join(tmp, 'app data')

  async function finishedFold(trainer: string, fold: number, liver: [number, number, number], spleen: [number, number, number]) {
    const f = join(settings.folders!.results, ds, `${trainer}__nnUNetPlans__2d`, `fold_${fold}`)
    await mkdir(join(f, 'validation'), { recursive: true })
    await writeFile(join(f, 'checkpoint_final.pth'), 'weights')
    await writeFile(join(f, 'validation', 'summary.json'), summary([{ id: `demo_00${fold}`, liver, spleen }]))
  }

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-versions-'))
    const base = join(tmp, 'nnunet')
    settings = s.settings.parse({ nnunetVersion: 'v2', folders: { raw: join(base, 'raw'), preprocessed: join(base, 'pre'), results: join(base, 'res') }, device: 'cpu' })
    await mkdir(join(settings.folders!.raw, ds), { recursive: true })
    await writeFile(join(settings.folders!.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1, spleen: 2 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining: 7 }))
    await mkdir(join(settings.folders!.preprocessed, ds), { recursive: true })
    await writeFile(join(settings.folders!.preprocessed, ds, 'nnUNetPlans.json'), JSON.stringify({ dataset_name: ds, plans_name: 'nnUNetPlans', configurations: { '2d': { data_identifier: 'nnUNetPlans_2d' } } }))
    // The parent, trained when the dataset had 5 cases (nnU-Net copies dataset.json into the model folder).
    await finishedFold('nnUNetTrainer', 0, [80, 20, 0], [10, 10, 10])
    await finishedFold('nnUNetTrainer', 1, [70, 10, 20], [20, 0, 0])
    await writeFile(join(settings.folders!.results, ds, 'nnUNetTrainer__nnUNetPlans__2d', 'dataset.json'), JSON.stringify({ numTraining: 5 }))
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('names each round after the root trainer', () => {
    expect(fineTuneTrainerName('nnUNetTrainer', 2)).toBe('nnUNetTrainer_ft2')
    expect(fineTuneTrainerName('nnUNetTrainer_Wizard_5ep_ft2', 3)).toBe('nnUNetTrainer_Wizard_5ep_ft3')
  })

  it('resolves a round: preprocess with the existing plans, then per fold TRAINER_ft2 from that fold’s final checkpoint', async () => {
    const plan = await resolveFineTune(s.fineTuneRequest.parse({ datasetId: 42, configuration: '2d', folds: [0, 1], epochs: 3 }), settings, dataDir(), [])
    expect(plan.trainer).toBe('nnUNetTrainer_ft2')
    expect(planArgs('v2', plan.preprocess!)).toMatchObject({ tool: { script: 'nnUNetv2_preprocess' }, args: ['-d', '42', '-plans_name', 'nnUNetPlans', '-c', '2d'] })
    expect(plan.trainings.map((t) => [t.fold, t.trainer, t.pretrainedWeights])).toEqual([0, 1].map((f) => [f, 'nnUNetTrainer_ft2', join(settings.folders!.results, ds, 'nnUNetTrainer__nnUNetPlans__2d', `fold_${f}`, 'checkpoint_final.pth')]))
    // The parent becomes version 1 (its case count from its own dataset.json copy); the round is version 2.
    expect(plan.versions.map((v) => [v.version, v.trainer, v.start, v.cases, v.parent?.version])).toEqual([
      [1, 'nnUNetTrainer', 'first', 5, undefined],
      [2, 'nnUNetTrainer_ft2', 'previous', 7, 1],
    ])
    // The generated trainer module (epochs as asked) in the wizard's trainer folder.
    const module = await readFile(join(dataDir(), 'trainers', 'nnUNetTrainer_ft2.py'), 'utf8')
    expect(module).toMatch(/class nnUNetTrainer_ft2\(/)
    await recordModelVersions(dataDir(), plan.versions)
    // The next round counts on: version 3, from the ft2 model, named after the root trainer.
    const next = await resolveFineTune(s.fineTuneRequest.parse({ datasetId: 42, configuration: '2d', trainer: 'nnUNetTrainer_ft2', folds: [0], start: 'scratch', skipPreprocess: true }), settings, dataDir(), await readModelVersions(dataDir()))
    expect(next.trainer).toBe('nnUNetTrainer_ft3')
    expect(next.preprocess).toBeUndefined()
    expect(next.trainings[0]!.pretrainedWeights).toBeUndefined()
    expect(next.versions.map((v) => v.version)).toEqual([3])
    await recordModelVersions(dataDir(), next.versions)
  })

  it('preprocesses with the machine\'s worker budget (as a prediction does), not nnU-Net\'s 8 processes', async () => {
    const plan = await resolveFineTune(s.fineTuneRequest.parse({ datasetId: 42, configuration: '2d', folds: [0] }), { ...settings, augmentationWorkers: 1 }, dataDir(), [])
    expect(planArgs('v2', plan.preprocess!).args).toEqual(['-d', '42', '-plans_name', 'nnUNetPlans', '-c', '2d', '-np', '1'])
  })

  it('numbers an unrecorded parent after the versions already taken, so no record is replaced', async () => {
    const known = await readModelVersions(dataDir())
    await finishedFold('OtherTrainer', 0, [1, 0, 0], [1, 0, 0])
    const other = await resolveFineTune(s.fineTuneRequest.parse({ datasetId: 42, configuration: '2d', trainer: 'OtherTrainer', folds: [0] }), settings, dataDir(), known)
    expect(other.versions.map((v) => [v.version, v.trainer])).toEqual([
      [4, 'OtherTrainer'],
      [5, 'OtherTrainer_ft5'],
    ])
  })

  it('refuses a round from a fold that has not finished, naming the checkpoint', async () => {
    await expect(resolveFineTune(s.fineTuneRequest.parse({ datasetId: 42, configuration: '2d', folds: [3] }), settings, dataDir(), [])).rejects.toThrow(/fold_3\/checkpoint_final\.pth does not exist/)
  })

  it('compares the versions: CV Dice per label over each version’s finished folds, and the test Dice of its own predictions', async () => {
    // Version 2 trained fold 0 only so far; its test predictions were evaluated.
    await finishedFold('nnUNetTrainer_ft2', 0, [90, 10, 0], [18, 1, 1])
    const test = join(tmp, 'test-v2')
    await mkdir(test, { recursive: true })
    await writeFile(join(test, 'demo_009.nii.gz'), '')
    await writeFile(join(test, 'summary.json'), summary([{ id: 'demo_009', liver: [9, 1, 0], spleen: [5, 0, 5] }]))
    await writeFile(join(test, PREDICTION_ORIGIN_FILE), JSON.stringify({ model: { datasetId: 42, configuration: '2d', trainer: 'nnUNetTrainer_ft2', plans: 'nnUNetPlans', folds: [0] }, input: '/in', probabilities: false, predictedAt: '' }))
    const t = await modelVersionsTable(settings, dataDir(), s.modelVersionsRequest.parse({ datasetId: 42, testPredictions: [test] }))
    expect(t.labels).toEqual(['liver', 'spleen'])
    const [v1, v2, v3] = t.versions
    expect(v1).toMatchObject({ version: 1, finishedFolds: 2 })
    expect(v1!.cvDice.liver).toBeCloseTo((160 / 180 + 140 / 170) / 2, 12)
    expect(v1!.cvDice.spleen).toBeCloseTo((20 / 40 + 1) / 2, 12)
    expect(v1!.test).toBeUndefined()
    expect(v2).toMatchObject({ version: 2, finishedFolds: 1, parent: { version: 1 } })
    expect(v2!.cvDice.liver).toBeCloseTo(180 / 190, 12)
    expect(v2!.test).toMatchObject({ folder: test, dice: { liver: 18 / 19, spleen: 10 / 15 } })
    expect(v3).toMatchObject({ version: 3, finishedFolds: 0, cvMean: null, cvDice: { liver: null, spleen: null } })
  })
})
