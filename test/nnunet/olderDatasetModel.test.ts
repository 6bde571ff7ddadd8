// A model trained on an older version of its dataset is flagged in Results and Predict (issue 18,
// "Nothing stale"): a training records in its fold folder what the preprocessed data it read was
// made from (the plan's record), and folderStatus compares that with the raw dataset now. The
// dataset here is real NIfTI (writeTinyDatasetV2) rewritten as in the walkthrough (test count
// 2 -> 1: one more training case). Stand-in: the fold's checkpoint is an empty file named as
// nnU-Net names it (folderStatus reads names only; training weights are not what is tested).
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordPlanInputs } from '../../electron/nnunet/planInputs'
import { trainSpec } from '../../electron/nnunet/runSpec'
import { prepareRun } from '../../electron/nnunet/runPrepare'
import { trainedModels } from '../../electron/nnunet/folders'
import { MODEL_INPUTS_FILE, olderDataset, type DatasetInputs } from '../../shared/runInputs'
import * as s from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { writeTinyDatasetV2 } from './tinyDataset'

const inputs = (over: Partial<DatasetInputs> = {}): DatasetInputs => ({ datasetJson: 'j1', numTraining: 5, trainingCases: 5, testCases: 2, cases: 'c1', casesFrom: 'manifest', ...over })

describe('olderDataset: the rule', () => {
  it('says nothing when every fold read the dataset as it is now', () => {
    expect(olderDataset([{ fold: '0', inputs: inputs() }, { fold: '1', inputs: inputs() }], inputs())).toBeUndefined()
  })
  it('flags the folds trained on fewer (or more) cases, with the counts then and now', () => {
    const o = olderDataset([{ fold: '0', inputs: inputs() }, { fold: '1', inputs: inputs() }], inputs({ trainingCases: 6, numTraining: 6, testCases: 1, cases: 'c2', datasetJson: 'j2' }))
    expect(o).toEqual({ casesThen: 5, casesNow: 6, folds: ['0', '1'], text: 'trained on an older version of the dataset (5 cases then, 6 now)' })
  })
  it('flags cases rewritten at the same count', () => {
    expect(olderDataset([{ fold: '0', inputs: inputs() }], inputs({ cases: 'c2' }))?.text).toBe('trained on an older version of the dataset (5 cases then, 5 now; cases rewritten since)')
  })
  it("without the wizard's record, nnU-Net's copy of dataset.json's numTraining in the model folder decides", () => {
    expect(olderDataset([{ fold: '0', numTrainingCopy: 4 }], inputs())?.text).toBe('trained on an older version of the dataset (4 cases then, 5 now)')
    expect(olderDataset([{ fold: '0', numTrainingCopy: 5 }], inputs())).toBeUndefined()
    expect(olderDataset([{ fold: '0' }], inputs())).toBeUndefined()
  })
})

describe('a model trained before the dataset was rewritten', () => {
  let tmp: string
  let settings: s.Settings
  const folder = 'Dataset075_Tiny'
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-older-model-'))
    settings = s.settings.parse({ nnunetVersion: 'v2', device: 'cpu', folders: { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') } })
    await writeTinyDatasetV2(settings.folders!.raw, 75, { train: 4, test: 2, scratch: join(tmp, 'scratch') })
    await writePlannedDataset(settings.folders!.preprocessed, folder)
  }, 120_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('records what fold 0 was trained from, and is flagged "4 cases then, 5 now" once the dataset has one more case', async () => {
    await recordPlanInputs(settings, folder)
    const spec = await trainSpec(s.trainRequest.parse({ datasetId: 75, configuration: '2d', fold: 0 }), { settings, dataDir: join(tmp, 'data') })
    const fold0 = spec.train!.outputFolder!
    expect(spec.prepare).toContainEqual({ kind: 'record-train-inputs', preprocessed: join(settings.folders!.preprocessed, folder), to: fold0 })
    await prepareRun(spec, () => {})
    const record = JSON.parse(await readFile(join(fold0, MODEL_INPUTS_FILE), 'utf8')) as { dataset: DatasetInputs }
    expect(record.dataset.trainingCases).toBe(4)
    await writeFile(join(fold0, 'checkpoint_final.pth'), '')

    const before = await trainedModels(settings)
    expect(before).toHaveLength(1)
    expect(before[0]!.olderDataset).toBeUndefined()

    // The walkthrough's rewrite: test count 2 -> 1, tiny_006 becomes a training case.
    const raw = join(settings.folders!.raw, folder)
    await rename(join(raw, 'imagesTs', 'tiny_006_0000.nii.gz'), join(raw, 'imagesTr', 'tiny_006_0000.nii.gz'))
    await copyFile(join(raw, 'labelsTr', 'tiny_001.nii.gz'), join(raw, 'labelsTr', 'tiny_006.nii.gz'))
    const json = JSON.parse(await readFile(join(raw, 'dataset.json'), 'utf8')) as { numTraining: number }
    await writeFile(join(raw, 'dataset.json'), JSON.stringify({ ...json, numTraining: 5 }, null, 2))

    const after = await trainedModels(settings)
    expect(after[0]!.olderDataset).toEqual({ casesThen: 4, casesNow: 5, folds: ['0'], text: 'trained on an older version of the dataset (4 cases then, 5 now)' })
  })
})
