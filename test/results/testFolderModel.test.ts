// A test row's model (issue 18 walkthrough: the Results table showed "imagesTs_predicted", the
// folder, in its model column). Real folders on disk: the wizard's record beside one folder of
// predictions, a folder under the predictions root named by its model, and one predicted elsewhere.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseResult, DatasetResults, TestResults } from '../../shared/api'
import { PREDICTION_ORIGIN_FILE, type PredictionOrigin } from '../../electron/results/predictionOrigin'
import { attachTestModels, testFolderModel } from '../../electron/results/testFolderModel'

const DS = 'Dataset042_Demo'
let tmp: string
let results: string
let legacy: string
let underRoot: string
let elsewhere: string

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'test-folder-model-'))
  results = join(tmp, 'results')
  legacy = join(tmp, 'raw', DS, 'imagesTs_predicted')
  underRoot = join(results, DS, 'predictions', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__3d_fullres', 'imagesTs')
  elsewhere = join(tmp, 'somewhere', 'my_predictions')
  for (const d of [legacy, underRoot, elsewhere]) await mkdir(d, { recursive: true })
  const record: PredictionOrigin = {
    model: { datasetId: 42, configuration: '2d', trainer: 'nnUNetTrainer_Wizard_2ep_10it', plans: 'nnUNetPlans', folds: [0], checkpoint: 'checkpoint_final.pth' },
    input: join(tmp, 'raw', DS, 'imagesTs'),
    probabilities: false,
    predictedAt: new Date(0).toISOString(),
  }
  await writeFile(join(legacy, PREDICTION_ORIGIN_FILE), JSON.stringify(record))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

const testCase = (id: string, model: string): CaseResult => ({ case: id, fold: 'test', model, dice: {}, fp: {}, fn: {}, reference: '', prediction: '' })
const folder = (f: string): TestResults => ({ folder: f, reference: '', state: 'evaluated', dice: {}, mean: null, cases: 1, predictions: 1 })

describe('the model of a test folder', () => {
  it("reads the wizard's record, else the model folder under the predictions root, else nothing", async () => {
    const root = join(results, DS, 'predictions')
    expect(await testFolderModel(legacy, root)).toEqual({ predictedBy: 'nnUNetTrainer_Wizard_2ep_10it__nnUNetPlans__2d', configuration: '2d' })
    expect(await testFolderModel(underRoot, root)).toEqual({ predictedBy: 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__3d_fullres', configuration: '3d_fullres' })
    expect(await testFolderModel(elsewhere, root)).toBeUndefined()
  })

  it('names the model on each test row and leaves validation rows and unknown folders alone', async () => {
    const r = {
      dataset: DS,
      test: [folder(legacy), folder(underRoot), folder(elsewhere)],
      cases: [
        { ...testCase('demo_001', 'nnUNetTrainer__nnUNetPlans__2d'), fold: 0, configuration: '2d' },
        testCase('demo_009', 'imagesTs_predicted'),
        testCase('demo_010', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__3d_fullres/imagesTs'),
        testCase('demo_011', 'my_predictions'),
      ],
    } as unknown as DatasetResults
    await attachTestModels(r, results)
    expect(r.cases.map((c) => [c.case, c.model, c.configuration, c.predictedBy])).toEqual([
      ['demo_001', 'nnUNetTrainer__nnUNetPlans__2d', '2d', undefined],
      // The folder stays the row's key; the model is beside it.
      ['demo_009', 'imagesTs_predicted', '2d', 'nnUNetTrainer_Wizard_2ep_10it__nnUNetPlans__2d'],
      ['demo_010', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__3d_fullres/imagesTs', '3d_fullres', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__3d_fullres'],
      ['demo_011', 'my_predictions', undefined, undefined],
    ])
  })
})
