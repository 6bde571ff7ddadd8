// The status lines the walkthrough found misleading (issue 18): Predict said it "waits for" its
// own run; a SLURM training said "loading the plans" while PENDING; "Final validation" twice.
import { describe, expect, it } from 'vitest'
import type { Progress, QueueEntry } from '../../shared/api'
import { predictionWait } from '../../shared/predictQueue'
import { followedProgress, queuedPhase } from '../../electron/schedulers/followProgress'
import { trainStatus } from '../../renderer/lib/trainStatus'

describe('Predict: what a prediction waits for leaves out the prediction itself', () => {
  const request = { datasetId: 502, configuration: '2d' as const, folds: [0 as const], input: '/d/imagesTs', output: '/d/pred' }
  const own: QueueEntry = { id: 'p', kind: 'predict', title: 'Predict 2d (dataset 502)', enqueuedAt: 0, jobId: 'job-1', request }
  const train: QueueEntry = { id: 't', kind: 'train', title: 'Train 2d fold 1 (dataset 7)', enqueuedAt: 0, request: { datasetId: 7, configuration: '2d', fold: 1, npz: true, continueTraining: false, validationOnly: false } }

  it('says nothing once its own prediction is the run going now (it said "It waits for the run going now, "Predict …"")', () => {
    expect(predictionWait(request, { started: [own], running: ['p'], waiting: [] })).toBeNull()
  })
  it('nor while its own prediction waits in the queue', () => {
    expect(predictionWait(request, { started: [train], running: ['t'], waiting: [{ ...own, waitsFor: '' }] })).toBe(
      'It waits for the run going now, "Train 2d fold 1 (dataset 7)" (one nnU-Net run at a time).',
    )
  })
  it('still waits for another prediction into another folder', () => {
    const other = { ...own, id: 'q', request: { ...request, output: '/d/pred2' } }
    expect(predictionWait(request, { started: [other], running: ['q'], waiting: [] })).toMatch(/^It waits for the run going now, "Predict 2d/)
  })
})

describe('SLURM: the progress line of a task still in the queue', () => {
  const starting: Progress = { done: 0, total: 50, unit: 'epoch', phase: 'Starting nnU-Net: loading the plans, the network and the data loaders' }

  it('says pending with SLURM’s reason, not "loading the plans"', () => {
    const p = followedProgress(starting, { id: '12', state: 'PENDING', reason: 'Priority' })
    expect(p.phase).toBe('Pending in the SLURM queue (Priority: jobs with a higher priority go first); nnU-Net starts when SLURM runs it')
    expect(p.phase).not.toMatch(/loading the plans/)
    expect(p.message).toBe('SLURM PENDING, (Priority)')
    expect(p.total).toBe(50)
  })
  it('shows an unknown reason as SLURM wrote it, and none when there is none', () => {
    expect(queuedPhase({ id: '12', state: 'PENDING', reason: 'PartitionTimeLimit' })).toBe('Pending in the SLURM queue (PartitionTimeLimit); nnU-Net starts when SLURM runs it')
    expect(queuedPhase({ id: '12', state: 'PENDING', reason: 'None' })).toBe('Pending in the SLURM queue; nnU-Net starts when SLURM runs it')
    expect(queuedPhase(undefined)).toMatch(/^Submitted to SLURM/)
  })
  it('uses the tool’s own phase once the batch script runs', () => {
    const p = followedProgress(starting, { id: '12', state: 'RUNNING', node: 'gpu3', elapsedSeconds: 65 })
    expect(p.phase).toBe(starting.phase)
    expect(p.message).toBe('SLURM RUNNING, on gpu3, 00:01:05')
  })
  it('is pending again after a requeue', () => {
    expect(followedProgress({ ...starting, done: 3 }, { id: '12', state: 'REQUEUED', restarts: 1 }).phase).toMatch(/^Pending in the SLURM queue/)
  })
})

describe('Train: each status said once', () => {
  const validating: Progress = { done: 3, total: 12, unit: 'validation case', phase: 'Final validation: case 4 of 12 (case_07)' }

  it('"Final validation" is in the bar only; the line says the epochs are done', () => {
    const s = trainStatus('running', true, validating, { current: 50, finished: 50, total: 50 }, 0.00011)
    expect(s.bar?.phase).toMatch(/^Final validation/)
    expect(s.line.text).not.toMatch(/Final validation|validation/i)
    expect(s.line.text).toBe('Finished all 50 epochs · learning rate 0.00011')
  })
  it('the starting phase goes under a bar that counts epochs, and only there', () => {
    const starting: Progress = { done: 0, total: 50, unit: 'epoch', phase: 'Starting nnU-Net: loading the plans' }
    const s = trainStatus('running', true, starting, { current: 0, finished: 0, total: 50 })
    expect(s.bar?.phase).toBeUndefined()
    expect(s.line).toEqual({ kind: 'phase', text: 'Starting nnU-Net: loading the plans' })
  })
  it('without a planned total the bar follows the tool and the line does not repeat its phase', () => {
    const starting: Progress = { done: 0, total: 0, unit: 'epoch', phase: 'Starting nnU-Net: loading the plans' }
    const s = trainStatus('running', true, starting, { current: 0, finished: 0 })
    expect(s.bar?.phase).toBe('Starting nnU-Net: loading the plans')
    expect(s.line.text).toBe('')
  })
  it('iterations and epochs as before', () => {
    const it1: Progress = { done: 0, total: 50, unit: 'epoch', phase: 'Epoch 1: iteration 3 of 250 (2.1 s each)' }
    expect(trainStatus('running', true, it1, { current: 1, finished: 0, total: 50 }).line.kind).toBe('iteration')
    expect(trainStatus('running', true, { done: 0, total: 50, unit: 'epoch' }, { current: 50, finished: 49, total: 50 }).line.text).toBe('Epoch 50 of 50 · then the final validation of every validation case')
    expect(trainStatus('cancelled', false, undefined, { current: 3, finished: 2, total: 50 }).line.text).toBe('Stopped after 2 epochs')
  })
})
