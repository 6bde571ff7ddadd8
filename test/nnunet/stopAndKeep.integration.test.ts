// Training that reports from the first minute, with real nnunetv2 on the CPU: nnU-Net's own
// trainer (through the app's wrapper) and a generated one print a line per iteration, which the
// runner turns into "iteration i of n (s/it)" and a time left; "stop and keep" (SIGUSR2) saves
// checkpoint_latest.pth at the running iteration and exits cleanly; nnU-Net loads that checkpoint
// (torch.load, and --continue trains the same epoch again to the end). The dataset is a private
// copy of the cached planned fixture (test/results/trainedFixture.ts): no plan here.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { runTrain } from '../../electron/nnunet/pipeline'
import { requestKeep } from '../../electron/nnunet/stopAndKeep'
import * as s from '../../shared/schema'
import type { Progress } from '../../shared/api'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID as ID, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The checkpoint as nnU-Net reads it (--c): the epoch it resumes at and that the weights are there. */
function readCheckpoint(file: string): { current_epoch: number; weights: number } {
  const code = 'import sys, json, torch; c = torch.load(sys.argv[1], map_location="cpu", weights_only=False); print(json.dumps({"current_epoch": c["current_epoch"], "weights": len(c["network_weights"])}))'
  return JSON.parse(execFileSync(py.python!, ['-c', code, file], { encoding: 'utf8' }).trim().split('\n').pop()!) as { current_epoch: number; weights: number }
}

describe.skipIf(!py.python)(`iterations and stop-and-keep, nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let settings: s.Settings
  let jobs: JobManager
  let data: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-keep-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    settings = fx.settings
    data = fx.dataDir
    jobs = new JobManager(join(tmp, 'jobs'))
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  /** Starts a training, waits for iteration `at` in the job's progress, asks stop-and-keep, waits for the end. */
  async function keepAt(req: s.TrainRequest, at: number) {
    const phases: string[] = []
    const job = await jobs.start('train', 'train', (ctx) => {
      const progress = ctx.progress.bind(ctx)
      ctx.progress = (p: Progress) => {
        if (p.phase) phases.push(p.phase)
        progress(p)
      }
      return runTrain(req, settings, ctx, data)
    })
    const reached = () => phases.some((p) => new RegExp(`: iteration ${at} of \\d+ \\(`).test(p))
    for (let i = 0; i < 4800 && !reached() && jobs.get(job.id)?.state === 'running'; i++) await sleep(250)
    expect(reached(), (await jobs.log(job.id)).map((l) => l.text).join('\n').slice(-3000)).toBe(true)
    expect(requestKeep(job.id)).toBe(true)
    const info = await jobs.wait(job.id)
    const log = (await jobs.log(job.id)).map((l) => l.text).join('\n')
    return { info, log, phases }
  }

  it("nnU-Net's own trainer (250 iterations) reports each iteration and keeps a loadable checkpoint mid-epoch", { timeout: 900_000 }, async () => {
    const req = s.trainRequest.parse({ datasetId: ID, configuration: '2d', fold: 0, npz: false })
    const { info, log, phases } = await keepAt(req, 2)
    expect(info.state, info.error).toBe('done')
    expect(info.result).toMatchObject({ stoppedAfterEpoch: true })
    // The runner's phase: epoch, iteration, pace, time left for the epoch and the run (1000 epochs).
    const first = phases.find((p) => p.includes('iteration 1 of 250'))
    expect(first).toMatch(/^Epoch 1 of 1000: iteration 1 of 250 \([\d.]+ s\/it\): this epoch about .+ more, the run about .+ h$/)
    expect(info.progress?.etaSeconds ?? 0).toBeGreaterThan(3600)
    const kept = /stopped and kept at iteration (\d+) of 250 of epoch 0: checkpoint_latest\.pth saved/.exec(log)
    expect(kept, log.slice(-3000)).not.toBeNull()
    expect(Number(kept![1])).toBeGreaterThanOrEqual(2)
    const fold = join(settings.folders!.results, FIXTURE_DATASET, 'nnUNetTrainer__nnUNetPlans__2d', 'fold_0')
    const ck = readCheckpoint(join(fold, 'checkpoint_latest.pth'))
    expect(ck.current_epoch).toBe(0) // --c trains epoch 0 again, from the weights kept
    expect(ck.weights).toBeGreaterThan(0)
  })

  it('a generated trainer reports too; --continue after a stop-and-keep trains that epoch again and finishes', { timeout: 2_400_000 }, async () => {
    const req = s.trainRequest.parse({ datasetId: ID, configuration: '2d', fold: 1, epochs: 1, iterationsPerEpoch: 4, npz: false })
    const { info, log } = await keepAt(req, 2)
    expect(info.state, info.error).toBe('done')
    expect(log).toMatch(/stopped and kept at iteration \d+ of 4 of epoch 0/)
    // Reported once per iteration: the generated trainer's own lines, not doubled by the wrapper.
    expect(log.match(/nnU-Net Wizard: iteration 1 of 4 in epoch 0:/g)).toHaveLength(1)
    const fold = join(settings.folders!.results, FIXTURE_DATASET, 'nnUNetTrainer_Wizard_1ep_4it__nnUNetPlans__2d', 'fold_1')
    expect(readCheckpoint(join(fold, 'checkpoint_latest.pth')).current_epoch).toBe(0)
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(false)
    const more = await jobs.start('train', 'train', (ctx) => runTrain({ ...req, continueTraining: true }, settings, ctx, data))
    const done = await jobs.wait(more.id)
    expect(done.state, done.error).toBe('done')
    expect((await jobs.log(more.id)).map((l) => l.text).join('\n')).toMatch(/nnU-Net Wizard: iteration 4 of 4 in epoch 0:/)
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(true)
  })
})
