// Train and Predict default from facts: the device from what detection found, and what a
// prediction asked for now would wait for in the run queue (the same rule that places it there).
import { describe, expect, it } from 'vitest'
import type { EnvReport, QueueEntry } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { predictionWait } from '../../shared/predictQueue'
import { deviceFor } from '../../renderer/store/settingsStore'

const env = (over: Partial<EnvReport> & { cuda?: boolean; mps?: boolean }): EnvReport => ({
  pythons: [],
  gpus: over.gpus ?? [],
  managedVenv: '/venv',
  findings: [],
  selected: { python: '/venv/bin/python', version: '3.11', source: 'managed', cuda: { available: over.cuda ?? false }, mps: over.mps ?? false },
})

describe('device from detection', () => {
  it('is the CPU when detection finds no GPU, MPS where torch has it, CUDA with a GPU', () => {
    expect(deviceFor(env({}))).toBe('cpu')
    expect(deviceFor(env({ mps: true }))).toBe('mps')
    expect(deviceFor(env({ cuda: true }))).toBe('cuda')
    expect(deviceFor(env({ gpus: [{ name: 'NVIDIA H100', memoryMiB: 81_559 }] }))).toBe('cuda')
  })
})

const train = (id: string, datasetId: number, fold: TrainRequest['fold'], configuration: TrainRequest['configuration'] = '2d'): QueueEntry => ({
  id,
  kind: 'train',
  title: `Train ${configuration} fold ${fold} (dataset ${datasetId})`,
  enqueuedAt: 0,
  request: { datasetId, configuration, fold, npz: true, continueTraining: false, validationOnly: false },
})
const waiting = (...e: QueueEntry[]) => e.map((x) => ({ ...x, waitsFor: '' }))

describe('what a prediction waits for', () => {
  const model = { datasetId: 502, configuration: '2d' as const, folds: [0 as const] }
  it('starts at once in an empty queue', () => {
    expect(predictionWait(model, { waiting: [], started: [] })).toBeNull()
  })
  it('waits for the run going now, not for queued trainings of other models', () => {
    const running = train('r', 502, 1)
    const q = { started: [running], running: ['r'], waiting: waiting(train('a', 502, 2), train('b', 7, 0)) }
    expect(predictionWait(model, q)).toBe('It waits for the run going now, "Train 2d fold 1 (dataset 502)" (one nnU-Net run at a time), not for the 2 queued trainings of other models.')
  })
  it('waits for a queued training that makes its model', () => {
    const q = { started: [], waiting: waiting(train('a', 7, 0), train('b', 502, 0), train('c', 7, 1)) }
    expect(predictionWait(model, q)).toBe('It waits for "Train 2d fold 0 (dataset 502)", which trains this model, not for the 1 queued training of other models.')
    expect(predictionWait({ ...model, configuration: '3d_fullres' }, q)).toBe('It starts at once; the 3 queued trainings of other models wait for it.')
  })
})
