// Nothing stale: a plan records what it read (dataset.json, the cases); once the raw dataset is
// rewritten (the repro: test count 2 -> 1, one more training case) a training of the old
// preprocessed data is refused with "plan again" by the run resolution's named check, before
// nnU-Net could train on the old cases or stop with "fewer than 5 training cases". A plan made
// without the wizard's record is compared through nnU-Net's own copy of dataset.json.
import { copyFile, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordPlanInputs, stalePlanReason } from '../../electron/nnunet/planInputs'
import { trainSpec } from '../../electron/nnunet/runSpec'
import { PLAN_INPUTS_FILE } from '../../shared/runInputs'
import * as s from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { writeTinyDatasetV2 } from './tinyDataset'

describe('preprocessed data older than the dataset', () => {
  let tmp: string
  let settings: s.Settings
  const folder = 'Dataset074_Tiny'
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-stale-'))
    settings = s.settings.parse({ nnunetVersion: 'v2', device: 'cpu', folders: { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') } })
    await writeTinyDatasetV2(settings.folders!.raw, 74, { train: 4, test: 2, scratch: join(tmp, 'scratch') })
    await writePlannedDataset(settings.folders!.preprocessed, folder)
  }, 180_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })
  const req = s.trainRequest.parse({ datasetId: 74, configuration: '2d', fold: 0 })
  const ctx = () => ({ settings, dataDir: join(tmp, 'data') })

  it('a current plan trains; the dataset rewritten with one test case fewer is refused with "plan again"', async () => {
    await recordPlanInputs(settings, folder)
    expect(await stalePlanReason(settings, folder)).toBeUndefined()
    await expect(trainSpec(req, ctx())).resolves.toBeDefined()

    // The dataset written again with test count 1: tiny_006 moves from imagesTs to the training cases.
    const raw = join(settings.folders!.raw, folder)
    await rename(join(raw, 'imagesTs', 'tiny_006_0000.nii.gz'), join(raw, 'imagesTr', 'tiny_006_0000.nii.gz'))
    await copyFile(join(raw, 'labelsTr', 'tiny_001.nii.gz'), join(raw, 'labelsTr', 'tiny_006.nii.gz'))
    const json = JSON.parse(await readFile(join(raw, 'dataset.json'), 'utf8')) as { numTraining: number }
    await writeFile(join(raw, 'dataset.json'), JSON.stringify({ ...json, numTraining: 5 }, null, 2))

    const why = await stalePlanReason(settings, folder)
    expect(why).toBe('the dataset changed since it was planned: 5 training cases (planned with 4), 1 test cases (planned with 2), numTraining 5 in dataset.json (planned with 4)')
    const refused = await trainSpec(req, ctx()).then(() => null, (e: Error & { code?: string; check?: string }) => e)
    expect(refused?.check).toBe('plan-current')
    expect(refused?.code).toBe('plan-stale')
    expect(refused?.message).toMatch(/^Dataset 74 \(Dataset074_Tiny\): the dataset changed since it was planned: .*Its preprocessed data is older than the dataset: plan again \(Plan step, or nnunet-wizard plan -d 74\), then train\.$/)

    // Planned again (the record is rewritten): trains.
    await recordPlanInputs(settings, folder)
    await expect(trainSpec(req, ctx())).resolves.toBeDefined()
  })

  it("without the wizard's record, nnU-Net's copy of dataset.json in preprocessed/ is what the plan read", async () => {
    const pre = join(settings.folders!.preprocessed, folder)
    const raw = join(settings.folders!.raw, folder)
    await unlink(join(pre, PLAN_INPUTS_FILE))
    await copyFile(join(raw, 'dataset.json'), join(pre, 'dataset.json'))
    expect(await stalePlanReason(settings, folder)).toBeUndefined()
    const json = JSON.parse(await readFile(join(raw, 'dataset.json'), 'utf8')) as { numTraining: number }
    await writeFile(join(raw, 'dataset.json'), JSON.stringify({ ...json, numTraining: 6 }, null, 2))
    expect(await stalePlanReason(settings, folder)).toBe('the dataset changed since it was planned: numTraining 6 in dataset.json (planned with 5)')
  })
})
