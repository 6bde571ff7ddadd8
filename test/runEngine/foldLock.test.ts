// One writer per fold folder. The lock's own rules (a holder named in the refusal; a stale lock
// taken over; an orphaned nnU-Net found and reported, not trained over; a SLURM holder alive while
// SLURM knows the job), then two trainings of one fold started together: through the app's queue
// (the second is refused naming the queue entry) and from two CLI processes (one trains, the other
// is refused naming the CLI's pid). nnU-Net is a fake venv whose training sleeps a few seconds.
import { execFile, spawn, spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FoldBusyError, foldLockFile, lockFold } from '../../electron/nnunet/foldLock'
import { createService } from '../../electron/service'
import { builtCli } from '../helpers/builtCli'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { REPO_ROOT } from '../helpers/python'
import * as s from '../../shared/schema'

/** A pid that no longer runs. */
const deadPid = () => spawnSync('true').pid

async function fakeVenv(dir: string): Promise<string> {
  const bin = join(dir, 'bin')
  await mkdir(bin, { recursive: true })
  const python = join(bin, 'python')
  // A "training" runs 4 s and then fails (it writes no checkpoint): long enough for a second one to collide.
  await writeFile(python, '#!/bin/bash\ncase "$2" in *run_training*) sleep 4 ;; esac\nexit 1\n')
  await chmod(python, 0o755)
  return python
}

