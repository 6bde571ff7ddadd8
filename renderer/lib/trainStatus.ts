// The two status lines of a training: the bar (with its own text) and the line under it. Each
// thing is said once: the phase nnU-Net reports ("Final validation: case 3 of 12") appears in the
// bar when the bar follows the tool, and in the line only when the bar counts epochs instead
// (issue 18 walkthrough: "Final validation" was shown twice, in the bar and under it).
import type { JobInfo, Progress } from '../../shared/api'

export interface EpochCounts {
  /** The epoch running now, from 1 (0 before the first). */
  current: number
  finished: number
  total?: number
  etaSeconds?: number
}

export interface TrainStatus {
  /** What the bar shows: the tool's progress (with its phase), or epochs finished. */
  bar: Progress | undefined
  /** The line under the bar and what it is. */
  line: { kind: 'iteration' | 'phase' | 'epoch' | 'ended' | 'none'; text: string }
  /** Every epoch asked for ran and the job is done: the bar is drawn full (a stopped run's is not). */
  complete: boolean
}

function endedText(state: JobInfo['state'], finished: number, total: number | undefined): string {
  const epochs = `${finished} epoch${finished === 1 ? '' : 's'}`
  if (state === 'done') return total && finished >= total ? `Finished all ${epochs}` : `Ended after ${epochs}`
  return `Stopped after ${epochs}`
}

/** The bar and the line for a training job from its progress and the epochs its log reported. */
export function trainStatus(state: JobInfo['state'], active: boolean, tool: Progress | undefined, p: EpochCounts, learningRate?: number): TrainStatus {
  const status = barAndLine(state, active, tool, p, learningRate)
  return { ...status, complete: !active && state === 'done' && (!p.total || p.finished >= p.total) }
}

function barAndLine(state: JobInfo['state'], active: boolean, tool: Progress | undefined, p: EpochCounts, learningRate?: number): Omit<TrainStatus, 'complete'> {
  const phase = active ? tool?.phase : undefined
  // After the last epoch nnU-Net validates every validation case: its own bar, not "epoch N+1".
  const validating = active && tool?.unit === 'validation case'
  // Iterations inside the running epoch (the wizard's trainers say each one).
  const iterating = active && !validating && /: iteration \d+ of \d+ \(/.test(phase ?? '')
  const followsTool = validating || !p.total
  // "Final validation: case k of n": the case being predicted fills the bar (k of n), so the bar of
  // a training in its final validation is not empty (walkthrough 3 finding 13: "case 1 of 1" on a
  // grey bar, the tool counting finished cases only).
  const predicting = validating && !!tool && tool.total > 0 && /^Final validation: case \d+/.test(tool.phase ?? '')
  const bar: Progress | undefined = followsTool
    ? predicting
      ? { ...tool!, done: Math.min(tool!.total, tool!.done + 1) }
      : tool
    : { done: p.finished, total: p.total!, unit: 'epochs finished', ...(active && { etaSeconds: p.etaSeconds ?? (iterating ? tool?.etaSeconds : undefined) }) }
  const lr = learningRate !== undefined ? ` · learning rate ${Number(learningRate.toPrecision(3))}` : ''
  // The phase goes under the bar only when the bar does not already say it.
  const phaseInBar = followsTool && !!bar?.phase
  if (phase && !phaseInBar && (iterating || p.current === 0)) return { bar, line: { kind: iterating ? 'iteration' : 'phase', text: phase } }
  if (validating) return { bar, line: { kind: 'ended', text: `${endedText('done', p.finished, p.total)}${lr}` } }
  if (p.current > 0 || p.finished > 0) {
    if (!active) return { bar, line: { kind: 'ended', text: `${endedText(state, p.finished, p.total)}${lr}` } }
    const epoch = p.total ? Math.min(Math.max(p.current, p.finished + 1), p.total) : Math.max(p.current, p.finished + 1)
    // The time left counts epochs only: the validation after the last one can take minutes more on a CPU.
    const then = p.total && epoch === p.total ? ' · then the final validation of every validation case' : ''
    return { bar, line: { kind: 'epoch', text: `Epoch ${epoch}${p.total ? ` of ${p.total}` : ''}${then}${lr}` } }
  }
  if (phaseInBar) return { bar, line: { kind: 'none', text: '' } }
  return { bar, line: { kind: 'none', text: 'No epoch started yet.' } }
}
