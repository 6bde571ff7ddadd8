import { describe, it, expect } from 'vitest'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobManager } from '../../electron/jobs/jobManager'
import type { JobEvent } from '../../shared/api'

const tempDir = () => mkdtemp(join(tmpdir(), 'jobs-'))

describe('JobManager', () => {
  it('runs a job, streams partial child-process chunks as whole lines, and keeps the result', async () => {
    const jobs = new JobManager(await tempDir())
    const events: JobEvent[] = []
    jobs.onEvent((e) => events.push(e))
    const job = await jobs.start('plan', 'demo', async (ctx) => {
      ctx.log('Epoch 1\nlearn', 'stdout')
      ctx.log('ing rate 0.01\r\nEpoch', 'stdout')
      ctx.log(' 2', 'stdout')
      ctx.progress({ done: 1, total: 2, unit: 'epochs' })
      return { ok: true }
    })
    const done = await jobs.wait(job.id)
    expect(done.state).toBe('done')
    expect(done.result).toEqual({ ok: true })
    const lines = await jobs.log(job.id)
    expect(lines.map((l) => l.text)).toEqual(['Epoch 1', 'learning rate 0.01', 'Epoch 2'])
    expect(events.some((e) => e.type === 'progress')).toBe(true)
    const logged = events.filter((e) => e.type === 'log').flatMap((e) => (e.type === 'log' ? e.lines : []))
    expect(logged.map((l) => l.n)).toEqual([0, 1, 2])
  })

  it('reports a thrown error as a failed job with its message in the log', async () => {
    const jobs = new JobManager(await tempDir())
    const job = await jobs.start('prepare', 'bad', async () => {
      throw new Error('image-3.nrrd could not be read')
    })
    const done = await jobs.wait(job.id)
    expect(done.state).toBe('failed')
    expect(done.error).toContain('image-3.nrrd')
    expect((await jobs.log(job.id)).at(-1)?.text).toContain('image-3.nrrd')
  })

  it('cancels through the abort signal', async () => {
    const jobs = new JobManager(await tempDir())
    const job = await jobs.start('train', 'long', (ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))
    }))
    jobs.cancel(job.id)
    expect((await jobs.wait(job.id)).state).toBe('cancelled')
  })

  it('lists jobs and their logs again after a restart; a job cut off by the restart is marked failed', async () => {
    const dir = await tempDir()
    const first = new JobManager(dir)
    const ok = await first.start('plan', 'finished', async (ctx) => {
      ctx.log('line a\n', 'stdout')
      ctx.log('line b\n', 'stderr')
    })
    await first.wait(ok.id)
    const hanging = await first.start('train', 'hanging', () => new Promise(() => undefined))
    await new Promise((r) => setTimeout(r, 100))
    expect(await readFile(join(dir, 'jobs.json'), 'utf8')).toContain(hanging.id)

    const second = new JobManager(dir)
    const listed = await second.list()
    expect(listed.map((j) => j.id).sort()).toEqual([ok.id, hanging.id].sort())
    expect(listed.find((j) => j.id === hanging.id)?.state).toBe('failed')
    const lines = await second.log(ok.id)
    expect(lines.map((l) => [l.stream, l.text])).toEqual([['stdout', 'line a'], ['stderr', 'line b']])
  })
})
