// Closing the app or stopping `serve` cancels running jobs instead of orphaning them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobManager } from '../../electron/jobs/jobManager'
import { runningJobs, stopRunningJobs } from '../../electron/transport/shutdown'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-shutdown-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

describe('stopRunningJobs', () => {
  it('cancels running jobs and waits for them to end', async () => {
    const jobs = new JobManager(join(dir, 'a'))
    const a = await jobs.start('train', 'Train 3d_fullres fold 0', (ctx) => untilAborted(ctx.signal))
    const b = await jobs.start('predict', 'Predict', (ctx) => untilAborted(ctx.signal))
    const done = await jobs.start('validate', 'Check', async () => 1)
    await jobs.wait(done.id)
    expect((await runningJobs(jobs)).map((j) => j.id).sort()).toEqual([a.id, b.id].sort())
    const stopped = await stopRunningJobs(jobs, 5000)
    expect(stopped.map((j) => j.title).sort()).toEqual(['Predict', 'Train 3d_fullres fold 0'])
    expect(jobs.get(a.id)?.state).toBe('cancelled')
    expect(jobs.get(b.id)?.state).toBe('cancelled')
    expect(await runningJobs(jobs)).toEqual([])
  })

  it('gives up waiting after the grace period for a job that ignores cancellation', async () => {
    const jobs = new JobManager(join(dir, 'b'))
    let release = (): void => undefined
    await jobs.start('install', 'Stubborn', () => new Promise<void>((r) => (release = r)))
    const t0 = Date.now()
    await stopRunningJobs(jobs, 200)
    expect(Date.now() - t0).toBeLessThan(2000)
    release()
  })
})
