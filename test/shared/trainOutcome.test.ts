// Issue 18: after "Stop and keep a checkpoint" at iteration 2 of epoch 0 the Train step said
// "Finished" (green), "go on to Predict", "Stopped after the epoch as asked" and "go on at the next
// epoch". A run stopped on request reads as stopped with its checkpoint, never as finished.
import { describe, expect, it } from 'vitest'
import { trainOutcome } from '../../shared/trainOutcome'
import { CONFIRM_START_SECONDS, longRunQuestion } from '../../shared/longRunQuestion'

describe('how an ended training reads', () => {
  it('stopped and kept inside epoch 0: not finished, no Predict, epoch 0 trained again on continue', () => {
    const o = trainOutcome({ epochs: 0, stoppedAfterEpoch: true, keptMidEpoch: true })
    expect(o.badge).toBe('Stopped, checkpoint kept')
    expect(o.predictNext).toBe(false)
    expect(o.text).toContain('not finished')
    expect(o.text).toContain('train epoch 0 again')
    expect(o.text).not.toMatch(/Finished|next epoch/)
  })

  it('stopped after epoch 3 as asked: goes on at epoch 4', () => {
    const o = trainOutcome({ epochs: 4, stoppedAfterEpoch: true })
    expect(o.badge).toBe('Stopped after an epoch')
    expect(o.predictNext).toBe(false)
    expect(o.text).toContain('Stopped after epoch 3 as asked')
    expect(o.text).toContain('go on at epoch 4')
  })

  it('a finished run keeps "Finished" and Predict next', () => {
    const o = trainOutcome({ epochs: 2 })
    expect(o.badge).toBeUndefined()
    expect(o.predictNext).toBe(true)
    expect(o.text).toMatch(/^Finished\./)
  })
})

describe('the question before a long start', () => {
  it("asks before nnU-Net's default 1000 x 250 on the CPU, with the estimate", () => {
    const q = longRunQuestion({ device: 'cpu', configuration: '3d_fullres', epochs: null, iterations: null })
    expect(q).toBeDefined()
    expect(q!.seconds).toBeGreaterThan(CONFIRM_START_SECONDS)
    expect(q!.text).toContain('1000 epochs of 250 iterations')
    expect(q!.text).toContain('fewer iterations')
  })

  it('does not ask on a GPU, nor for a short CPU try', () => {
    expect(longRunQuestion({ device: 'cuda', configuration: '3d_fullres', epochs: null, iterations: null })).toBeUndefined()
    expect(longRunQuestion({ device: 'cpu', configuration: '2d', epochs: 10, iterations: 10 })).toBeUndefined()
  })

  it('counts every queued fold: five 1-hour folds are asked about, one is not', () => {
    const one = { device: 'cpu', configuration: '2d', epochs: 9, iterations: 200 } // 9 x 200 x 2 s = 1 h
    expect(longRunQuestion(one)).toBeUndefined()
    const five = longRunQuestion({ ...one, runs: 5 })
    expect(five?.text).toContain('These 5 trainings')
  })
})
