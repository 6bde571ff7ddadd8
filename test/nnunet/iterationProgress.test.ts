// The iteration lines the wizard's trainers print (trainerParts.ts) -> "iteration i of n", the pace
// and the time left for the epoch and the run, from the first iterations on (before any epoch ends).
import { describe, expect, it } from 'vitest'
import { iterationEstimate, iterationPhase, longRunWarning, roughDuration, ToolProgress } from '../../shared/nnunetProgress'
import { parseIterationLine } from '../../shared/trainingLog'
import { ITERATION_PREFIX, iterationFunctionsPy } from '../../electron/nnunet/trainerParts'

describe('iteration lines', () => {
  it('parses the line the Python prints (prefix shared with trainerParts.ts)', () => {
    expect(parseIterationLine(`${ITERATION_PREFIX}3 of 250 in epoch 0: 14.250 s/it`)).toEqual({ done: 3, total: 250, epoch: 0, secondsPerIteration: 14.25 })
    expect(parseIterationLine('2026-12-07 01:02:03.123456: Epoch 0')).toBeNull()
    // The format string in the Python is the one the parser reads.
    expect(iterationFunctionsPy().join('\n')).toContain("print(f'nnU-Net Wizard: iteration {done} of {total} in epoch {trainer.current_epoch}: {(now - state[\"start\"]) / done:.3f} s/it', flush=True)")
  })

  it('estimates the epoch and the run from the first iterations, then from finished epochs', () => {
    const it0 = { done: 10, total: 250, epoch: 0, secondsPerIteration: 14 }
    const first = iterationEstimate(it0, 2, [])
    expect(first.epochSeconds).toBe(240 * 14)
    expect(first.runSeconds).toBe(240 * 14 + 250 * 14)
    expect(iterationPhase(it0, 2, first)).toBe('Epoch 1 of 2: iteration 10 of 250 (14 s/it): this epoch about 56 min more, the run about 1.9 h')
    // Once an epoch finished (validation included) its time is the pace of the later ones.
    const later = iterationEstimate({ done: 125, total: 250, epoch: 1, secondsPerIteration: 2 }, 4, [600])
    expect(later.runSeconds).toBe(125 * 2 + 2 * 600)
    expect(roughDuration(30)).toBe('30 s')
    expect(roughDuration(3600 * 37)).toBe('37 h')
  })

  it('a training shows iterations before its first epoch ends, with a time left for the run', () => {
    const p = new ToolProgress('train', { totalEpochs: 1000 })
    p.push('2026-12-07 01:02:03.123456: Epoch 0', 0)
    const u = p.push(`${ITERATION_PREFIX}2 of 250 in epoch 0: 12.000 s/it`, 1000)
    expect(u.progress?.phase).toBe('Epoch 1 of 1000: iteration 2 of 250 (12 s/it): this epoch about 50 min more, the run about 833 h')
    expect(u.progress?.etaSeconds).toBe(248 * 12 + 999 * 250 * 12)
    expect(u.progress?.unit).toBe('epoch')
  })

  it('warns before a CPU start that takes hours, not before a short one or on a GPU', () => {
    const w = longRunWarning({ device: 'cpu', configuration: '3d_fullres', epochs: 2, iterations: null })
    expect(w?.seconds).toBe(2 * 250 * 8)
    expect(w?.text).toMatch(/^On the CPU, 2 epochs of 250 iterations .* take about 67 min: each epoch about 33 min/)
    expect(longRunWarning({ device: 'cpu', configuration: '3d_fullres', epochs: 10, iterations: 10 })).toBeUndefined()
    expect(longRunWarning({ device: 'cuda', configuration: '3d_fullres' })).toBeUndefined()
  })
})
