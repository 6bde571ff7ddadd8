// Real nnunetv2 (pinned venv) on the CPU, through the service door the wizard and the CLI use: a
// residual-encoder M plan with a small GPU memory target under its own plans name, then a 1-epoch
// training and a prediction that name no plans and still run with those plans (-p), because the
// dataset remembers what it was planned with. The folder status lists both plans files. The
// dataset is a copy of the cached planned fixture (test/results/trainedFixture.ts, planned with
// nnU-Net's default plans): nnU-Net reuses its fingerprint, and the ResEnc plans are chosen with
// the default plans present beside them.
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import * as s from '../../shared/schema'
import { oneTestCase } from '../helpers/oneTestCase'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`plan presets with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let service: Service
  let settings: s.Settings
  let imagesTs: string

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-presets-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    // One of its two test cases is predicted.
    imagesTs = join(tmp, 'imagesTs')
    await oneTestCase(join(fx.datasetDir, 'imagesTs'), imagesTs)
    settings = fx.settings
    service = createService({ mode: 'browser' }, fx.dataDir, { settings, jobsDir: join(tmp, 'jobs'), memoryQueue: true })
  }, 3_600_000)
  afterAll(async () => {
    if (service) {
      for (const j of await service.jobs.list()) if (j.state === 'running' || j.state === 'queued') service.jobs.cancel(j.id)
      await service.dispose()
    }
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const finish = async (ref: { jobId: string }) => {
    const info = await service.jobs.wait(ref.jobId)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    return info
  }

  // 2d: the residual encoder is heavy on a CPU (3d_fullres took about 4 minutes an epoch here);
  // the 2d configuration is planned with the same ResEnc network and trains in seconds.
  it('plans ResEnc M with -gpu_memory_target under its own name; train and predict use those plans without naming them', { timeout: 1_800_000 }, async () => {
    const pre = join(settings.folders!.preprocessed, FIXTURE_DATASET)
    const defaultPlans = readFileSync(join(pre, 'nnUNetPlans.json'), 'utf8')
    const plan = await finish(await service.plan({ datasetId: 611, configurations: ['2d'], processes: 1, preset: 'resenc-m', gpuMemoryTargetGb: 2 }))
    expect(plan.command).toEqual(expect.arrayContaining(['-pl', 'nnUNetPlannerResEncM', '-gpu_memory_target', '2', '-overwrite_plans_name', 'nnUNetResEncUNetMPlans_2GB']))
    const plansJson = JSON.parse(readFileSync(join(pre, 'nnUNetResEncUNetMPlans_2GB.json'), 'utf8'))
    expect(plansJson.plans_name).toBe('nnUNetResEncUNetMPlans_2GB')
    // nnU-Net's residual encoder network, not the default PlainConvUNet.
    expect(plansJson.configurations['2d'].architecture.network_class_name).toMatch(/ResidualEncoderUNet$/)
    expect((plan.result as { plans?: { plans: string } }).plans?.plans).toBe('nnUNetResEncUNetMPlans_2GB')
    // The default plans beside them were not overwritten.
    expect(readFileSync(join(pre, 'nnUNetPlans.json'), 'utf8')).toBe(defaultPlans)

    const status = (await service.folderStatus()).datasets.find((d) => d.id === 611)!
    expect([...status.plansAvailable!].sort()).toEqual(['nnUNetPlans', 'nnUNetResEncUNetMPlans_2GB'])
    // Of the two, the ones the dataset was last planned with.
    expect(status.chosenPlans).toBe('nnUNetResEncUNetMPlans_2GB')
    expect(status.plans?.configurations.find((c) => c.name === '2d')?.preprocessed).toBe(true)

    // The shortest generated trainer (1 epoch of 1 iteration): what is asserted is which plans it trains with.
    const train = await finish(await service.train({ datasetId: 611, configuration: '2d', fold: 0, epochs: 1, iterationsPerEpoch: 1 }))
    expect(train.command).toEqual(expect.arrayContaining(['-p', 'nnUNetResEncUNetMPlans_2GB']))
    expect(train.metrics).toHaveLength(1)
    const modelDir = join(settings.folders!.results, FIXTURE_DATASET, 'nnUNetTrainer_Wizard_1ep_1it__nnUNetResEncUNetMPlans_2GB__2d')
    expect(await readdir(join(modelDir, 'fold_0'))).toContain('checkpoint_final.pth')

    const out = join(tmp, 'predicted')
    const predict = await finish(
      await service.predict({ datasetId: 611, input: imagesTs, output: out, configuration: '2d', folds: [0], trainer: 'nnUNetTrainer_Wizard_1ep_1it' }),
    )
    expect(predict.command).toEqual(expect.arrayContaining(['-p', 'nnUNetResEncUNetMPlans_2GB']))
    expect((await readdir(out)).filter((f) => f.endsWith('.nii.gz'))).toEqual((await readdir(imagesTs)).map((f) => f.replace('_0000.nii.gz', '.nii.gz')))
  })
})
