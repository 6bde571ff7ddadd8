// The run methods of the service: plan, train, predict and find_best, all through the one run
// queue, SLURM submissions and stop-after-epoch, with every rule that applies to them (the --npz
// check before find_best, the trainings a queued find_best follows). The desktop app, browser mode and the CLI reach them only through
// createService, so the rules hold wherever a run is started from.
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
import { checkTrainedModel, npzFindings, npzRefusal, planFirstReason, runFindBest, runPlan, runTrain } from '../nnunet/pipeline'
import { newEntryId, RunQueue, type NewEntry } from '../nnunet/queue'
import { createCluster, type Cluster } from '../schedulers/cluster'
import { predictAndScore } from './predictAndScore'
import { requestStop } from '../schedulers/local'
import { requestKeep } from '../nnunet/stopAndKeep'
import { plansToUse } from '../nnunet/plansChoice'
import { plannedIdentifier, v1PlanRefusal } from '../../shared/plans'

export const planTitle = (r: s.PlanRequest) => `Plan and preprocess dataset ${r.datasetId}`
export const trainTitle = (r: s.TrainRequest) => `Train ${r.configuration} fold ${r.fold} (dataset ${r.datasetId})`
export const predictTitle = (r: s.PredictRequest) => `Predict with ${r.configuration} (dataset ${r.datasetId})`
export const findBestTitle = (r: s.FindBestRequest) => `Find the best configuration of dataset ${r.datasetId} (${r.configurations.join(', ')})`

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
    const st = await opts.settings()
    switch (entry.kind) {
      case 'plan':
        return runPlan(entry.request, st, ctx, dataDir)
      case 'train':
        return runTrain(entry.request, st, ctx, dataDir)
      case 'predict':
        return predictAndScore(entry.request, st, ctx, dataDir)
      case 'find-best':
        return runFindBest(await findBestToRun(entry, st, ctx), st, ctx, dataDir)
    }
  }

  const queue = new RunQueue({ jobs, file: opts.queueFile, execute, onChange: (state) => jobs.publish({ type: 'queue', queue: state }) })
  // SLURM runs are not queue entries: the cluster schedules them. Their tasks are recorded beside
  // the queue file, so a restarted app follows those still running again (electron/schedulers/).
  const cluster = createCluster({ jobs, dataDir, settings: opts.settings, registry: opts.queueFile ? join(dirname(opts.queueFile), 'slurm-tasks.json') : undefined })
  void cluster.reattach().catch(() => undefined)

  const trainEntry = (r: s.TrainRequest): NewEntry => ({ id: newEntryId(), kind: 'train', title: trainTitle(r), request: r })

  /** The entries waiting or running now (several run at once only on separate GPUs). */
  const pending = async (): Promise<QueueEntry[]> => {
    const st = await queue.state()
    return [...st.started.filter((e) => st.running.includes(e.id)), ...st.waiting]
  }

  /**
   * "Plan first", said before anything is queued: a training of a dataset with no plans would only
   * reach nnU-Net's FileNotFoundError. A plan of that dataset waiting or running in the queue
   * counts: the training then waits behind it (and is checked again at its turn).
   */
  const refuseUnplanned = async (reqs: readonly s.TrainRequest[]): Promise<void> => {
    const settings = await opts.settings()
    const planned = new Set((await pending()).flatMap((e) => (e.kind === 'plan' ? [e.request.datasetId] : [])))
    for (const r of reqs) {
      if (planned.has(r.datasetId)) continue
      const why = await planFirstReason(r, settings)
      if (why) throw new DomainError(why, 'plan-first', 'conflict')
    }
  }


  /**
   * The plans a run uses when its request names none: those of a plan of its dataset waiting or
   * running in the queue (the run waits behind it), else those it was last planned with
   * (plansChoice.ts). Filled in before it is queued, so the entry says which plans it runs.
   */
  const withPlans = async <R extends { datasetId: number; plans?: string }>(r: R): Promise<R> => {
    if (r.plans) return r
    const settings = await opts.settings()
    if (settings.nnunetVersion !== 'v2') return r
    const queuedPlan = (await pending()).filter((e) => e.kind === 'plan' && e.request.datasetId === r.datasetId).pop()
    const plans = queuedPlan?.kind === 'plan' ? plannedIdentifier(queuedPlan.request) : await plansToUse(dataDir, settings, r.datasetId)
    return plans && plans !== 'nnUNetPlans' ? { ...r, plans } : r
  }

  /** No trainer named: the model of this dataset and configuration actually trained (results/modelChoice.ts). */
  const withTrainedModel = async (r: s.PredictRequest): Promise<s.PredictRequest> => {
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
      const settings = await opts.settings()
      const v1Refusal = settings.nnunetVersion === 'v1' ? v1PlanRefusal(r) : undefined
      if (v1Refusal) throw new DomainError(v1Refusal, 'v1-no-planner-presets')
      return queue.submit({ id: newEntryId(), kind: 'plan', title: planTitle(r), request: r })
    },
    train: async (req) => {
      const r = await withPlans(s.trainRequest.parse(req))
      await refuseUnplanned([r])
      return queue.submit(trainEntry(r))
    },
    predict: async (req) => {
      const r = await withTrainedModel(await withPlans(s.predictRequest.parse(req)))
      const needed = makesModel(r)
      // The checkpoint is checked now, not after a wait: unless a queued training is making it.
      if (!(await pending()).some(needed)) {
        try {
          await checkTrainedModel(await opts.settings(), r)
        } catch (err) {
          throw new DomainError((err as Error).message, 'no-trained-model', 'conflict')
        }
      }
      return queue.submit({ id: newEntryId(), kind: 'predict', title: predictTitle(r), request: r }, predictPlace(r))
    },
    findBest: async (req) => {
      const r = await withPlans(s.findBestRequest.parse(req))
      // Refused before any job starts: nnU-Net would find out only after evaluating everything else.
      const npz = await npzFindings(await opts.settings(), r)
      if (npz.length) throw new DomainError(npzRefusal(r, npz), 'find-best-needs-npz', 'invalid', npz)
      return queue.submit({ id: newEntryId(), kind: 'find-best', title: findBestTitle(r), request: r })
    },
    enqueueTrainings: async (req) => {
      const parsed = s.enqueueTrainingsRequest.parse(req)
      const r = { ...parsed, trainings: await Promise.all(parsed.trainings.map(withPlans)) }
      await refuseUnplanned(r.trainings)
      const entries = r.trainings.map(trainEntry)
      const fb = r.thenFindBest ? findBestAfter(r.trainings) : undefined
      if (fb) entries.push({ id: newEntryId(), kind: 'find-best', title: findBestTitle(fb), request: fb, after: entries.map((e) => e.id) })
      return queue.enqueue(entries)
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
