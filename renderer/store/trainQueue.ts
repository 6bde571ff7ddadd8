// Training runs waiting their turn (e.g. folds 0-4 of one configuration, then nnU-Net's
// find_best_configuration): the next starts when the running one ends, whether or not the Train
// step is on screen.
import { create } from 'zustand'
import type { Finding, JobInfo, TrainedModel } from '../../shared/api'
import { defaultPlans } from '../../shared/nnunetArgs'
import { configuration, type FindBestRequest, type NnunetVersion, type TrainRequest } from '../../shared/schema'
import { api } from '../api'
import { errorText } from '../lib/format'
import { isActive, startJob, useJobs } from './jobsStore'
import { useSettings } from './settingsStore'

export type QueuedRun =
  | { key: number; kind: 'train'; request: TrainRequest }
  | {
      key: number
      kind: 'find-best'
      request: FindBestRequest
      /**
       * The queued trainings it compares (their keys). Their folds, and the trainer they really
       * ran with (a generated class for a custom epoch count), are known only once they end; other
       * configurations of the same trainer and plans whose folds have all finished join in.
       */
      after?: number[]
    }

export type StartedRun = QueuedRun & { jobId: string }

export interface QueueError {
  message: string
  findings?: Finding[]
}

export interface TrainQueueState {
  waiting: QueuedRun[]
  /** Jobs started by this session's queue, oldest first, with what started them. */
  started: StartedRun[]
  error: QueueError | null
  /** Queues trainings; with `thenFindBest`, find_best_configuration runs once they have ended. */
  enqueue(requests: TrainRequest[], opts?: { thenFindBest?: boolean }): void
  enqueueFindBest(request: FindBestRequest): void
  remove(key: number): void
  clear(): void
  dismissError(): void
  /** Starts the next waiting run if no training (or find-best) is running. */
  pump(): Promise<void>
}

/** The kinds of job this queue runs one after another. */
const QUEUE_KINDS: ReadonlySet<JobInfo['kind']> = new Set(['train', 'find-best'])

export function queueBusy(jobs: Record<string, JobInfo>): boolean {
  return Object.values(jobs).some((j) => QUEUE_KINDS.has(j.kind) && isActive(j))
}

/** Numbered folds, ascending ("all" has no validation, so find_best cannot use it). */
function numberedFolds(folds: readonly (string | number)[]): number[] {
  return [...new Set(folds.map(String).filter((f) => /^\d+$/.test(f)).map(Number))].sort((a, b) => a - b)
}

/** The folds finished in every one of these models: what find_best can compare them on. */
export function commonFolds(models: readonly TrainedModel[]): number[] {
  if (!models.length) return []
  return numberedFolds(models[0]!.finished).filter((f) => models.every((m) => m.finished.includes(String(f))))
}

export interface FindBestChoice {
  trainer: string
  plans: string
  /** One per configuration with at least one finished numbered fold. */
  models: TrainedModel[]
}

/** Trained models of a dataset that find_best can compare, grouped by trainer and plans (most configurations first). */
export function findBestChoices(trainings: readonly TrainedModel[] | undefined, datasetId: number | null): FindBestChoice[] {
  const groups = new Map<string, FindBestChoice>()
  for (const t of trainings ?? []) {
    if (t.datasetId !== datasetId || !configuration.safeParse(t.configuration).success || numberedFolds(t.finished).length === 0) continue
    const key = `${t.trainer}__${t.plans}`
    const g = groups.get(key) ?? { trainer: t.trainer, plans: t.plans, models: [] }
    g.models.push(t)
    groups.set(key, g)
  }
  return [...groups.values()].sort((a, b) => b.models.length - a.models.length || a.trainer.localeCompare(b.trainer))
}

/**
 * The find_best request of a queued run, now that the trainings before it have ended: their
 * folds and trainer, plus the other configurations of that trainer and plans finished on those
 * folds. An error (as text) when a training it follows did not finish.
 */
