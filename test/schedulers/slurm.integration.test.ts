// The SLURM scheduler against a real one-node cluster (scripts/slurm-up.sh) and real nnunetv2 on
// the CPU, with the app's generated trainer: a plan job and a 2-fold job array submitted from the
// CLI, streamed and finished with checkpoint_final.pth; USR1 to a running task (scancel
// --signal=USR1 --batch) saves a checkpoint and the requeued task continues at the next epoch;
// cancelling from the app leaves nothing running; exported scripts reproduce the app's folders
// with bash and with sbatch. Tiny on purpose: the cluster's 2 CPUs are shared, --cpus 1 each.
// The dataset is a copy of the cached planned fixture (test/results/trainedFixture.ts), so every
// test but the export one (which compares with the first test's fold 0) runs alone; the first test
// still plans it again on SLURM (the plan job it asserts). Each training is the shortest generated
// trainer that shows what its test asserts (1 epoch of 1 iteration; 3 epochs for the USR1 stop),
// and jobs that do not depend on each other run at once on the node's 2 CPUs (the USR1 and the
// cancel test; the export's bash and sbatch runs): nnU-Net's final validation of each fold, not
// the epochs, is most of a training's time here.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { createCluster, type Cluster } from '../../electron/schedulers/cluster'
import { SlurmScheduler } from '../../electron/schedulers/slurm'
import { MODEL_INPUTS_FILE } from '../../shared/runInputs'
import * as s from '../../shared/schema'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT, nnunetPython } from '../helpers/python'
import { holdSlurmNode, testSlurm } from '../helpers/slurm'
import { FIXTURE_DATASET, FIXTURE_ID as ID, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')
const slurm = testSlurm()
/** The shortest generated trainer: the app's and the exported scripts' fold 0 (tests 1 and 4). */
const TRAINER = 'nnUNetTrainer_Wizard_1ep_1it'

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 1_500_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The files of a fold folder, the training log's time stamp left out. */
async function foldFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.map((n) => n.replace(/^training_log_.*\.txt$/, 'training_log_<time>.txt')).sort()
}

/** "Epoch 3" lines of nnU-Net's output, in order. */
const epochNumbers = (log: string) => [...log.matchAll(/: Epoch (\d+)\s*$/gm)].map((m) => Number(m[1]))

/** Processes whose command line names this training (nnU-Net and its workers). */
function processesOf(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'))
}

