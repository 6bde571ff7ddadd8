// The rule of when queued runs may go side by side (shared/queueConcurrency.ts) and the round
// robin of folds over chosen GPUs (shared/gpuAssign.ts): pure functions, checked on their own.
import { describe, expect, it } from 'vitest'
import type { QueueEntry } from '../../shared/api'
import { assignGpus, leastBusyFirst } from '../../shared/gpuAssign'
import { blockers, collides, mayStart, waitText } from '../../shared/queueConcurrency'
import type { TrainRequest } from '../../shared/schema'

const request = (fold: TrainRequest['fold'], gpus?: number[]): TrainRequest => ({ datasetId: 7, configuration: '3d_fullres', fold, npz: true, continueTraining: false, validationOnly: false, ...(gpus ? { gpus } : {}) })
const train = (fold: TrainRequest['fold'], gpus?: number[]): QueueEntry => ({ id: `f${fold}`, title: `fold ${fold}`, enqueuedAt: 0, kind: 'train', request: request(fold, gpus) })
const plan: QueueEntry = { id: 'p', title: 'plan', enqueuedAt: 0, kind: 'plan', request: { datasetId: 7, configurations: ['3d_fullres'], verifyIntegrity: false } as QueueEntry['request'] } as QueueEntry
const findBest: QueueEntry = { id: 'fb', title: 'find best', enqueuedAt: 0, kind: 'find-best', request: { datasetId: 7, configurations: ['3d_fullres'] } as QueueEntry['request'] } as QueueEntry

describe('which runs may go side by side', () => {
  it('only trainings on disjoint GPUs', () => {
    expect(collides(train(0, [0]), train(1, [1]))).toBe(false)
    expect(collides(train(0, [0, 1]), train(1, [2, 3]))).toBe(false)
    expect(collides(train(0, [0]), train(1, [0]))).toBe(true)
    expect(collides(train(0, [0, 1]), train(1, [1, 2]))).toBe(true)
    // No GPUs named: the training takes the whole machine.
    expect(collides(train(0), train(1, [1]))).toBe(true)
    expect(collides(train(0), train(1))).toBe(true)
    for (const other of [plan, findBest]) {
      expect(collides(other, train(0, [0]))).toBe(true)
      expect(collides(train(0, [0]), other)).toBe(true)
    }
  })

  it('an entry starts when it collides with nothing running and nothing waiting ahead of it', () => {
    const waiting = [train(2, [0]), train(3, [1]), train(4, [0]), findBest]
    // Fold 0 runs on GPU 0: fold 2 waits for it, fold 3 (GPU 1) may pass it.
    const running = [train(0, [0])]
    expect(waiting.map((_, i) => mayStart(i, waiting, running))).toEqual([false, true, false, false])
    expect(blockers(2, waiting, running)).toEqual({ running: [running[0]], ahead: waiting[0] })
    // Nothing running: fold 2 and fold 3 start, fold 4 stays behind fold 2, find_best behind everything.
    expect(waiting.map((_, i) => mayStart(i, waiting, []))).toEqual([true, true, false, false])
    // Whole-machine entries: strictly one at a time in queue order.
    const plain = [train(1), train(2)]
    expect(plain.map((_, i) => mayStart(i, plain, []))).toEqual([true, false])
    expect(mayStart(0, [train(1, [1])], [plan])).toBe(false)
    expect(mayStart(0, [plan], [train(1, [1])])).toBe(false)
  })

  it('says what an entry waits for, naming the GPUs', () => {
    const running = [train(0, [0]), train(1, [1])]
    const waiting = [train(2, [0]), train(3, [1]), findBest]
    expect(waitText(0, waiting, running)).toBe('waits for GPU 0: starts after "fold 0" (both use GPU 0)')
    expect(waitText(1, waiting, running)).toBe('waits for GPU 1: starts after "fold 1" (both use GPU 1)')
    expect(waitText(2, waiting, running)).toBe('needs the whole machine: starts once the 4 runs ahead of it have ended')
    expect(waitText(0, [plan], running)).toBe('needs the whole machine: starts after "fold 0" and "fold 1"')
    expect(waitText(0, [train(2, [0, 1])], [plan])).toBe('waits for GPUs 0, 1: starts after "plan" (which needs the whole machine)')
    // Without GPUs the text stays as it always was.
    expect(waitText(1, [train(1), train(2)], [train(0)])).toBe('starts after "fold 1"')
    expect(waitText(0, [train(1), train(2)], [train(0)])).toBe('starts after "fold 0"')
    expect(waitText(0, [train(1, [1])], [train(0, [0])])).toBeUndefined()
  })
})

describe('folds over the chosen GPUs', () => {
  const folds = [0, 1, 2, 3, 4].map((f) => request(f))
  it('one fold per GPU, round robin', () => {
    expect(assignGpus(folds, [0, 1], 'per-fold').map((r) => [r.fold, r.gpus, r.numGpus])).toEqual([
      [0, [0], undefined],
      [1, [1], undefined],
      [2, [0], undefined],
      [3, [1], undefined],
      [4, [0], undefined],
    ])
    expect(assignGpus(folds.slice(0, 3), [3, 1, 2], 'per-fold').map((r) => r.gpus)).toEqual([[3], [1], [2]])
  })
  it('one run over all chosen GPUs (-num_gpus), or nothing chosen', () => {
    expect(assignGpus(folds.slice(0, 2), [0, 1], 'together').map((r) => [r.gpus, r.numGpus])).toEqual([
      [[0, 1], 2],
      [[0, 1], 2],
    ])
    expect(assignGpus(folds.slice(0, 1), [2], 'together')[0]).toEqual({ ...folds[0], gpus: [2] })
    expect(assignGpus(folds, [], 'per-fold')).toEqual(folds)
  })
  it('starts on the least busy GPU: the one with the fewest trainings running or waiting on it', () => {
    expect(leastBusyFirst([0, 1], [])).toEqual([0, 1])
    expect(leastBusyFirst([0, 1], [train(0, [0])])).toEqual([1, 0])
    expect(leastBusyFirst([0, 1, 2], [train(0, [0]), train(1, [1]), train(2, [0]), plan])).toEqual([2, 1, 0])
    // A training over several GPUs counts on each of them.
    expect(leastBusyFirst([0, 1, 2], [train(0, [0, 1])])).toEqual([2, 0, 1])
  })
})
