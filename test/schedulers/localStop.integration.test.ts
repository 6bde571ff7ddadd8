// "Stop after this epoch" on this machine, with real nnunetv2 on the CPU and the app's generated
// trainer: asked while epoch 0 runs, nnU-Net finishes that epoch, saves checkpoint_latest.pth and
// exits (75); the job ends done, marked stoppedAfterEpoch; the same training with --continue goes on
// at the next epoch and finishes with checkpoint_final.pth. Every epoch runs once. The dataset is
// a private copy of the cached planned fixture (test/results/trainedFixture.ts): no plan here.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { runTrain } from '../../electron/nnunet/pipeline'
import { requestStop } from '../../electron/schedulers/local'
import * as s from '../../shared/schema'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID as ID, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(!py.python)(`stop after this epoch, locally ${py.reason}`, () => {
  let tmp: string
  let settings: s.Settings
  let jobs: JobManager
  let dataDir: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-stop-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    settings = fx.settings
    dataDir = fx.dataDir
    jobs = new JobManager(join(tmp, 'jobs'))
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('stops after the running epoch with a checkpoint; --continue goes on at the next epoch', { timeout: 1_200_000 }, async () => {
    const req = s.trainRequest.parse({ datasetId: ID, configuration: '2d', fold: 0, epochs: 3, iterationsPerEpoch: 2, npz: false })
    const job = await jobs.start('train', 'train', (ctx) => runTrain(req, settings, ctx, dataDir))
    const text = async (id: string) => (await jobs.log(id)).map((l) => l.text).join('\n')
    for (let i = 0; i < 2400 && !/: Epoch 0\s*$/m.test(await text(job.id)); i++) await sleep(250)
    expect(requestStop(job.id)).toBe(true)
    const info = await jobs.wait(job.id)
    expect(info.state, info.error).toBe('done')
    expect(info.result).toMatchObject({ stoppedAfterEpoch: true })
    const first = await text(job.id)
    const stopped = /stopped after epoch (\d+) on request: checkpoint_latest\.pth saved; --c continues at epoch (\d+)/.exec(first)
    expect(stopped, first.slice(-3000)).not.toBeNull()
    const k = Number(stopped![1])
    expect(k).toBeLessThan(2)
    const fold = join(settings.folders!.results, FIXTURE_DATASET, 'nnUNetTrainer_Wizard_3ep_2it__nnUNetPlans__2d', 'fold_0')
    expect(existsSync(join(fold, 'checkpoint_latest.pth'))).toBe(true)
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(false)
    // A job that is not running a training cannot be asked.
    expect(requestStop(job.id)).toBe(false)

    const more = await jobs.start('train', 'train', (ctx) => runTrain({ ...req, continueTraining: true }, settings, ctx, dataDir))
    const done = await jobs.wait(more.id)
    expect(done.state, done.error).toBe('done')
    const second = await text(more.id)
    const epochs = (t: string) => [...t.matchAll(/: Epoch (\d+)\s*$/gm)].map((m) => Number(m[1]))
    expect([...epochs(first), ...epochs(second)]).toEqual([0, 1, 2])
    expect(epochs(second)[0]).toBe(k + 1)
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(true)
  })
})