describe.skipIf(!py.python || !slurm.available)(`SLURM cluster with real nnunetv2 ${py.reason} ${slurm.reason}`, () => {
  let tmp: string
  let base: string
  let env: NodeJS.ProcessEnv
  let settings: s.Settings
  let cli: (args: string[]) => ReturnType<typeof run>
  let jobs: JobManager
  let cluster: Cluster
  let release: (() => Promise<void>) | undefined
  const flags = () => ['--base', base, '--python', py.python!, '--device', 'cpu', '--workers', '1']

  beforeAll(async () => {
    release = await holdSlurmNode('slurm.integration')
    // The compute node reads and writes here: a folder every node sees (one node: /tmp will do).
    tmp = await mkdtemp(join(tmpdir(), 'nnw-slurm-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    base = join(fx.base, 'nnunet')
    env = { NNUNET_WIZARD_DATA: fx.dataDir }
    cli = (args) => run(...builtCli(args), env)
    settings = fx.settings
    jobs = new JobManager(join(tmp, 'jobs'))
    cluster = createCluster({ jobs, dataDir: fx.dataDir, settings: async () => settings, pollMs: 500 })
  }, 3_000_000)

  afterAll(async () => {
    for (const j of (await jobs?.list()) ?? []) {
      if (j.state !== 'running') continue
      jobs.cancel(j.id)
      await jobs.wait(j.id)
    }
    if (tmp) await rm(tmp, { recursive: true, force: true })
    await release?.()
  })

  const foldDir = (results: string, fold: number, trainer = TRAINER) => join(results, FIXTURE_DATASET, `${trainer}__nnUNetPlans__2d`, `fold_${fold}`)

  it('CLI: a plan job, then a 2-fold job array of 1-epoch trainings, streamed while they run, each ending with checkpoint_final.pth', { timeout: 1_800_000 }, async () => {
    // The copy is planned already; --plan plans it again, as a job the array waits for.
    const r = await cli(['train', '-d', String(ID), '-c', '2d', '-f', '0,1', '--scheduler', 'slurm', '--plan', '--epochs', '1', '--iterations', '1', '--cpus', '1', ...flags()])
    expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(0)
    const out = r.stdout
    // The job ids and the dependency as sbatch was asked.
    const plan = /sbatch plan\.sbatch: job (\d+)/.exec(out)![1]
    const array = new RegExp(`sbatch train\\.sbatch \\(after ${plan}\\): job (\\d+), tasks \\d+_0-1`).exec(out)![1]
    // SLURM's states as they changed: waiting on the plan, running on the node, completed.
    expect(out).toMatch(new RegExp(`SLURM task ${array}_0: SLURM PENDING, \\(Dependency\\)`))
    for (const t of [0, 1]) {
      const done = out.indexOf(`SLURM task ${array}_${t}: SLURM COMPLETED`)
      expect(done).toBeGreaterThan(0)
      expect(out.indexOf(`SLURM task ${array}_${t}: SLURM RUNNING, on `)).toBeGreaterThan(0)
      expect(existsSync(join(foldDir(settings.folders!.results, t), 'checkpoint_final.pth'))).toBe(true)
    }
    // nnU-Net's lines arrived while the tasks ran (before the array's tasks were seen completed:
    // the epoch is followed by the fold's final validation), and the epoch became a curve point of
    // both tasks.
    const firstDone = Math.min(out.indexOf(`SLURM task ${array}_0: SLURM COMPLETED`), out.indexOf(`SLURM task ${array}_1: SLURM COMPLETED`))
    expect(out.slice(0, firstDone)).toMatch(/: Epoch 0\s*$/m)
    expect(out.slice(0, firstDone)).toMatch(/: Epoch time: /m)
    expect(r.stderr.match(/^>> epoch 0\/1 {2}train \d/gm)?.length).toBe(2)
    // The scripts are kept next to the logs, one log per task.
    const folder = /Job scripts and task logs: (.+)/.exec(out)![1]!.trim()
    // The study carries the generated trainer it trains with (nnUNet_extTrainer points at trainers/).
    expect((await readdir(folder)).sort()).toEqual(['logs', 'plan.sbatch', 'run-all.sh', 'submit-all.sh', 'train.sbatch', 'trainers'])
    expect(await readdir(join(folder, 'trainers'))).toEqual([`${TRAINER}.py`])
    expect((await readdir(join(folder, 'logs'))).sort()).toEqual([`plan-${plan}.log`, `train-${array}_0.log`, `train-${array}_1.log`])
    expect(await readFile(join(folder, 'train.sbatch'), 'utf8')).toContain('#SBATCH --signal=B:USR1@600')
  })

  // This test and the next submit one task each (--cpus 1) and run at once: the node has 2 CPUs.
  // 3 epochs of 2 iterations: the stop asked in epoch 0 must land before the last epoch's end.
  it.concurrent('USR1 to a running task: a checkpoint at the end of the epoch, the task requeued, continuing at the next epoch', { timeout: 1_200_000 }, async ({ expect }) => {
    const req = s.clusterSubmitRequest.parse({ trainings: [{ datasetId: ID, configuration: '2d', fold: 2, epochs: 3, iterationsPerEpoch: 2 }], slurm: { cpus: 1 } })
    const { jobId } = await cluster.submitToCluster(req)
    // The task's own job (titled like a local training) and its SLURM id.
    let task: { id: string; title: string } | undefined
    for (let i = 0; i < 120 && !task; i++, await sleep(500)) task = (await jobs.list()).find((j) => j.title === 'Train 2d fold 2 (dataset 611)')
    expect(task).toBeDefined()
    const taskLog = () => jobs.log(task!.id).then((lines) => lines.map((l) => l.text).join('\n'))
    let taskId: string | undefined
    for (let i = 0; i < 1200; i++, await sleep(500)) {
      const text = await taskLog()
      taskId ??= /Following SLURM task (\d+_\d+)/.exec(text)?.[1]
      if (/: Epoch 0\s*$/m.test(text)) break
    }
    expect(taskId).toBeDefined()
    await new SlurmScheduler().signal(taskId!, 'USR1')
    const info = await jobs.wait(jobId)
    expect(info.state, info.error).toBe('done')
    const text = await taskLog()
    const stopped = /stopped after epoch (\d+) on request: checkpoint_latest\.pth saved; --c continues at epoch (\d+)/.exec(text)
    expect(stopped, text.slice(-4000)).not.toBeNull()
    const k = Number(stopped![1])
    expect(Number(stopped![2])).toBe(k + 1)
    expect(text).toContain('requeueing task 0 (it continues with --c)')
    expect(text).toMatch(/task 0 on \S+, job \d+, restart 1, continuing with --c/)
    // Every epoch ran once: the one before the stop is not repeated, the next one follows it.
    expect(epochNumbers(text)).toEqual([0, 1, 2])
    expect(text).toMatch(/requeued 1x/)
    expect(existsSync(join(foldDir(settings.folders!.results, 2, 'nnUNetTrainer_Wizard_3ep_2it'), 'checkpoint_final.pth'))).toBe(true)
    // The job's curve has each epoch once.
    const metrics = (await jobs.list()).find((j) => j.id === task!.id)!.metrics ?? []
    expect(metrics.map((m) => m.epoch)).toEqual([0, 1, 2])
  })

  it.concurrent('Cancel from the app is scancel: the task ends CANCELLED and no process of it is left', { timeout: 900_000 }, async ({ expect }) => {
    const req = s.clusterSubmitRequest.parse({ trainings: [{ datasetId: ID, configuration: '2d', fold: 3, epochs: 50, iterationsPerEpoch: 2, npz: false }], slurm: { cpus: 1 } })
    const { jobId } = await cluster.submitToCluster(req)
    const marker = `nnUNetv2_train ${ID} 2d 3 `
    for (let i = 0; i < 1200 && processesOf(marker).length === 0; i++) await sleep(500)
    expect(processesOf(marker).length).toBeGreaterThan(0)
    const task = (await jobs.list()).find((j) => j.title === 'Train 2d fold 3 (dataset 611)')!
    jobs.cancel(jobId)
    expect((await jobs.wait(jobId)).state).toBe('cancelled')
    expect((await jobs.wait(task.id)).state).toBe('cancelled')
    const taskId = /Following SLURM task (\d+_\d+)/.exec((await jobs.log(task.id)).map((l) => l.text).join('\n'))![1]!
    const [state] = await new SlurmScheduler().state(taskId)
    expect(state?.state).toBe('CANCELLED')
    for (let i = 0; i < 60 && processesOf(marker).length; i++) await sleep(500)
    expect(processesOf(marker)).toEqual([])
  })

  // Uses the first test's fold 0 (the app's training it compares with). Exported once per way of
  // running; the bash run (on this machine) and the sbatch run (on the node) go at once.
  it('export-scripts: the scripts reproduce the app\'s folders, run with bash and with sbatch', { timeout: 1_800_000 }, async () => {
    const appFold = await foldFiles(foldDir(settings.folders!.results, 0))
    expect(appFold).toContain('checkpoint_final.pth')
    // The app records what the training read (wizard_train_inputs.json) as it submits; a script run
    // is nnU-Net alone, so the folders compared are nnU-Net's files.
    expect(appFold).toContain(MODEL_INPUTS_FILE)
    const nnunetFiles = appFold.filter((f) => f !== MODEL_INPUTS_FILE)
    const runScripts = async (how: 'bash' | 'sbatch'): Promise<string[]> => {
      const results = join(tmp, `results-${how}`)
      const out = join(tmp, `scripts-${how}`)
      const r = await cli(['export-scripts', '-d', String(ID), '--out', out, '-c', '2d', '-f', '0', '--epochs', '1', '--iterations', '1', '--cpus', '1', ...flags(), '--results', results])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain(`Wrote 3 scripts to ${out}`)
      if (how === 'bash') {
        const b = await run('bash', [join(out, 'run-all.sh')])
        expect(b.code, b.stderr.slice(-3000)).toBe(0)
      } else {
        const b = await run('bash', [join(out, 'submit-all.sh')])
        expect(b.code, b.stderr).toBe(0)
        const id = /train\.sbatch: job (\d+)/.exec(b.stdout)![1]!
        for (let i = 0; i < 2400; i++, await sleep(500)) {
          const st = await new SlurmScheduler().state(id)
          if (st.length && st.every((t) => t.state === 'COMPLETED' || t.state === 'FAILED' || t.state === 'CANCELLED')) break
        }
        expect((await new SlurmScheduler().state(id)).map((t) => t.state)).toEqual(['COMPLETED'])
      }
      return foldFiles(foldDir(results, 0))
    }
    // Both settle before anything is asserted: a failed one must not leave the other running past the test.
    const [bash, sbatch] = await Promise.allSettled([runScripts('bash'), runScripts('sbatch')])
    for (const r of [bash, sbatch]) if (r.status === 'rejected') throw r.reason
    expect((bash as PromiseFulfilledResult<string[]>).value).toEqual(nnunetFiles)
    expect((sbatch as PromiseFulfilledResult<string[]>).value).toEqual(nnunetFiles)
  })
})
