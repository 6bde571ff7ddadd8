// The run methods of the service: plan, train, predict and find_best, all through the one run
// queue, SLURM submissions and stop-after-epoch, with every rule that applies to them (the --npz
// check before find_best, the trainings a queued find_best follows). The desktop app, browser mode and the CLI reach them only through
// createService, so the rules hold wherever a run is started from.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Api, QueueEntry } from '../../shared/api'
import { findBestAfter, resolveFindBest } from '../../shared/findBest'
import { makesModel, predictPlace } from '../../shared/predictQueue'
import * as s from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import type { EventfulJobs } from '../jobs/eventBus'
import { DomainError } from '../domainError'
import { folderStatus, trainedModels } from '../nnunet/folders'
import { trainedModelFor } from '../results/modelChoice'
import { checkPredictInputFor, checkTrainedModel, npzFindings, npzRefusal, runFindBest, runPlan, runTrain } from '../nnunet/pipeline'
import { findBestTitle, planSpec, planTitle, predictTitle, resolveTrainRequest, trainingFold, trainTitle, withPlans as planned, type Ahead } from '../nnunet/runSpec'
import { refuseBusyFolds } from '../nnunet/foldBusy'
import { busyText, foldHold } from '../nnunet/foldLock'
import { reportProblem } from '../jobs/problems'
import { newEntryId, RunQueue, type NewEntry } from '../nnunet/queue'
import { envOf, withEnv } from './projectEnvironment'
import { createCluster, type Cluster } from '../schedulers/cluster'
import { predictAndScore } from './predictAndScore'
import { dicomCaseFolders } from './dicomPredictInput'
import { defaultPredictOutput } from '../nnunet/predictOutput'
import { requestStop } from '../schedulers/local'
import { requestKeep } from '../nnunet/stopAndKeep'

export { planTitle, trainTitle, predictTitle, findBestTitle } from '../nnunet/runSpec'

export type RunMethods = Pick<Api, 'plan' | 'train' | 'predict' | 'findBest' | 'enqueueTrainings' | 'runQueue' | 'removeQueued' | 'resumeQueue' | 'submitToCluster' | 'slurmStatus' | 'exportScripts' | 'stopAfterEpoch' | 'stopAndKeep'>

export interface RunsOptions {
  jobs: EventfulJobs
  /** The service's data folder (generated trainers live there). */
  dataDir: string
  /** The settings a run uses: read when it starts, not when it was queued. */
  settings: () => Promise<s.Settings>
  /** Where the queue is kept; none: in memory (the CLI). */
  queueFile?: string
}

