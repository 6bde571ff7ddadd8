import { describe, it, expect } from 'vitest'
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
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

describe('JobManager history retention', () => {
  const DAY = 24 * 60 * 60 * 1000
  const id = (t: number, n: number) => `${t.toString(36)}-${n.toString(16).padStart(8, '0')}`

  it('keeps the newest jobs within the age limit, drops the rest with their logs, and leaves jobs that may still run', async () => {
    const { writeFile, utimes, readdir } = await import('node:fs/promises')
    const dir = await tempDir()
    const now = Date.now()
    const infos: { id: string; kind: string; title: string; state: string; createdAt: number; endedAt?: number; logFile: string; logLines: number }[] = []
    const job = async (n: number, createdAt: number, state = 'done', logAgeMs = now - createdAt) => {
      const jobId = id(createdAt, n)
      const logFile = join(dir, `${jobId}.log`)
      await writeFile(logFile, `# job ${n}\n`)
      const t = (now - logAgeMs) / 1000
      await utimes(logFile, t, t)
      infos.push({ id: jobId, kind: 'prepare', title: `job ${n}`, state, createdAt, ...(state === 'done' ? { endedAt: createdAt + 1000 } : {}), logFile, logLines: 1 })
      return jobId
    }
    // Six finished jobs an hour apart (newest first), one 40 days old, and one that another
    // process saved as running two weeks ago and is still writing to.
    const recent = []
    for (let n = 0; n < 6; n++) recent.push(await job(n, now - (n + 1) * 3_600_000))
    const ancient = await job(6, now - 40 * DAY)
    const busy = await job(7, now - 14 * DAY, 'running', 60_000)
    // Logs no history lists: an old one (dropped) and one being written right now (kept).
    const strayOld = id(now - 3 * DAY, 99)
    const strayNew = id(now, 98)
    await writeFile(join(dir, `${strayOld}.log`), 'old\n')
    await utimes(join(dir, `${strayOld}.log`), (now - 3 * DAY) / 1000, (now - 3 * DAY) / 1000)
    await writeFile(join(dir, `${strayNew}.log`), 'new\n')
    await writeFile(join(dir, 'notes.txt'), 'not ours')
    await utimes(join(dir, 'notes.txt'), (now - 90 * DAY) / 1000, (now - 90 * DAY) / 1000)
    await writeFile(join(dir, 'jobs.json'), JSON.stringify(infos))

    const jobs = new JobManager(dir, { maxJobs: 4 })
    const kept = (await jobs.list()).map((j) => j.id)
    expect(kept.sort()).toEqual([...recent.slice(0, 4), busy].sort())
    const files = await readdir(dir)
    for (const gone of [...recent.slice(4), ancient, strayOld]) expect(files).not.toContain(`${gone}.log`)
    for (const stays of [...recent.slice(0, 4), busy, strayNew]) expect(files).toContain(`${stays}.log`)
    expect(files).toContain('notes.txt')
    // The saved history says the same after the next start.
    const again = new JobManager(dir, { maxJobs: 4 })
    expect((await again.list()).map((j) => j.id).sort()).toEqual(kept.sort())
  })

  it('never prunes the job it is running, and keeps its folder private', async () => {
    const { stat } = await import('node:fs/promises')
    const dir = join(await tempDir(), 'jobs')
    const jobs = new JobManager(dir, { maxJobs: 1 })
    let release!: () => void
    const running = await jobs.start('plan', 'long', () => new Promise<void>((r) => (release = r)))
    for (let i = 0; i < 3; i++) await jobs.wait((await jobs.start('plan', `short ${i}`, async () => i)).id)
    // A second manager on the same folder (another CLI run) starts while the first job runs.
    const other = new JobManager(dir, { maxJobs: 1 })
    expect((await other.list()).map((j) => j.id)).toContain(running.id)
    release()
    expect((await jobs.wait(running.id)).state).toBe('done')
    expect((await stat(running.logFile!)).isFile()).toBe(true)
    if (process.platform !== 'win32') expect((await stat(dir)).mode & 0o777).toBe(0o700)
  })

  it('removes the history temp file a killed run left (jobs.json.PID.tmp), never one of a live run', async () => {
    const dir = await tempDir()
    // A pid that ran and is gone (its run killed between writing and renaming the history).
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim()
    await writeFile(join(dir, `jobs.json.${dead}.tmp`), '[')
    await writeFile(join(dir, `jobs.json.${process.ppid}.tmp`), '[') // a live process: maybe writing right now
    const jobs = new JobManager(dir)
    await jobs.wait((await jobs.start('plan', 'one', async () => 1)).id)
    const names = await readdir(dir)
    expect(names).not.toContain(`jobs.json.${dead}.tmp`)
    expect(names).toContain(`jobs.json.${process.ppid}.tmp`)
  })
})
