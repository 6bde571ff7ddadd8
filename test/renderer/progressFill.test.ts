// Walkthrough 3 finding 13: bars stayed empty where the work was done: a training in its final
// validation after all its epochs ("Final validation: case 1 of 1" on a grey bar) and the finished
// Plan card (its tool reported no total). A finished job's bar is full; the final validation fills
// the bar with the case being predicted, k of n.
import { describe, expect, it } from 'vitest'
import type { Progress } from '../../shared/api'
import { barFill } from '../../renderer/lib/progressFill'
import { trainStatus } from '../../renderer/lib/trainStatus'

describe('barFill', () => {
  it('draws a finished job full, whatever its last count said', () => {
    expect(barFill({ done: 0, total: 0, unit: 'case' }, { complete: true })).toEqual({ percent: 100, indeterminate: false })
    expect(barFill(undefined, { complete: true })).toEqual({ percent: 100, indeterminate: false })
    expect(barFill({ done: 1, total: 4, unit: 'case' }, { complete: true }).percent).toBe(100)
  })
  it('a running job: done of total, or the moving bar without a total; nothing before anything runs', () => {
    expect(barFill({ done: 1, total: 4, unit: 'case' }, { busy: true })).toEqual({ percent: 25, indeterminate: false })
    expect(barFill({ done: 0, total: 0, unit: 'case' }, { busy: true })).toEqual({ percent: 30, indeterminate: true })
    expect(barFill(undefined, {})).toEqual({ percent: 0, indeterminate: false })
    // Stopped or failed (not complete): the count where it ended.
    expect(barFill({ done: 2, total: 8, unit: 'case' }, { busy: false }).percent).toBe(25)
  })
})

const validating = (k: number, n: number): Progress => ({ done: k - 1, total: n, unit: 'validation case', phase: `Final validation: case ${k} of ${n} (liver_00${k})` })

describe('the training bar', () => {
  it('in the final validation, case k of n fills the bar (k of n), the text unchanged', () => {
    const one = trainStatus('running', true, validating(1, 1), { current: 1, finished: 1, total: 1 })
    expect(one.bar).toMatchObject({ done: 1, total: 1, phase: 'Final validation: case 1 of 1 (liver_001)' })
    expect(barFill(one.bar, { busy: true }).percent).toBe(100)
    const two = trainStatus('running', true, validating(2, 4), { current: 3, finished: 3, total: 3 })
    expect(barFill(two.bar, { busy: true }).percent).toBe(50)
    expect(two.complete).toBe(false)
    // Before the first case is named: no case to count, the tool's own (empty or moving) bar.
    const before = trainStatus('running', true, { done: 0, total: 4, unit: 'validation case', phase: 'Final validation: predicting the validation cases' }, { current: 3, finished: 3, total: 3 })
    expect(before.bar?.done).toBe(0)
  })
  it('is complete when every epoch ran and the job is done; not after a stop with a checkpoint, a cancel or while running', () => {
    expect(trainStatus('done', false, { done: 1, total: 1, unit: 'validation case' }, { current: 3, finished: 3, total: 3 }).complete).toBe(true)
    // Trainer of its own length (no planned total): done is done.
    expect(trainStatus('done', false, undefined, { current: 5, finished: 5 }).complete).toBe(true)
    expect(trainStatus('done', false, undefined, { current: 2, finished: 1, total: 3 }).complete).toBe(false)
    expect(trainStatus('cancelled', false, undefined, { current: 2, finished: 2, total: 3 }).complete).toBe(false)
    expect(trainStatus('running', true, undefined, { current: 3, finished: 3, total: 3 }).complete).toBe(false)
  })
})