export function resolveFindBest(
  run: Extract<QueuedRun, { kind: 'find-best' }>,
  started: readonly StartedRun[],
  jobs: Record<string, JobInfo>,
  trainings?: readonly TrainedModel[],
  version?: NnunetVersion,
): { request: FindBestRequest } | { error: string } {
  if (!run.after) return { request: run.request }
  const runs = started.filter((s): s is Extract<StartedRun, { kind: 'train' }> => s.kind === 'train' && run.after!.includes(s.key))
  if (!runs.length) return { error: 'find_best_configuration was not started: none of the trainings queued before it ran.' }
  for (const r of runs) {
    const state = jobs[r.jobId]?.state ?? 'queued'
    if (state !== 'done') return { error: `find_best_configuration was not started: the training of ${r.request.configuration} fold ${r.request.fold} ${state === 'failed' ? 'failed' : state === 'cancelled' ? 'was cancelled' : 'has not finished'}.` }
  }
  const folds = numberedFolds(runs.map((r) => r.request.fold))
  if (!folds.length) return { error: 'find_best_configuration was not started: it compares numbered folds (0-4), and none of the trainings before it trained one.' }
  const result = jobs[runs[0]!.jobId]?.result as { trainer?: unknown } | undefined
  const trainer = typeof result?.trainer === 'string' ? result.trainer : (runs[0]!.request.trainer ?? run.request.trainer)
  const configurations = [...run.request.configurations]
  if (trainer && version) {
    const plans = run.request.plans ?? defaultPlans(version)
    for (const t of trainings ?? []) {
      const c = configuration.safeParse(t.configuration)
      if (!c.success || t.datasetId !== run.request.datasetId || t.trainer !== trainer || t.plans !== plans || configurations.includes(c.data)) continue
      if (folds.every((f) => t.finished.includes(String(f)))) configurations.push(c.data)
    }
  }
  return { request: { ...run.request, configurations, folds, ...(trainer ? { trainer } : {}) } }
}

function asQueueError(err: unknown): QueueError {
  const findings = (err as { findings?: unknown } | null)?.findings
  return { message: errorText(err), ...(Array.isArray(findings) ? { findings: findings as Finding[] } : {}) }
}

let nextKey = 1
let pumping = false

export const useTrainQueue = create<TrainQueueState>()((set, get) => ({
  waiting: [],
  started: [],
  error: null,
  enqueue: (requests, opts) => {
    const runs: QueuedRun[] = requests.map((request) => ({ key: nextKey++, kind: 'train', request }))
    const first = requests[0]
    if (opts?.thenFindBest && first) {
      const request: FindBestRequest = { datasetId: first.datasetId, configurations: [first.configuration], ...(first.plans ? { plans: first.plans } : {}) }
      runs.push({ key: nextKey++, kind: 'find-best', request, after: runs.map((r) => r.key) })
    }
    set({ waiting: [...get().waiting, ...runs], error: null })
    void get().pump()
  },
  enqueueFindBest: (request) => {
    set({ waiting: [...get().waiting, { key: nextKey++, kind: 'find-best', request }], error: null })
    void get().pump()
  },
  remove: (key) => set({ waiting: get().waiting.filter((r) => r.key !== key) }),
  clear: () => set({ waiting: [] }),
  dismissError: () => set({ error: null }),
  pump: async () => {
    if (pumping) return
    if (queueBusy(useJobs.getState().jobs)) return
    const [next, ...rest] = get().waiting
    if (!next) return
    pumping = true
    set({ waiting: rest })
    try {
      let run: StartedRun
      if (next.kind === 'train') {
        run = { ...next, jobId: await startJob('train', () => api.train(next.request)) }
      } else {
        if (next.after) await useSettings.getState().refreshFolders()
        const status = useSettings.getState().folderStatus
        const resolved = resolveFindBest(next, get().started, useJobs.getState().jobs, status?.trainings, status?.version)
        if ('error' in resolved) {
          // Retrying cannot help: the folds it would compare are missing. The rest of the queue waits.
          set({ error: { message: resolved.error } })
          return
        }
        run = { ...next, request: resolved.request, jobId: await startJob('find-best', () => api.findBest(resolved.request)) }
      }
      set({ started: [...get().started, run] })
    } catch (err) {
      // A run that cannot start stops the queue: later folds would fail the same way.
      set({ error: asQueueError(err), waiting: [next, ...get().waiting] })
    } finally {
      pumping = false
    }
  },
}))

// When a queued kind of job ends, start the next one.
useJobs.subscribe((s, prev) => {
  const q = useTrainQueue.getState()
  if (q.waiting.length === 0 || q.error) return
  const ended = Object.values(s.jobs).some((j) => QUEUE_KINDS.has(j.kind) && !isActive(j) && prev.jobs[j.id] && isActive(prev.jobs[j.id]))
  if (ended) void q.pump()
})
