// A full disk under the jobs folder in the middle of a run: the process (serve, Electron) keeps
// running and answering, the job says that its log cannot be written, and the child process it
// runs is followed to its end (never orphaned silently). The disk is a real tiny tmpfs (root only).
import { spawn, execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'

const root = process.getuid?.() === 0
const why = root ? '' : '(skipped: mounting a tmpfs needs root)'

describe.skipIf(!root)(`a full disk under the job logs ${why}`, () => {
  let tmp: string
  let jobsDir: string
  let mounted = false
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-full-disk-'))
    jobsDir = join(tmp, 'jobs')
    await mkdir(jobsDir)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', jobsDir])
    mounted = true
  })
  afterAll(async () => {
    if (mounted) execFileSync('umount', [jobsDir])
    // The manager may still save its job list (now onto the unmounted folder) while this runs.
    if (tmp) await rm(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  })

  it('the job goes on with its log in memory, says why, and its process runs to its end', { timeout: 60_000 }, async () => {
    const jobs = new JobManager(jobsDir)
    const errors: string[] = []
    const onUncaught = (e: Error) => errors.push(e.message)
    process.on('uncaughtException', onUncaught)
    let childExit: number | null | undefined
    // A "training" that writes far more than the disk holds: 400 lines of 1 kB, then a last line.
    const job = await jobs.start('train', 'Fills the disk', (ctx) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', "for (let i = 0; i < 400; i++) console.log('x'.repeat(1000) + ' ' + i); setTimeout(() => console.log('last line of the run'), 300)"])
        child.stdout.setEncoding('utf8').on('data', (c: string) => ctx.log(c, 'stdout'))
        child.on('error', reject)
        child.on('close', (code) => {
          childExit = code
          resolve()
        })
      }),
    )
    const info = await jobs.wait(job.id)
    process.off('uncaughtException', onUncaught)
    expect(errors).toEqual([])
    expect(childExit).toBe(0)
    expect(info.state).toBe('done')
    expect(info.logProblem).toMatch(/cannot be written \(the disk is full\).*in memory only/)
    const lines = (await jobs.log(job.id)).map((l) => l.text)
    expect(lines.some((l) => /the disk is full/.test(l))).toBe(true)
    expect(lines).toContain('last line of the run')
    // The manager still answers and starts jobs.
    expect((await jobs.list()).map((j) => j.id)).toContain(job.id)
    const next = await jobs.start('validate', 'After the full disk', async () => 'ok')
    expect((await jobs.wait(next.id)).state).toBe('done')
  })
})
