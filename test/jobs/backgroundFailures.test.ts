// Failures in the background are said, never swallowed: a run queue file that cannot be written,
// and a SLURM task registry that is damaged (its re-attach after a restart fails by name and the
// file is kept aside), reach the service's problem report (a failed job) instead of vanishing.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { newEntryId, RunQueue } from '../../electron/nnunet/queue'
import { createCluster } from '../../electron/schedulers/cluster'
import { reportProblem } from '../../electron/jobs/problems'
import * as s from '../../shared/schema'

describe('background failures are reported', () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-bg-failures-'))
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('a run queue file that cannot be written is reported with its path and reason; the run still runs', async () => {
    // Its folder is a file: every write fails (ENOTDIR), as a vanished or read-only folder would.
    await writeFile(join(tmp, 'not a folder'), '')
    const problems: string[] = []
    const jobs = new JobManager(join(tmp, 'jobs'))
    const queue = new RunQueue({ jobs, file: join(tmp, 'not a folder', 'run-queue.json'), execute: async () => 'ran', onProblem: (title, message) => problems.push(`${title}: ${message}`) })
    await queue.enqueue([{ id: newEntryId(), kind: 'plan', title: 'Plan and preprocess dataset 3', request: s.planRequest.parse({ datasetId: 3 }) }])
    for (let i = 0; i < 100 && !problems.length; i++) await new Promise((r) => setTimeout(r, 20))
    expect(problems[0]).toMatch(/^Save the run queue: The run queue .*not a folder.run-queue\.json cannot be saved \((EEXIST|ENOTDIR)/)
    const started = (await queue.state()).started[0]!
    expect((await jobs.wait(started.jobId!)).state).toBe('done')
    await queue.close()
  })

  it('a damaged SLURM task registry: re-attach fails by name, the file is kept aside, and the report becomes a failed job', async () => {
    const registry = join(tmp, 'slurm-tasks.json')
    await writeFile(registry, '{"format": "nnunet-wizard-slurm-tasks", "tasks": [trunc')
    const jobs = new JobManager(join(tmp, 'jobs2'))
    const cluster = createCluster({ jobs, dataDir: tmp, settings: async () => s.settings.parse({}), registry })
    const err = await cluster.reattach().catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/SLURM task registry .*slurm-tasks\.json is damaged and was kept aside as .*slurm-tasks\.json\.invalid-\d+/)
    expect((await readdir(tmp)).some((n) => /^slurm-tasks\.json\.invalid-\d+$/.test(n))).toBe(true)
    await reportProblem(jobs, 'train', 'Follow the SLURM tasks of the last session again', (err as Error).message)
    const [job] = await jobs.list()
    expect(job).toMatchObject({ title: 'Follow the SLURM tasks of the last session again', state: 'failed' })
    expect(job!.error).toMatch(/is damaged/)
  })
})
