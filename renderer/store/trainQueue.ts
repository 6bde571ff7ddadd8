// The run queue as the Node side holds it: trainings waiting their turn (folds 0-4, then
// find_best_configuration), plans and predictions. This store only mirrors it (the queue lives,
// and is saved, on the Node side), so closing the tab or the window loses nothing.
import { create } from 'zustand'
import type { Finding, QueueEntry, RunQueueState } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { api } from '../api'
import { errorText } from '../lib/format'

export { commonFolds, findBestChoices, type FindBestChoice } from '../../shared/findBest'

export type WaitingEntry = RunQueueState['waiting'][number]

export interface QueueError {
  message: string
  findings?: Finding[]
}

export interface TrainQueueState {
  waiting: WaitingEntry[]
  /** Started entries, oldest first, with their job ids. */
  started: QueueEntry[]
  /** The ids of the entries running now (several: trainings on separate GPUs). */
  running: string[]
  paused: boolean
  /** Why the last request to the queue failed. */
  error: QueueError | null
  /** Queues trainings; with `thenFindBest`, find_best_configuration runs once they have ended. */
  enqueue(requests: TrainRequest[], opts?: { thenFindBest?: boolean }): Promise<void>
  remove(entryId: string): Promise<void>
  /** Removes every waiting entry. */
  clear(): Promise<void>
  resume(): Promise<void>
  dismissError(): void
  /** Takes the Node side's queue as it is now (from an answer or a 'queue' event). */
  apply(state: RunQueueState): void
  refresh(): Promise<void>
}

function asQueueError(err: unknown): QueueError {
  const findings = (err as { findings?: unknown } | null)?.findings
  return { message: errorText(err), ...(Array.isArray(findings) ? { findings: findings as Finding[] } : {}) }
}

export const useTrainQueue = create<TrainQueueState>()((set, get) => {
  /** Runs a queue request; its answer (the whole queue) replaces the mirror, a failure is kept to show. */
  const request = async (call: () => Promise<RunQueueState>): Promise<void> => {
    try {
      get().apply(await call())
      set({ error: null })
    } catch (err) {
      set({ error: asQueueError(err) })
    }
  }
  return {
    waiting: [],
    started: [],
    running: [],
    paused: false,
    error: null,
    enqueue: (requests, opts) => request(() => api.enqueueTrainings({ trainings: requests, thenFindBest: opts?.thenFindBest ?? false })),
    remove: (entryId) => request(() => api.removeQueued({ entryId })),
    clear: async () => {
      for (const w of [...get().waiting].reverse()) await get().remove(w.id)
    },
    resume: () => request(() => api.resumeQueue()),
    dismissError: () => set({ error: null }),
    apply: (state) => set({ waiting: state.waiting, started: state.started, running: state.running, paused: state.paused ?? false }),
    refresh: () => request(() => api.runQueue()),
  }
})

let connected = false
/** Follows the Node side's queue: its state now, then every change. */
export function connectQueue(): void {
  if (connected) return
  connected = true
  api.onEvent((e) => {
    if (e.type === 'queue') useTrainQueue.getState().apply(e.queue)
  })
  void useTrainQueue.getState().refresh()
}
