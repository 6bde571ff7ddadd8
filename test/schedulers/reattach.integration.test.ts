// A restarted app follows the SLURM tasks it had submitted again, by their ids: the registry in
// the data folder names them, and a new cluster (a new app process) starts a job for each that
// reads the task's log from the start and ends with the task. Real SLURM (scripts/slurm-up.sh).
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { createCluster } from '../../electron/schedulers/cluster'
import * as s from '../../shared/schema'
import { holdSlurmNode, testSlurm } from '../helpers/slurm'

const slurm = testSlurm()

describe.skipIf(!slurm.available)(`re-attach to SLURM tasks after a restart ${slurm.reason}`, () => {
  let tmp: string
  let release: (() => Promise<void>) | undefined
  beforeAll(async () => {
    release = await holdSlurmNode('reattach.integration')
    tmp = await mkdtemp(join(tmpdir(), 'nnw-reattach-'))
  }, 3_000_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
    await release?.()
  })

  it('follows a running task again from the registry, and forgets it once it has ended', { timeout: 600_000 }, async () => {
    const log = join(tmp, 'task.log')
    const id = execFileSync('sbatch', ['--parsable', '--cpus-per-task=1', `--output=${log}`, '--wrap', 'echo "first line"; sleep 4; echo "Epoch time: 1.5 s"; echo "last line"'], { encoding: 'utf8' }).trim().split(';')[0]!
    const registry = join(tmp, 'slurm-tasks.json')
    // What the app that submitted it left behind when it stopped.
    await writeFile(registry, JSON.stringify({ format: 'nnunet-wizard-slurm-tasks', version: 1, tasks: [{ taskId: id, kind: 'train', title: 'Train 2d fold 0 (dataset 9)', logFile: log, tool: { script: 'nnUNetv2_train', entry: 'nnunetv2.run.run_training:run_training_entry' }, args: ['9', '2d', '0'], totalEpochs: 2 }] }))
    const jobs = new JobManager(join(tmp, 'jobs'))
    const cluster = createCluster({ jobs, dataDir: tmp, settings: async () => s.settings.parse({}), registry, pollMs: 300 })
    await cluster.reattach()
    const [job] = await jobs.list()
    expect(job).toMatchObject({ kind: 'train', title: 'Train 2d fold 0 (dataset 9)', command: ['sbatch', id] })
    const done = await jobs.wait(job!.id)
    expect(done.state, done.error).toBe('done')
    const text = (await jobs.log(job!.id)).map((l) => l.text).join('\n')
    expect(text).toContain(`Following SLURM task ${id}`)
    expect(text).toMatch(/first line[\s\S]*last line/)
    expect(text).toMatch(new RegExp(`SLURM task ${id}: SLURM COMPLETED, on \\S+`))
    expect(done.result).toMatchObject({ taskId: id, state: 'COMPLETED' })
    // Ended: nothing left to follow after the next restart.
    await new Promise((r) => setTimeout(r, 300))
    expect(JSON.parse(await readFile(registry, 'utf8')).tasks).toEqual([])
  })
})
