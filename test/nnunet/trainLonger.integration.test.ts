// Real nnunetv2 (pinned venv) on the CPU: "train longer" takes a finished 2-epoch fold to 3
// epochs from its final checkpoint. nnU-Net runs the 3-epoch trainer with --c, starts at epoch 2
// (not 0), and the 2-epoch fold's folder and checkpoint are left as they were. The finished
// 2-epoch fold is fold 0 of the cached trained fixture (test/results/trainedFixture.ts, a private
// copy): only the one longer epoch is trained here.
import { statSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { runTrain } from '../../electron/nnunet'
import { trainLongerProblem } from '../../electron/nnunet/trainLonger'
import * as s from '../../shared/schema'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID, FIXTURE_TRAINER, trainedFixture } from '../results/trainedFixture'

const py = nnunetPython('v2')

describe('train longer rules', () => {
  const req = (r: Partial<s.TrainRequest>) => s.trainRequest.parse({ datasetId: 1, configuration: '2d', fold: 0, longerFrom: 'nnUNetTrainer_Wizard_2ep_2it', ...r })
  it('needs v2, a higher epoch count and no other start', () => {
    expect(trainLongerProblem(req({ epochs: 3 }), 'v2')).toBeUndefined()
    expect(trainLongerProblem(req({ epochs: 2 }), 'v2')).toBe('Train longer goes from 2 epochs (nnUNetTrainer_Wizard_2ep_2it) to more: 2 is not more.')
    expect(trainLongerProblem(req({}), 'v2')).toMatch(/needs the new epoch count/)
    expect(trainLongerProblem(req({ epochs: 3 }), 'v1')).toMatch(/needs nnU-Net v2/)
    expect(trainLongerProblem(req({ epochs: 3, continueTraining: true }), 'v2')).toMatch(/already continues/)
  })
})

describe.skipIf(!py.python)(`train longer with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let settings: s.Settings
  let dataDir: string
  const jobs: JobManager[] = []
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-longer-'))
    const fx = await trainedFixture(join(tmp, 'fixture'), py.python!)
    settings = fx.settings
    dataDir = fx.dataDir
  })
  afterAll(async () => {
    for (const m of jobs) for (const j of await m.list()) if (j.state === 'running') m.cancel(j.id)
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const train = async (r: Partial<s.TrainRequest>) => {
    const m = new JobManager(join(tmp, `jobs-${jobs.length}`))
    jobs.push(m)
    const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold: 0, iterationsPerEpoch: 2, ...r })
    const job = await m.start('train', 'train', (c) => runTrain(req, settings, c, dataDir))
    const info = await m.wait(job.id)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    return { info, log: (await m.log(job.id, 0, 200_000)).map((l) => l.text).join('\n') }
  }

  it('goes from 2 to 3 epochs from the final checkpoint, leaving the 2-epoch fold as it was', { timeout: 1_200_000 }, async () => {
    // The fixture's fold 0: trained for 2 epochs of 2 iterations, finished.
    const model = join(settings.folders!.results, FIXTURE_DATASET)
    const old = join(model, `${FIXTURE_TRAINER}__nnUNetPlans__2d`, 'fold_0', 'checkpoint_final.pth')
    const before = statSync(old).mtimeMs
    const { info, log } = await train({ epochs: 3, longerFrom: FIXTURE_TRAINER })
    expect(info.command).toContain('nnUNetTrainer_Wizard_3ep_2it')
    expect(info.command).toContain('--c')
    // nnU-Net loaded the checkpoint: the run trains epoch 2 only.
    expect(info.metrics!.map((m) => m.epoch)).toEqual([2])
    expect(log).not.toMatch(/^.*Epoch 0\s*$/m)
    expect(log).toMatch(/Epoch 2\s*$/m)
    const fold = join(model, 'nnUNetTrainer_Wizard_3ep_2it__nnUNetPlans__2d', 'fold_0')
    // Finished at 3 epochs (nnU-Net removes checkpoint_latest.pth once the final one is saved).
    expect(await readdir(fold)).toContain('checkpoint_final.pth')
    expect(statSync(old).mtimeMs).toBe(before)
  })
})
