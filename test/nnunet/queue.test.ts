// The one run queue: one run at a time in queue order (entries enqueued for later and jobs asked
// for directly alike), a removed or cancelled waiting entry never starts, a cancelled run holds
// the queue, and the queue survives a restart in its file: the run that was going is reported as
// interrupted, the waiting ones start in order. The runs here are the queue's own bodies (what
// the service passes as `execute`), held open by the test, with real jobs and a real file.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { QueueEntry, RunQueueState } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { JobManager, type JobContext } from '../../electron/jobs/jobManager'
import { newEntryId, RunQueue, type NewEntry } from '../../electron/nnunet/queue'
import { predictPlace } from '../../shared/predictQueue'

const train = (fold: TrainRequest['fold']): NewEntry => ({
  id: newEntryId(),
  kind: 'train',
  title: `fold ${fold}`,
  request: { datasetId: 7, configuration: '3d_fullres', fold, npz: true, continueTraining: false, validationOnly: false },
})

/** Runs that end when the test says so, recording their order and how many ran at once. */
function heldRuns() {
  const order: string[] = []
  const release = new Map<string, () => void>()
  let running = 0
  let maxRunning = 0
  const execute = async (entry: QueueEntry, ctx: JobContext) => {
    running++
    maxRunning = Math.max(maxRunning, running)
    order.push(entry.title)
    try {
      await new Promise<void>((resolve, reject) => {
        release.set(entry.title, resolve)
        ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true })
      })
    } finally {
      running--
    }
    return entry.title
  }
  return {
    execute,
    order,
    get maxRunning() {
      return maxRunning
    },
    /** Ends the run with this title once it has started. */
    end: async (title: string) => {
      await vi.waitFor(() => expect(release.has(title)).toBe(true))
      release.get(title)!()
    },
  }
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-queue-'))
})
afterEach(async () => {
  // The job managers save their history in the background after the last job event; a save that
  // lands while rm walks the folder makes its rmdir fail (ENOTEMPTY, seen on a loaded machine), so
  // rm tries again.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

const ended = (jobs: JobManager, jobId: string) => jobs.wait(jobId)

describe('run queue', () => {
  it('a prediction waits for the run going now and for the training that makes its model, not for trainings of other models', async () => {
    const jobs = new JobManager(join(dir, 'jobs'))
    const runs = heldRuns()
    const q = new RunQueue({ jobs, execute: runs.execute })
    const other: NewEntry = { id: newEntryId(), kind: 'train', title: 'dataset 8 fold 0', request: { ...(train(0).request as TrainRequest), datasetId: 8 } }
    await q.enqueue([train(0), train(1), other])
    const predict = (folds: (0 | 1)[], title: string): [NewEntry, ReturnType<typeof predictPlace>] => {
      const request = { datasetId: 7, input: '/in', output: '/out', configuration: '3d_fullres' as const, folds }
      return [{ id: newEntryId(), kind: 'predict', title, request }, predictPlace(request)]
    }
    // Fold 0's model: only the running fold 0 is ahead of it.
    await q.submit(...predict([0], 'predict fold 0'))
    // Folds 0 and 1 (an ensemble): it needs the waiting fold 1, so it goes right after it.
    await q.submit(...predict([0, 1], 'predict folds 0+1'))
    await vi.waitFor(async () => expect((await q.state()).waiting).toHaveLength(4))
    const state = await q.state()
    expect(state.waiting.map((e) => [e.title, e.waitsFor])).toEqual([
      ['predict fold 0', 'starts after "fold 0" (one nnU-Net run at a time); it does not wait for the 2 trainings queued after it, which train other models'],
      ['fold 1', 'starts after "predict fold 0"'],
      ['predict folds 0+1', 'starts after "fold 1" (one nnU-Net run at a time); it does not wait for the 1 training queued after it, which trains other models'],
      ['dataset 8 fold 0', 'starts after "predict folds 0+1"'],
    ])
    for (const t of ['fold 0', 'predict fold 0', 'fold 1', 'predict folds 0+1', 'dataset 8 fold 0']) await runs.end(t)
    expect(runs.order).toEqual(['fold 0', 'predict fold 0', 'fold 1', 'predict folds 0+1', 'dataset 8 fold 0'])
    expect(runs.maxRunning).toBe(1)
  })

  it('runs one at a time in queue order: queued folds, then a run asked for directly', async () => {
    const jobs = new JobManager(join(dir, 'jobs'))
    const runs = heldRuns()
    const q = new RunQueue({ jobs, execute: runs.execute })
    const state = await q.enqueue([0, 1, 2].map(train))
    expect(state.started.map((e) => e.title)).toEqual(['fold 0'])
    expect(state.waiting.map((e) => [e.title, e.waitsFor])).toEqual([
      ['fold 1', 'starts after "fold 0"'],
      ['fold 2', 'starts after "fold 1"'],
    ])
    const direct = await q.submit(train(3))
    const log = async () => (await jobs.log(direct.jobId)).map((l) => l.text)
    await vi.waitFor(async () => expect(await log()).toEqual(['Waiting in the run queue (3 waiting): starts after "fold 2".']))
    // A job waiting for its turn says so in its state, and runs once it has it.
    expect(jobs.get(direct.jobId)?.state).toBe('queued')
    for (const t of ['fold 0', 'fold 1', 'fold 2']) await runs.end(t)
    await vi.waitFor(() => expect(jobs.get(direct.jobId)?.state).toBe('running'))
    await runs.end('fold 3')
    expect((await ended(jobs, direct.jobId)).state).toBe('done')
    expect(runs.order).toEqual(['fold 0', 'fold 1', 'fold 2', 'fold 3'])
    expect(runs.maxRunning).toBe(1)
    const after = await q.state()
    expect(after.waiting).toEqual([])
    expect(after.running).toEqual([])
    expect(after.started.map((e) => [e.title, (jobs.get(e.jobId!)?.state)])).toEqual([
      ['fold 0', 'done'],
      ['fold 1', 'done'],
      ['fold 2', 'done'],
      ['fold 3', 'done'],
    ])
  })

  it('never starts a removed waiting entry, nor a waiting job that was cancelled', async () => {
    const jobs = new JobManager(join(dir, 'jobs'))
    const runs = heldRuns()
    const q = new RunQueue({ jobs, execute: runs.execute })
    const first = train(0)
    const removed = train(1)
    await q.enqueue([first, removed, train(2)])
    const direct = await q.submit(train(3))
    await vi.waitFor(async () => expect((await q.state()).waiting.map((e) => e.title)).toEqual(['fold 1', 'fold 2', 'fold 3']))
    expect((await q.remove(removed.id)).waiting.map((e) => e.title)).toEqual(['fold 2', 'fold 3'])
    jobs.cancel(direct.jobId)
    expect((await ended(jobs, direct.jobId)).state).toBe('cancelled')
    expect((await q.state()).waiting.map((e) => e.title)).toEqual(['fold 2'])
    await expect(q.remove(first.id)).rejects.toThrow('"fold 0" has already started; cancel its job instead.')
    await runs.end('fold 0')
    await runs.end('fold 2')
    await vi.waitFor(async () => expect((await q.state()).running).toEqual([]))
    expect(runs.order).toEqual(['fold 0', 'fold 2'])
    expect((await jobs.list()).map((j) => j.title).sort()).toEqual(['fold 0', 'fold 2', 'fold 3'])
  })

  it('holds after a cancelled run until it is resumed (or asked for more)', async () => {
    const jobs = new JobManager(join(dir, 'jobs'))
    const runs = heldRuns()
    const q = new RunQueue({ jobs, execute: runs.execute })
    await q.enqueue([train(0), train(1)])
    await vi.waitFor(async () => expect((await q.state()).started[0]?.jobId).toBeDefined())
    const running = (await q.state()).started[0]!
    jobs.cancel(running.jobId!)
    expect((await ended(jobs, running.jobId!)).state).toBe('cancelled')
    const held = await q.state()
    expect(held.paused).toBe(true)
    expect(held.waiting.map((e) => [e.title, e.waitsFor])).toEqual([['fold 1', 'held: a run was cancelled, so the queue waits until it is resumed']])
    expect(runs.order).toEqual(['fold 0'])
    expect((await q.resume()).started.map((e) => e.title)).toEqual(['fold 0', 'fold 1'])
    await runs.end('fold 1')
    expect(runs.order).toEqual(['fold 0', 'fold 1'])
  })

  it('survives a restart: the running entry is reported as interrupted, the waiting ones start in order', async () => {
    const file = join(dir, 'run-queue.json')
    const before = heldRuns()
    const q1 = new RunQueue({ jobs: new JobManager(join(dir, 'jobs')), file, execute: before.execute })
    await q1.enqueue([0, 1, 2].map(train))
    await vi.waitFor(() => expect(before.order).toEqual(['fold 0']))
    await q1.close() // the app stops here, fold 0 still running

    const events: RunQueueState[] = []
    const after = heldRuns()
    const jobs2 = new JobManager(join(dir, 'jobs'))
    const q2 = new RunQueue({ jobs: jobs2, file, execute: after.execute, onChange: (s) => events.push(s) })
    const resumed = await q2.state()
    expect(resumed.started.map((e) => [e.title, e.interrupted ?? false])).toEqual([
      ['fold 0', true],
      ['fold 1', false],
    ])
    expect(resumed.waiting.map((e) => e.title)).toEqual(['fold 2'])
    await after.end('fold 1')
    await after.end('fold 2')
    await vi.waitFor(async () => expect((await q2.state()).running).toEqual([]))
    expect(after.order).toEqual(['fold 1', 'fold 2'])
    expect(before.order).toEqual(['fold 0'])
    expect(events.at(-1)!.started.map((e) => e.title)).toEqual(['fold 0', 'fold 1', 'fold 2'])

    // and the file says so for the next start
    await q2.close()
    const q3 = new RunQueue({ jobs: jobs2, file, execute: after.execute })
    expect((await q3.state()).started.map((e) => [e.title, e.interrupted ?? false])).toEqual([
      ['fold 0', true],
      ['fold 1', false],
      ['fold 2', false],
    ])
    expect((await q3.state()).waiting).toEqual([])
  })

  it('reads a queue file of the one-at-a-time queue (version 1): its running entry is interrupted, the waiting ones start', async () => {
    const file = join(dir, 'run-queue.json')
    const [going, next] = [train(0), train(1)].map((e) => ({ ...e, enqueuedAt: 1 }))
    await writeFile(file, JSON.stringify({ format: 'nnunet-wizard-run-queue', version: 1, waiting: [next], started: [{ ...going, startedAt: 2, jobId: 'j1' }], running: going!.id }))
    const runs = heldRuns()
    const q = new RunQueue({ jobs: new JobManager(join(dir, 'jobs')), file, execute: runs.execute })
    const state = await q.state()
    expect(state.started.map((e) => [e.title, e.interrupted ?? false])).toEqual([
      ['fold 0', true],
      ['fold 1', false],
    ])
    expect(state.running).toEqual([next!.id])
    await runs.end('fold 1')
    await q.close()
    // Written back in version 2, running as a list.
    const saved = JSON.parse(await readFile(file, 'utf8')) as { version: number; running: string[] }
    expect([saved.version, saved.running]).toEqual([2, []])
  })

  it('runs trainings on separate GPUs side by side; cancelling one holds the queue, the other goes on', async () => {
    const jobs = new JobManager(join(dir, 'jobs'))
    const runs = heldRuns()
    const q = new RunQueue({ jobs, execute: runs.execute })
    const onGpu = (fold: 0 | 1 | 2, gpu: number): NewEntry => {
      const e = train(fold) as Extract<NewEntry, { kind: 'train' }>
      return { ...e, request: { ...e.request, gpus: [gpu] } }
    }
    const state = await q.enqueue([onGpu(0, 0), onGpu(1, 1), onGpu(2, 0)])
    expect(state.started.map((e) => e.title)).toEqual(['fold 0', 'fold 1'])
    expect(state.running).toHaveLength(2)
    await vi.waitFor(async () => expect((await q.state()).started.every((e) => e.jobId)).toBe(true))
    jobs.cancel((await q.state()).started[0]!.jobId!)
    await vi.waitFor(async () => expect((await q.state()).paused).toBe(true))
    // Fold 1 goes on; fold 2 (GPU 0, now free) does not start: the queue holds.
    const held = await q.state()
    expect(held.running).toEqual([held.started[1]!.id])
    expect(held.waiting.map((e) => [e.title, e.waitsFor])).toEqual([['fold 2', 'held: a run was cancelled, so the queue waits until it is resumed']])
    await runs.end('fold 1')
    await vi.waitFor(async () => expect((await q.state()).running).toEqual([]))
    // Started side by side: their jobs may begin in either order.
    expect([...runs.order].sort()).toEqual(['fold 0', 'fold 1'])
    await q.resume()
    await runs.end('fold 2')
    expect(runs.maxRunning).toBe(2)
  })

  it('sets a damaged queue file aside and starts empty', async () => {
    const file = join(dir, 'run-queue.json')
    await writeFile(file, JSON.stringify({ format: 'nnunet-wizard-run-queue', version: 1, waiting: [{ id: 'x', kind: 'train', title: 't', enqueuedAt: 1, request: { datasetId: 'rm -rf' } }], started: [] }))
    const runs = heldRuns()
    const q = new RunQueue({ jobs: new JobManager(join(dir, 'jobs')), file, execute: runs.execute })
    expect(await q.state()).toEqual({ waiting: [], started: [], running: [] })
    expect((await readdir(dir)).filter((n) => n.startsWith('run-queue.json.invalid-'))).toHaveLength(1)
    expect(runs.order).toEqual([])
  })
})
