// Training runs waiting their turn (e.g. folds 0-4 of one configuration): the next starts when
// the running one ends, whether or not the Train step is on screen.
import { create } from 'zustand'
import type { TrainRequest } from '../../shared/schema'
import { api } from '../api'
import { errorText } from '../lib/format'
import { isActive, startJob, useJobs } from './jobsStore'

export interface QueuedRun {
  key: number
  request: TrainRequest
}

export interface TrainQueueState {
  waiting: QueuedRun[]
  /** Train job ids started by this session, newest last, with the request that started them. */
  started: { jobId: string; request: TrainRequest }[]
  error: string | null
  enqueue(requests: TrainRequest[]): void
  remove(key: number): void
  clear(): void
  /** Starts the next waiting run if no training is running. */
  pump(): Promise<void>
}

let nextKey = 1
let pumping = false

export const useTrainQueue = create<TrainQueueState>()((set, get) => ({
  waiting: [],
  started: [],
  error: null,
  enqueue: (requests) => {
    set({ waiting: [...get().waiting, ...requests.map((request) => ({ key: nextKey++, request }))], error: null })
    void get().pump()
  },
  remove: (key) => set({ waiting: get().waiting.filter((r) => r.key !== key) }),
  clear: () => set({ waiting: [] }),
  pump: async () => {
    if (pumping) return
    const jobs = useJobs.getState().jobs
    if (Object.values(jobs).some((j) => j.kind === 'train' && isActive(j))) return
    const [next, ...rest] = get().waiting
    if (!next) return
    pumping = true
    set({ waiting: rest })
    try {
      const jobId = await startJob('train', () => api.train(next.request))
      set({ started: [...get().started, { jobId, request: next.request }] })
    } catch (err) {
      // A run that cannot start stops the queue: later folds would fail the same way.
      set({ error: errorText(err), waiting: [next, ...get().waiting] })
      pumping = false
      return
    }
    pumping = false
  },
}))

// When a training ends, start the next one.
useJobs.subscribe((s, prev) => {
  const q = useTrainQueue.getState()
  if (q.waiting.length === 0 || q.error) return
  const ended = Object.values(s.jobs).some((j) => j.kind === 'train' && !isActive(j) && prev.jobs[j.id] && isActive(prev.jobs[j.id]))
  if (ended) void q.pump()
})
