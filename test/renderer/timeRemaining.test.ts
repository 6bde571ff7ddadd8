// One time-remaining rule for every operation: the training panel (renderer) and the training
// job's progress (TrainingLogParser, what the CLI and the job list show) agree on the same log.
import { describe, expect, it } from 'vitest'
import { trainingProgress } from '../../renderer/lib/chartMath'
import { TrainingLogParser } from '../../shared/trainingLog'
import { PACE_WINDOW, timeRemaining } from '../../shared/timeRemaining'

/** nnU-Net v2 log lines for epochs that took `seconds[i]` each. */
function v2Log(seconds: number[]): string[] {
  return seconds.flatMap((s, epoch) => [
    `2026-11-27 00:46:32.249472: Epoch ${epoch}`,
    '2026-11-27 00:46:32.250230: Current learning rate: 0.01',
    '2026-11-27 00:46:59.435123: train_loss 1.4102',
    '2026-11-27 00:46:59.435346: val_loss 1.3014',
    '2026-11-27 00:46:59.435395: Pseudo dice [np.float32(0.1563), np.float32(0.0193)]',
    `2026-11-27 00:46:59.435452: Epoch time: ${s.toFixed(2)} s`,
  ])
}

describe('timeRemaining', () => {
  it('paces by the mean of the last finished units', () => {
    expect(timeRemaining({ done: 2, total: 10, unitSeconds: [10, 20] })).toBe(120)
    // An early slow phase stops counting once PACE_WINDOW newer units finished.
    const seconds = [100, ...Array<number>(PACE_WINDOW).fill(10)]
    expect(timeRemaining({ done: seconds.length, total: seconds.length + 3, unitSeconds: seconds })).toBe(30)
  })
  it('paces by the elapsed time per finished unit when durations are not known', () => {
    expect(timeRemaining({ done: 2, total: 10, elapsedSeconds: 20 })).toBe(80)
  })
  it('is 0 when done and unknown before the first unit or without a total', () => {
    expect(timeRemaining({ done: 5, total: 5, elapsedSeconds: 9 })).toBe(0)
    expect(timeRemaining({ done: 0, total: 10, elapsedSeconds: 20 })).toBeUndefined()
    expect(timeRemaining({ done: 3, total: undefined, unitSeconds: [1, 2, 3] })).toBeUndefined()
    expect(timeRemaining({ done: 1, total: 4, unitSeconds: [0, Number.NaN] })).toBeUndefined()
  })
})

describe('training: the panel and the job agree on the time left', () => {
  it.each([
    ['steady epochs', [20, 20, 20]],
    ['a slow start, then faster epochs', [60, 60, 60, 20, 20, 20, 20, 20]],
    ['epochs slowing down', [10, 10, 10, 12, 14, 16, 18, 20, 22]],
  ])('%s', (_name, seconds) => {
    const parser = new TrainingLogParser({ totalEpochs: 12 })
    for (const line of v2Log(seconds)) parser.push(line)
    const job = parser.etaSeconds()
    const panel = trainingProgress(parser.all()).etaSeconds
    expect(job).toBeDefined()
    expect(panel).toBe(Math.round(job!))
  })
})
