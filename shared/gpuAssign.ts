// Which GPUs each queued training gets when several GPUs are chosen. One fold per GPU (nnU-Net's
// documented way): fold i goes to GPU i mod n, so with two GPUs folds 0-4 run two at a time (the
// run queue starts trainings on disjoint GPUs side by side). One run over all of them (v2 only):
// every training sees all the chosen GPUs and is one DDP run (-num_gpus n); they run one by one.
import type { QueueEntry } from './api'
import type { TrainRequest } from './schema'

export type GpuUse = 'per-fold' | 'together'

export function assignGpus(requests: readonly TrainRequest[], gpus: readonly number[], use: GpuUse): TrainRequest[] {
  if (gpus.length === 0) return [...requests]
  if (use === 'together') return requests.map((r) => ({ ...r, gpus: [...gpus], ...(gpus.length > 1 ? { numGpus: gpus.length } : {}) }))
  return requests.map((r, i) => ({ ...r, gpus: [gpus[i % gpus.length]!] }))
}

/**
 * The chosen GPUs, least busy first: by how many trainings running or waiting in the queue hold
 * each (ties in index order). Folds assigned in this order start on a free GPU: a single "Start
 * training" goes to the GPU with the least queued on it, not always to the first.
 */
export function leastBusyFirst(gpus: readonly number[], pending: readonly QueueEntry[]): number[] {
  const load = (g: number) => pending.filter((e) => e.kind === 'train' && e.request.gpus?.includes(g)).length
  return [...gpus].sort((a, b) => load(a) - load(b) || a - b)
}
