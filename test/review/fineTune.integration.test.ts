// The end of the labelling loop (issue 21) with real nnU-Net v2 on the CPU, on a copy of the cached
// trained fixture (ct_small, 2d, folds 0 and 1 of nnUNetTrainer_Wizard_2ep_2it = model v1): one
// case is added (the scan and label of a held-out case), then a fine-tuning round of 1 epoch of 2
// iterations from fold 0's final checkpoint: nnUNetv2_preprocess with the existing plans, then
// nnUNetv2_train -pretrained_weights under the round's own trainer. The parent stays as it was;
// the versions table lists v1 and v2 with their cross-validation Dice.
import { statSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from '../results/trainedFixture'

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`fine-tune a model on the grown dataset with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let fx: TrainedFixture
  let service: Service
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-fine-tune-'))
    fx = await trainedFixture(join(tmp, 'fixture'), py.python!)
    service = createService({ mode: 'browser' }, fx.dataDir, { settings: fx.settings, jobsDir: join(tmp, 'jobs'), memoryQueue: true })
  })
  afterAll(async () => {
    for (const j of (await service?.jobs.list()) ?? []) if (j.state === 'running') service.jobs.cancel(j.id)
    await service?.dispose()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('adds a case, preprocesses with the same plans and trains v2 from v1’s fold 0; Results lists both versions', { timeout: 1_200_000 }, async () => {
    const added = await service.addToDataset({ datasetId: FIXTURE_ID, image: join(fx.datasetDir, 'imagesTs', 'liver_003_0000.nii.gz'), label: join(fx.datasetDir, 'labelsTs', 'liver_003.nii.gz') })
    expect(added.numTraining).toBe(6)
    const parent = join(fx.settings.folders!.results, FIXTURE_DATASET, `${FIXTURE_TRAINER}__nnUNetPlans__2d`, 'fold_0', 'checkpoint_final.pth')
    const parentTime = statSync(parent).mtimeMs
    const round = await service.fineTune({ datasetId: FIXTURE_ID, configuration: '2d', trainer: FIXTURE_TRAINER, folds: [0], epochs: 1, iterationsPerEpoch: 2 })
    expect(round.version).toMatchObject({ version: 2, trainer: `${FIXTURE_TRAINER}_ft2`, parent: { version: 1, trainer: FIXTURE_TRAINER }, cases: 6 })
    expect(round.jobs).toHaveLength(2)
    const [pre, train] = await Promise.all(round.jobs.map((j) => service.jobs.wait(j.jobId)))
    expect(pre!.error).toBeUndefined()
    expect(pre!.command!.join(' ')).toMatch(/preprocess/)
    expect(pre!.command!.join(' ')).toContain('-d 611 -plans_name nnUNetPlans -c 2d')
    expect(pre!.command!.join(' ')).not.toMatch(/plan_and_preprocess/)
    expect(train!.error).toBeUndefined()
    expect(train!.state).toBe('done')
    expect(train!.command!.join(' ')).toContain(`-tr ${FIXTURE_TRAINER}_ft2`)
    expect(train!.command!.join(' ')).toContain(`-pretrained_weights ${parent}`)
    const log = (await service.jobs.log(train!.id, 0, 200_000)).map((l) => l.text).join('\n')
    // nnU-Net says it loaded the weights (nnunetv2.run.load_pretrained_weights, verbose).
    expect(log).toMatch(/pretrained weights/i)
    // The added case is in the preprocessed data, and v2 trained on its own folder; v1 is untouched.
    expect(await readdir(join(fx.settings.folders!.preprocessed, FIXTURE_DATASET, 'nnUNetPlans_2d'))).toEqual(expect.arrayContaining([expect.stringMatching(/^liver_008\./)]))
    expect(await readdir(join(fx.settings.folders!.results, FIXTURE_DATASET, `${FIXTURE_TRAINER}_ft2__nnUNetPlans__2d`, 'fold_0'))).toContain('checkpoint_final.pth')
    expect(statSync(parent).mtimeMs).toBe(parentTime)
    const table = await service.modelVersions({ datasetId: FIXTURE_ID })
    expect(table.versions.map((v) => [v.version, v.trainer, v.finishedFolds])).toEqual([
      [1, FIXTURE_TRAINER, 1],
      [2, `${FIXTURE_TRAINER}_ft2`, 1],
    ])
    expect(table.labels).toEqual(['liver', 'spleen'])
    for (const v of table.versions) expect(typeof v.cvDice.liver === 'number' || v.cvDice.liver === null).toBe(true)
  })
})