export function createRuns(opts: RunsOptions): RunMethods & { queue: RunQueue; cluster: Cluster } {
  const { jobs, dataDir } = opts

  /** A find_best queued after trainings, completed from how they ended and what the results folder holds now. */
  const findBestToRun = async (entry: Extract<QueueEntry, { kind: 'find-best' }>, st: s.Settings, ctx: JobContext): Promise<s.FindBestRequest> => {
    if (!entry.after) return entry.request
    const infos = await jobs.list()
    const followed = entry.after
      .map((id) => queue.startedEntry(id))
      .filter((e): e is Extract<QueueEntry, { kind: 'train' }> => e?.kind === 'train')
      .map((e) => ({ request: e.request, job: infos.find((j) => j.id === e.jobId) }))
    const status = st.folders ? await folderStatus(st) : undefined
    const resolved = resolveFindBest(entry.request, followed, status?.trainings, st.nnunetVersion)
    if ('error' in resolved) throw new Error(resolved.error)
    const r = resolved.request
    ctx.log(`Comparing ${r.configurations.join(', ')} of ${r.trainer ?? 'the default trainer'} on folds ${(r.folds ?? []).join(', ')}.`, 'info')
    return r
  }

  const execute = async (entry: QueueEntry, ctx: JobContext): Promise<unknown> => {
    // The machine's settings now, with the environment of the project that queued the run.
    const st = entry.env ? withEnv(await opts.settings(), entry.env) : await opts.settings()
    switch (entry.kind) {
      case 'plan':
        return runPlan(entry.request, st, ctx, dataDir)
      case 'train':
        // The fold lock names this entry (the app's queue) or this process (the CLI's queue in memory).
        return runTrain(entry.request, st, ctx, dataDir, { kind: opts.queueFile ? 'queue' : 'cli', entryId: entry.id, title: entry.title })
      case 'predict':
        return predictAndScore(entry.request, st, ctx, dataDir)
      case 'find-best':
        return runFindBest(await findBestToRun(entry, st, ctx), st, ctx, dataDir)
    }
  }

  const queue = new RunQueue({ jobs, file: opts.queueFile, execute, onChange: (state) => jobs.publish({ type: 'queue', queue: state }), onProblem: (title, message) => void reportProblem(jobs, 'train', title, message) })
  // SLURM runs are not queue entries: the cluster schedules them. Their tasks are recorded beside
  // the queue file, so a restarted app follows those still running again (electron/schedulers/).
  const cluster = createCluster({ jobs, dataDir, settings: opts.settings, onProblem: (message) => void reportProblem(jobs, 'train', 'Record the SLURM tasks', message), registry: opts.queueFile ? join(dirname(opts.queueFile), 'slurm-tasks.json') : undefined })
  // A failed re-attach is shown (a failed job in the list, and the log), never swallowed.
  void cluster.reattach().catch((err: Error) => reportProblem(jobs, 'train', 'Follow the SLURM tasks of the last session again', err.message))
  // A training the queue calls interrupted may still run: its nnU-Net process outlived the app (a
  // crash). Found through its fold lock and reported; starting it again is refused while it runs.
  void (async () => {
    const st = await queue.state()
    const settings = await opts.settings()
    for (const e of st.started) {
      if (e.kind !== 'train' || !e.interrupted) continue
      const folder = await trainingFold(e.request, { settings, dataDir })
      const hold = folder ? await foldHold(folder) : undefined
      if (hold?.state === 'orphan') await reportProblem(jobs, 'train', `"${e.title}" is still training`, busyText(folder!, hold))
    }
  })().catch((err: Error) => reportProblem(jobs, 'train', 'Look for trainings that outlived the app', err.message))

  const trainEntry = (r: s.TrainRequest): NewEntry => ({ id: newEntryId(), kind: 'train', title: trainTitle(r), request: r })
  /** Entries carry the environment of the project that queued them (issue 18.2). */
  const submit = async (entry: NewEntry, at?: Parameters<RunQueue['submit']>[1]) => queue.submit({ ...entry, env: envOf(await opts.settings()) }, at)
  const enqueue = async (entries: NewEntry[]) => {
    const env = envOf(await opts.settings())
    return queue.enqueue(entries.map((e) => ({ ...e, env })))
  }

  /** The entries waiting or running now (several run at once only on separate GPUs). */
  const pending = async (): Promise<QueueEntry[]> => {
    const st = await queue.state()
    return [...st.started.filter((e) => st.running.includes(e.id)), ...st.waiting]
  }

  /** What runs before a run queued now: the plans and trainings waiting or running in the queue. */
  const ahead = async (): Promise<Ahead> => {
    const p = await pending()
    return { plans: p.flatMap((e) => (e.kind === 'plan' ? [e.request] : [])), trainings: p.flatMap((e) => (e.kind === 'train' ? [e.request] : [])) }
  }

  /**
   * Trainings resolved by the run engine before anything is queued (nnunet/runSpec.ts: the plans
   * the dataset was planned with, plan first, train longer, ... with the runs queued ahead of
   * them counted), and refused when their fold is trained by another run (one writer per fold).
   */
  const resolveTrainings = async (reqs: readonly s.TrainRequest[]): Promise<s.TrainRequest[]> => {
    const before = await ahead()
    const ctx = { settings: await opts.settings(), dataDir, ahead: before }
    const out: s.TrainRequest[] = []
    // Earlier trainings of the same request are ahead of the later ones (3d_lowres before the cascade).
    for (const r of reqs) out.push(await resolveTrainRequest(r, { ...ctx, ahead: { plans: before.plans, trainings: [...before.trainings, ...out] } }))
    const queued = (await pending()).flatMap((e) => (e.kind === 'train' ? [{ title: e.title, jobId: e.jobId, request: e.request }] : []))
    await refuseBusyFolds(out, queued, ctx)
    return out
  }

  /** The plans a run uses when its request names none (runSpec.ts withPlans, a plan queued ahead counted). */
  const withPlans = async <R extends { datasetId: number; plans?: string }>(r: R): Promise<R> => planned(r, { settings: await opts.settings(), dataDir, ahead: await ahead() })

  /** No trainer named: the model of this dataset and configuration actually trained (results/modelChoice.ts). */
  const withTrainedModel = async <R extends s.PredictInput>(r: R): Promise<R> => {
    if (r.trainer) return r
    try {
      const m = trainedModelFor(await trainedModels(await opts.settings()), { datasetId: r.datasetId, configuration: r.configuration, plans: r.plans, folds: r.folds })
      return m ? { ...r, trainer: m.trainer, plans: m.plans } : r
    } catch (err) {
      throw new DomainError((err as Error).message, 'ambiguous-model', 'conflict')
    }
  }

  return {
    queue,
    plan: async (req) => {
      const r = s.planRequest.parse(req)
      // Refused now by the run engine's rules (v1 has one planner); resolved again at its turn.
      await planSpec(r, { settings: await opts.settings(), dataDir })
      return submit({ id: newEntryId(), kind: 'plan', title: planTitle(r), request: r })
    },
    train: async (req) => {
      const [r] = await resolveTrainings([s.trainRequest.parse(req)])
      return submit(trainEntry(r!))
    },
    predict: async (req) => {
      // The trained model first, among every plans: the dataset's remembered plans must not hide another trained model.
      const asked = await withPlans(await withTrainedModel(s.predictInput.parse(req)))
      // No output folder named: beside the model under nnUNet_results, never inside the dataset.
      let output = asked.output
      if (output === undefined) {
        try {
          output = await defaultPredictOutput(await opts.settings(), asked)
        } catch (err) {
          throw new DomainError((err as Error).message, 'no-default-output', 'invalid')
        }
      }
      const r: s.PredictRequest = { ...asked, output }
      const needed = makesModel(r)
      // The checkpoint is checked now, not after a wait: unless a queued training is making it.
      if (!(await pending()).some(needed)) {
        try {
          await checkTrainedModel(await opts.settings(), r)
        } catch (err) {
          throw new DomainError((err as Error).message, 'no-trained-model', 'conflict')
        }
      }
      // nnU-Net skips every file not named CASE_0000<ending> and ends well having written nothing:
      // refused now, with what it expects and what is there (a DICOM folder is converted at its turn).
      if (existsSync(r.input) && !(await dicomCaseFolders(r.input))) {
        try {
          await checkPredictInputFor(await opts.settings(), r)
        } catch (err) {
          throw new DomainError((err as Error).message, 'predict-input-no-cases', 'invalid')
        }
      }
      return submit({ id: newEntryId(), kind: 'predict', title: predictTitle(r), request: r }, predictPlace(r))
    },
    findBest: async (req) => {
      const r = await withPlans(s.findBestRequest.parse(req))
      // Refused before any job starts: nnU-Net would find out only after evaluating everything else.
      const npz = await npzFindings(await opts.settings(), r)
      if (npz.length) throw new DomainError(npzRefusal(r, npz), 'find-best-needs-npz', 'invalid', npz)
      return submit({ id: newEntryId(), kind: 'find-best', title: findBestTitle(r), request: r })
    },
    enqueueTrainings: async (req) => {
      const parsed = s.enqueueTrainingsRequest.parse(req)
      const r = { ...parsed, trainings: await resolveTrainings(parsed.trainings) }
      const entries = r.trainings.map(trainEntry)
      const fb = r.thenFindBest ? findBestAfter(r.trainings) : undefined
      if (fb) entries.push({ id: newEntryId(), kind: 'find-best', title: findBestTitle(fb), request: fb, after: entries.map((e) => e.id) })
      return enqueue(entries)
    },
    runQueue: () => queue.state(),
    removeQueued: async (req) => {
      const { entryId } = s.queueEntryRequest.parse(req)
      try {
        return await queue.remove(entryId)
      } catch (err) {
        throw new DomainError((err as Error).message, 'not-waiting', 'conflict')
      }
    },
    resumeQueue: () => queue.resume(),
    cluster,
    submitToCluster: async (req) => cluster.submitToCluster(s.clusterSubmitRequest.parse(req)),
    slurmStatus: () => cluster.slurmStatus(),
    exportScripts: async (req) => cluster.exportScripts(s.exportScriptsRequest.parse(req)),
    stopAfterEpoch: async (req) => {
      const { jobId } = s.jobIdRequest.parse(req)
      if (requestStop(jobId) || (await cluster.stopAfterEpoch(jobId))) return
      throw new DomainError('Only a running training with the app’s generated trainer (nnU-Net v2, Epochs or Iterations set, or any SLURM training) can stop after its epoch; cancel this one instead.', 'not-stoppable', 'conflict')
    },
    stopAndKeep: async (req) => {
      const { jobId } = s.jobIdRequest.parse(req)
      if (requestKeep(jobId)) return
      throw new DomainError('Only a running nnU-Net v2 training on this machine can stop and keep a checkpoint; cancel this one instead (a SLURM task: Stop after this epoch).', 'not-keepable', 'conflict')
    },
  }
}
