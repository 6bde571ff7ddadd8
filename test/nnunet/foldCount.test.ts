// Issue 18: after Plan wrote a splits_final.json with 4 folds (a 4-case dataset), Train still offered
// and queued fold 4 and Results listed fold 4 "not trained". The dataset's fold count is a fact the
// service serves (DatasetStatus.folds) and Results' fold table follows it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as s from '../../shared/schema'
import { folderStatus } from '../../electron/nnunet/folders'
import { datasetFoldCount } from '../../electron/nnunet/foldCount'
import { readDatasetResults } from '../../electron/results/crossValidation'

let root: string
let folders: { raw: string; preprocessed: string; results: string }
const ds = 'Dataset042_Demo'
const fourFolds = ['a', 'b', 'c', 'd'].map((v, i, all) => ({ train: all.filter((x) => x !== v), val: [v], i })).map(({ train, val }) => ({ train, val }))

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-folds-'))
  folders = { raw: join(root, 'raw'), preprocessed: join(root, 'pre'), results: join(root, 'res') }
  await mkdir(join(folders.raw, ds, 'labelsTr'), { recursive: true })
  for (const c of ['a', 'b', 'c', 'd']) await writeFile(join(folders.raw, ds, 'labelsTr', `${c}.nii.gz`), '')
  await writeFile(join(folders.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining: 4 }))
  await mkdir(join(folders.preprocessed, ds), { recursive: true })
  const model = join(folders.results, ds, 'nnUNetTrainer__nnUNetPlans__3d_fullres', 'fold_0')
  await mkdir(model, { recursive: true })
  await writeFile(join(model, 'checkpoint_final.pth'), '')
  // Finished means validated too (foldCompletion): the validation's summary.json beside the checkpoint.
  await mkdir(join(model, 'validation'), { recursive: true })
  await writeFile(join(model, 'validation', 'summary.json'), '{}')
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("a dataset's folds", () => {
  it('are 5 without a splits file, and those of splits_final.json when Plan wrote one with 4', async () => {
    const settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    expect((await folderStatus(settings)).datasets.find((d) => d.id === 42)?.folds).toBe(5)
    await writeFile(join(folders.preprocessed, ds, 'splits_final.json'), JSON.stringify(fourFolds))
    expect((await folderStatus(settings)).datasets.find((d) => d.id === 42)?.folds).toBe(4)
  })

  it('a damaged or empty splits file counts as nnU-Net default of 5', async () => {
    await writeFile(join(folders.preprocessed, ds, 'splits_final.json'), '[')
    expect(await datasetFoldCount(join(folders.preprocessed, ds))).toBe(5)
    await writeFile(join(folders.preprocessed, ds, 'splits_final.json'), '[]')
    expect(await datasetFoldCount(join(folders.preprocessed, ds))).toBe(5)
  })

  it("Results lists the dataset's 4 folds, not a fold 4 'missing'", async () => {
    const settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    expect((await readDatasetResults(settings, { datasetId: 42 })).models[0]!.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3, 4])
    await writeFile(join(folders.preprocessed, ds, 'splits_final.json'), JSON.stringify(fourFolds))
    const folds = (await readDatasetResults(settings, { datasetId: 42 })).models[0]!.folds
    expect(folds.map((f) => [f.fold, f.state])).toEqual([
      [0, 'finished'],
      [1, 'missing'],
      [2, 'missing'],
      [3, 'missing'],
    ])
  })
})

describe('the service refuses a fold the splits do not have', () => {
  const check = async (fold: number | 'all') => {
    const { TRAIN_CHECKS } = await import('../../electron/nnunet/runSpec')
    const rule = TRAIN_CHECKS.find((c) => c.name === 'fold-in-splits')!
    const settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    return rule.refuse({ req: { datasetId: 42, configuration: '2d', fold } as never, settings, dataDir: root, version: 'v2', plans: 'nnUNetPlans', dataset: ds, ahead: { plans: [], trainings: [] } })
  }

  it('fold 4 of a 4-fold splits_final.json is refused by name; folds 0-3 and "all" pass', async () => {
    expect(await check(4)).toBeUndefined() // no splits file yet: nnU-Net's 5 folds
    await writeFile(join(folders.preprocessed, ds, 'splits_final.json'), JSON.stringify(fourFolds))
    const refused = await check(4)
    expect(refused?.code).toBe('fold-not-in-splits')
    expect(refused?.message).toContain('has 4 cross-validation folds (0–3, from its splits_final.json): there is no fold 4')
    expect(await check(3)).toBeUndefined()
    expect(await check('all')).toBeUndefined()
  })
})
