// submitToCluster: a study handed to SLURM. The scripts (study.ts) are written into a folder of
// the results folder (the shared file system the compute nodes see), next to their logs; they are
// submitted with sbatch in dependency order (afterok); every SLURM task then becomes an app job
// that follows it (follow.ts), titled like a local run, so the queue pane, the log pane and the
// curves show it the same way. One more job, the submission, ends when all of them have ended and
// cancelling it cancels them (scancel). The tasks are recorded in the data folder, so a restarted
// app follows the ones still running again, by their SLURM ids.
import { chmod, mkdir, readFile, rename, rmdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { z } from 'zod'
import type { JobKind, JobRef } from '../../shared/api'
import type { ClusterSubmitRequest, ExportScriptsRequest, Settings, SlurmOptions } from '../../shared/schema'
import { JobCancelledError, type JobContext, type JobManager } from '../jobs/jobManager'
import { writeFileAtomic } from '../files/writeAtomic'
import { DomainError } from '../domainError'
import { followTask, type FollowedTask } from './follow'
import { lockFold, releaseSlurmFold, type FoldRelease } from '../nnunet/foldLock'
import { prepareRun } from '../nnunet/runPrepare'
import { finalValidation } from '../nnunet/finalValidation'
import { SlurmScheduler, slurmStatus } from './slurm'
import { buildStudy, runAllScript, submitAllScript, type Study, type StudyTask } from './study'
import { STUDY_TRAINERS } from './scripts'
import type { Scheduler } from './types'

const record = z.object({
  taskId: z.string().regex(/^\d+(_\d+)?$/),
  kind: z.enum(['plan', 'train', 'find-best', 'predict']),
  title: z.string(),
  logFile: z.string(),
  tool: z.object({ script: z.string(), entry: z.string() }),
  args: z.array(z.string()),
  totalEpochs: z.number().optional(),
  outputFolder: z.string().optional(),
})
type TaskRecord = z.infer<typeof record>
const registryFile = z.object({ format: z.literal('nnunet-wizard-slurm-tasks'), version: z.literal(1), tasks: z.array(record) })

export interface ClusterOptions {
  jobs: JobManager
  dataDir: string
  settings: () => Promise<Settings>
  /** Where followed tasks are recorded (re-attach after a restart); none: not recorded (the CLI). */
  registry?: string
  scheduler?: Scheduler
  pollMs?: number
  /** Told what failed in the background (the registry not written, a re-attach that failed): the service shows it. */
  onProblem?: (message: string) => void
}

/** The sbatch options of a submission: the request's over the saved settings'. */
export function mergedSlurm(saved: SlurmOptions | undefined, req: SlurmOptions | undefined): SlurmOptions {
  return { ...saved, ...Object.fromEntries(Object.entries(req ?? {}).filter(([, v]) => v !== undefined)) }
}

export function createCluster(opts: ClusterOptions) {
  const scheduler = opts.scheduler ?? new SlurmScheduler()
  let tasks: TaskRecord[] = []
  let writes: Promise<unknown> = Promise.resolve()

  const save = () => {
    const file = opts.registry
    if (!file) return
    const text = `${JSON.stringify({ format: 'nnunet-wizard-slurm-tasks', version: 1, tasks }, null, 1)}\n`
    // A registry that cannot be written loses the re-attach after a restart: said, never swallowed.
    writes = writes
      .then(() => writeFileAtomic(file, text))
      .catch((err: Error) => {
        const message = `The SLURM task registry ${file} could not be written (${err.message}): after a restart the app would not follow these tasks again. Free space or fix the folder's permissions.`
        console.error(`nnunet-wizard: ${message}`)
        opts.onProblem?.(message)
      })
  }

  /** SLURM task id of each job that follows one (for "stop after this epoch"). */
  const taskOfJob = new Map<string, TaskRecord>()

  /** Starts the job that follows one SLURM task; it leaves the registry when the task has ended. */
  const follow = async (t: TaskRecord): Promise<string> => {
    const job = await opts.jobs.start(t.kind as JobKind, t.title, async (ctx: JobContext) => {
      taskOfJob.set(ctx.jobId, t)
      ctx.setCommand(['sbatch', t.taskId])
      const followed: FollowedTask = { taskId: t.taskId, logFile: t.logFile, tool: t.tool, args: t.args, totalEpochs: t.totalEpochs, outputFolder: t.outputFolder }
      try {
        const result = await followTask(ctx, scheduler, followed, { pollMs: opts.pollMs })
        // A finished training shows its final validation Dice like a local one (the same reader).
        const validation = t.kind === 'train' && result.outputFolder ? await opts.settings().then((s) => finalValidation(s, result.outputFolder!)).catch(() => undefined) : undefined
        return validation ? { ...result, validation } : result
      } finally {
        // Cancelled or ended: either way SLURM has nothing more of it to follow, and its fold is free.
        tasks = tasks.filter((x) => x.taskId !== t.taskId)
        taskOfJob.delete(ctx.jobId)
        save()
        if (t.kind === 'train' && t.outputFolder) await releaseSlurmFold(t.outputFolder, t.taskId).catch((err: Error) => ctx.log(`The lock of ${t.outputFolder} could not be released: ${err.message}`, 'stderr'))
      }
    })
    return job.id
  }

  const submitStudy = async (study: Study, ctx: JobContext, locks: Map<StudyTask, FoldRelease>): Promise<string[]> => {
    const ids = new Map<string, string>()
    const jobIds: string[] = []
    for (const j of study.jobs) {
      const after = j.after.map((a) => ids.get(a)!).filter(Boolean)
      const runs = [...new Set(j.tasks.map((t) => t.spec))]
      const { id } = await scheduler.submit({ runs, script: join(study.folder, j.script.name), cwd: study.folder, afterOk: after })
      ids.set(j.script.name, id)
      ctx.log(`sbatch ${j.script.name}${after.length ? ` (after ${after.join(', ')})` : ''}: job ${id}${j.script.tasks ? `, tasks ${id}_0-${j.script.tasks - 1}` : ''}`, 'info')
      const records: TaskRecord[] = j.tasks.slice(0, j.script.tasks ?? 1).map((task, i) => ({
        taskId: j.script.tasks ? `${id}_${i}` : id,
        kind: j.kind,
        // A plan job runs its commands one after another: the last (the plan) names it.
        title: j.script.tasks ? task.title : j.title,
        logFile: j.script.logFile(id, j.script.tasks ? i : undefined),
        tool: (j.script.tasks ? task : j.tasks[j.tasks.length - 1]!).command.tool,
        args: (j.script.tasks ? task : j.tasks[j.tasks.length - 1]!).command.args,
        ...(task.totalEpochs !== undefined && { totalEpochs: task.totalEpochs }),
        ...(task.outputFolder && { outputFolder: task.outputFolder }),
      }))
      // Each fold's lock goes over to the SLURM task that trains it (released when it has ended).
      for (const [i, task] of j.tasks.entries()) {
        const lock = locks.get(task)
        if (lock && j.script.tasks) {
          await lock.slurm(`${id}_${i}`)
          locks.delete(task)
        }
      }
      tasks.push(...records)
      save()
      for (const r of records) jobIds.push(await follow(r))
    }
    return jobIds
  }

  const submitToCluster = async (req: ClusterSubmitRequest): Promise<JobRef> => {
    const status = await slurmStatus()
    if (!status.available) throw new DomainError(status.problem ?? 'SLURM is not available here.', 'no-slurm', 'conflict')
    const settings = await opts.settings()
    if (!settings.folders) throw new DomainError('The nnU-Net folders are not set. Choose or create them in the Environment step first.', 'no-folders', 'conflict')
    if (!req.plan && !req.trainings.length) throw new DomainError('Nothing to submit: give a plan or trainings.', 'nothing-to-submit')
    const slurm = mergedSlurm(settings.slurm, req.slurm)
    const id = req.plan?.datasetId ?? req.trainings[0]!.datasetId
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
    const title = `Submit dataset ${id} to SLURM (${[req.plan ? 'plan' : '', req.trainings.length ? `${req.trainings.length} training${req.trainings.length === 1 ? '' : 's'}` : '', req.thenFindBest ? 'find_best' : ''].filter(Boolean).join(', ')})`
    // Resolved before anything is submitted, by the same rules as a local run (plan first unless
    // the plan is part of this submission, the plans it was planned with, train longer...).
    const folder = await newStudyFolder(join(settings.folders!.results, 'nnunet-wizard-slurm'), `${stamp}-${id}`)
    // A refused submission leaves no empty study folder behind (rmdir removes only an empty one).
    const dropFolder = () => rmdir(folder).catch(() => undefined)
    const study = await buildStudy({ plan: req.plan, trainings: req.trainings, thenFindBest: req.thenFindBest }, settings, opts.dataDir, folder, slurm).catch(async (err: unknown) => {
      await dropFolder()
      throw err
    })
    // One writer per fold: each training's fold is locked now (refused by name when another run
    // trains it), and handed to its SLURM task once sbatch has named it.
    const locks = new Map<StudyTask, FoldRelease>()
    const releaseAll = async () => {
      for (const release of locks.values()) await release().catch((err: Error) => console.error(`nnunet-wizard: a fold lock could not be released: ${err.message}`))
      locks.clear()
    }
    const prepared: string[] = []
    try {
      for (const j of study.jobs) {
        if (j.kind !== 'train') continue
        for (const task of j.tasks) if (task.outputFolder) locks.set(task, await lockFold(task.outputFolder, { kind: 'slurm', title: task.title }))
      }
      // The runs' preparations (v1 trainer install, train longer's checkpoint) on the shared file system the nodes read.
      for (const spec of new Set(study.jobs.flatMap((j) => j.tasks.map((t) => t.spec)))) await prepareRun(spec, (line) => prepared.push(line))
    } catch (err) {
      await releaseAll()
      await dropFolder()
      throw err
    }
    const job = await opts.jobs.start('train', title, async (ctx) => {
      for (const line of prepared) ctx.log(line, 'info')
      try {
        await writeStudy(study)
      } catch (err) {
        await releaseAll()
        throw err
      }
      ctx.log(`Job scripts and task logs: ${study.folder}`, 'info')
      ctx.progress({ done: 0, total: 0, unit: 'job', message: 'submitting with sbatch' })
      let children: string[]
      try {
        children = await submitStudy(study, ctx, locks)
      } finally {
        // Folds whose task was never submitted (sbatch failed) are free again.
        await releaseAll()
      }
      let done = 0
      ctx.progress({ done, total: children.length, unit: 'task', message: `${children.length} SLURM task${children.length === 1 ? '' : 's'} submitted` })
      const onAbort = () => children.forEach((c) => opts.jobs.cancel(c))
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      const results = await Promise.all(
        children.map(async (c) => {
          const info = await opts.jobs.wait(c)
          ctx.progress({ done: ++done, total: children.length, unit: 'task', message: `${done} of ${children.length} SLURM tasks ended` })
          ctx.log(`${info.title}: ${info.state}${info.error ? ` (${info.error})` : ''}`, 'info')
          return info
        }),
      )
      ctx.signal.removeEventListener('abort', onAbort)
      if (ctx.signal.aborted) throw new JobCancelledError()
      const failed = results.filter((r) => r.state !== 'done')
      if (failed.length) throw new Error(`${failed.length} of ${results.length} SLURM tasks did not finish: ${failed.map((f) => f.title).join('; ')}. Their logs are in ${study.logDir}.`)
      return { folder: study.folder, tasks: results.map((r) => ({ title: r.title, result: r.result })) }
    }).catch(async (err: unknown) => {
      // No job could be made (the jobs folder not writable): nothing was submitted, the folds are free.
      await releaseAll()
      throw err
    })
    return { jobId: job.id }
  }

  /** Follows again the tasks recorded by an earlier run of the app that have not ended. */
  const reattach = async (): Promise<void> => {
    if (!opts.registry) return
    const file = opts.registry
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return // nothing was followed yet
      throw new Error(`The SLURM task registry ${file} cannot be read (${(err as Error).message}): the SLURM tasks of an earlier run of the app are not followed again. Fix the file's permissions and restart the app.`)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    const parsed = registryFile.safeParse(json)
    if (!parsed.success) {
      // Kept aside for inspection (the task ids are in it); a new registry starts empty.
      const aside = `${file}.invalid-${Date.now()}`
      await rename(file, aside).catch(() => undefined)
      throw new Error(`The SLURM task registry ${file} is damaged and was kept aside as ${aside}: the SLURM tasks of an earlier run of the app are not followed again (follow them with squeue; their logs are in the results folder's nnunet-wizard-slurm/).`)
    }
    const failed: string[] = []
    for (const t of parsed.data.tasks) {
      // Running, waiting, or ended while the app was closed: the job reads the whole log and says how it ended.
      tasks.push(t)
      try {
        await follow(t)
      } catch (err) {
        tasks = tasks.filter((x) => x.taskId !== t.taskId)
        failed.push(`${t.title} (SLURM task ${t.taskId}): ${(err as Error).message}`)
      }
    }
    if (failed.length) {
      save()
      throw new Error(`${failed.length} SLURM task${failed.length === 1 ? ' is' : 's are'} not followed again after the restart: ${failed.join('; ')}`)
    }
  }

  /** The study as scripts in a folder of the user's choice (nothing is submitted). */
  const exportScripts = async (req: ExportScriptsRequest): Promise<{ folder: string; files: string[] }> => {
    const settings = await opts.settings()
    if (!settings.folders) throw new DomainError('The nnU-Net folders are not set. Choose or create them in the Environment step first: the scripts export them.', 'no-folders', 'conflict')
    if (!req.plan && !req.trainings.length && !req.predict) throw new DomainError('Nothing to export: give a plan, trainings or a prediction.', 'nothing-to-export')
    const folder = resolve(req.folder)
    const study = await buildStudy({ plan: req.plan, trainings: req.trainings, thenFindBest: req.thenFindBest, predict: req.predict }, settings, opts.dataDir, folder, mergedSlurm(settings.slurm, req.slurm))
    return { folder, files: await writeStudy(study) }
  }

  /** USR1 to a followed training task's batch script (train.sbatch passes it to nnU-Net); false when the job follows none. */
  const stopAfterEpoch = async (jobId: string): Promise<boolean> => {
    const t = taskOfJob.get(jobId)
    if (!t || t.kind !== 'train') return false
    await scheduler.signal(t.taskId, 'USR1')
    return true
  }

  return { submitToCluster, slurmStatus, exportScripts, stopAfterEpoch, reattach, scheduler, follow, tasksFollowed: () => tasks.map((t) => t.taskId) }
}

export type Cluster = ReturnType<typeof createCluster>

/**
 * A new, empty study folder under `parent`: `name` (the second and the dataset), or name-2, name-3...
 * when a submission in the same second took it. Two submissions of one dataset in one second (two
 * clicks, two CLI runs, tests that submit at once) otherwise wrote their scripts into one folder,
 * and sbatch submitted whichever train.sbatch was there last for both.
 */
export async function newStudyFolder(parent: string, name: string): Promise<string> {
  await mkdir(parent, { recursive: true })
  for (let n = 1; ; n++) {
    const folder = join(parent, n === 1 ? name : `${name}-${n}`)
    try {
      await mkdir(folder)
      return folder
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err
    }
  }
}

/** Writes a study's scripts (executable) and its run-all / submit-all scripts; the log folder is made. */
export async function writeStudy(study: Study): Promise<string[]> {
  await mkdir(study.logDir, { recursive: true })
  const files: string[] = []
  const put = async (name: string, text: string) => {
    const file = join(study.folder, name)
    await writeFileAtomic(file, text)
    await chmod(file, 0o755)
    files.push(file)
  }
  for (const j of study.jobs) await put(j.script.name, j.script.text)
  // The trainers the scripts train with, beside them (the scripts put this folder on nnUNet_extTrainer).
  for (const f of study.trainerFiles) {
    const to = join(study.folder, STUDY_TRAINERS, basename(f))
    await writeFileAtomic(to, await readFile(f))
    files.push(to)
  }
  await put('run-all.sh', runAllScript(study))
  await put('submit-all.sh', submitAllScript(study))
  return files
}