describe('one writer per fold folder', () => {
  let tmp: string
  let settings: s.Settings
  let base: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-fold-lock-'))
    base = join(tmp, 'nnunet')
    const folders = { raw: join(base, 'nnUNet_raw'), preprocessed: join(base, 'nnUNet_preprocessed'), results: join(base, 'nnUNet_results') }
    await writePlannedDataset(folders.preprocessed, 'Dataset008_Lung')
    settings = s.settings.parse({ pythonPath: await fakeVenv(join(tmp, 'venv')), nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1 })
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('names its holder, takes over a stale lock, reports an orphaned nnU-Net, and follows a SLURM holder', async () => {
    const fold = join(tmp, 'locks', 'T__P__2d', 'fold_0')
    const release = await lockFold(fold, { kind: 'queue', title: 'Train 2d fold 0 (dataset 8)', jobId: 'j1' })
    await expect(lockFold(fold, { kind: 'cli' })).rejects.toThrow(/already being trained by the run queue entry "Train 2d fold 0 \(dataset 8\)" \(job j1\)/)
    await release()
    // Stale: a process of this host that no longer runs.
    const owner = { kind: 'cli', pid: deadPid(), host: hostname(), nonce: 'a', startedAt: 1 }
    await writeFile(foldLockFile(fold), JSON.stringify(owner))
    const taken = await lockFold(fold, { kind: 'cli' })
    expect(JSON.parse(await readFile(foldLockFile(fold), 'utf8')).pid).toBe(process.pid)
    await taken()
    // An orphan: the CLI is gone, the nnU-Net it started still runs.
    const orphan = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
    try {
      await writeFile(foldLockFile(fold), JSON.stringify({ ...owner, childPid: orphan.pid }))
      const err = await lockFold(fold, { kind: 'queue' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(FoldBusyError)
      expect((err as FoldBusyError).hold.state).toBe('orphan')
      expect((err as Error).message).toMatch(new RegExp(`still being trained by an nnU-Net process \\(pid ${orphan.pid} on .*\\) left running by nnunet-wizard CLI pid ${owner.pid}.*not started over`))
    } finally {
      orphan.kill('SIGKILL')
    }
    // A SLURM task holds it while SLURM knows the job; once it has ended, the lock is stale.
    await writeFile(foldLockFile(fold), JSON.stringify({ ...owner, kind: 'slurm', slurmJobId: '41_0', title: 'Train 2d fold 0 (dataset 8)' }))
    await expect(lockFold(fold, { kind: 'cli' }, async () => true)).rejects.toThrow(/already being trained by SLURM job 41_0 "Train 2d fold 0 \(dataset 8\)"/)
    await (await lockFold(fold, { kind: 'cli' }, async () => false))()
  })

  it('queue: a second training of a fold queued or running is refused by name', { timeout: 60_000 }, async () => {
    const service = createService({ mode: 'browser' }, join(tmp, 'app'), { settings, jobsDir: join(tmp, 'app', 'jobs') })
    const req = { datasetId: 8, configuration: '2d', fold: 1, npz: false } as const
    const first = await service.train(req)
    await expect(service.train(req)).rejects.toThrow(/nnUNetTrainer__nnUNetPlans__2d.fold_1 is already going to be trained by the run queue entry "Train 2d fold 1 \(dataset 8\)" \(job /)
    // While it runs, the fold's lock names the queue entry.
    for (let i = 0; i < 100 && !(await readFile(foldLockFile(join(settings.folders!.results, 'Dataset008_Lung', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_1')), 'utf8').catch(() => '')); i++) await new Promise((r) => setTimeout(r, 50))
    const lock = JSON.parse(await readFile(foldLockFile(join(settings.folders!.results, 'Dataset008_Lung', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_1')), 'utf8'))
    expect(lock).toMatchObject({ kind: 'queue', title: 'Train 2d fold 1 (dataset 8)', jobId: first.jobId, pid: process.pid })
    await service.jobs.wait(first.jobId)
    await service.dispose()
  })

  it('after a crash: the queue calls the training interrupted, its nnU-Net still runs: reported, and starting it again is refused', { timeout: 60_000 }, async () => {
    const app = join(tmp, 'crashed app')
    const request = s.trainRequest.parse({ datasetId: 8, configuration: '2d', fold: 3 })
    const entry = { id: 'e1', kind: 'train', title: 'Train 2d fold 3 (dataset 8)', enqueuedAt: 1, startedAt: 2, jobId: 'gone', request }
    await mkdir(app, { recursive: true })
    await writeFile(join(app, 'run-queue.json'), JSON.stringify({ format: 'nnunet-wizard-run-queue', version: 2, waiting: [], started: [entry], running: ['e1'] }))
    const fold = join(settings.folders!.results, 'Dataset008_Lung', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_3')
    await mkdir(join(fold, '..'), { recursive: true })
    const orphan = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })
    try {
      await writeFile(foldLockFile(fold), JSON.stringify({ kind: 'queue', title: entry.title, jobId: 'gone', pid: deadPid(), host: hostname(), nonce: 'b', startedAt: 1, childPid: orphan.pid }))
      const service = createService({ mode: 'browser' }, app, { settings, jobsDir: join(app, 'jobs') })
      let report: { title: string; error?: string } | undefined
      for (let i = 0; i < 100 && !report; i++, await new Promise((r) => setTimeout(r, 100))) report = (await service.jobs.list()).find((j) => j.title.includes('is still training') && j.state === 'failed')
      expect(report?.error).toMatch(new RegExp(`still being trained by an nnU-Net process \\(pid ${orphan.pid} `))
      expect((await service.runQueue()).started[0]!.interrupted).toBe(true)
      await expect(service.train(request)).rejects.toThrow(/not started over/)
      await service.dispose()
    } finally {
      orphan.kill('SIGKILL')
    }
  })

  it('CLI: two trainings of one fold started together: one trains, the other is refused naming the CLI process', { timeout: 180_000 }, async () => {
    // The built CLI, as a user runs it (tsx compiled all of electron/ again in each of the two).
    const cli = () =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(...builtCli(['train', '-d', '8', '-c', '2d', '-f', '2', '--no-npz', '--base', base, '--python', settings.pythonPath!, '--device', 'cpu', '--yes']), { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: join(tmp, 'cli data') }, timeout: 170_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
        ),
      )
    const [a, b] = await Promise.all([cli(), cli()])
    const refused = [a, b].filter((r) => /is already being trained by nnunet-wizard CLI pid \d+ on /.test(r.out))
    expect(refused, a.out + '\n----\n' + b.out).toHaveLength(1)
    // The other one ran the training (the fake nnU-Net fails after its 4 s: no checkpoint).
    const ran = [a, b].find((r) => r !== refused[0])!
    expect(ran.out).toMatch(/nnUNetv2_train 8 2d 2/)
    expect(ran.out).not.toMatch(/already being trained/)
  })
})
