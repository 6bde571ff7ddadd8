// Scales and SVG paths for the training curves (loss and Dice per epoch). Kept pure so the
// arithmetic is tested without a DOM.
import type { EpochMetrics } from '../../shared/api'
import { timeRemaining } from '../../shared/timeRemaining'

export interface Point {
  x: number
  y: number
}

export interface Series {
  name: string
  points: Point[]
}

export interface Domain {
  min: number
  max: number
}

/** Min and max over every point, widened a little so a flat line is not drawn on the border. */
export function domainOf(series: readonly Series[], pick: (p: Point) => number, fallback: Domain): Domain {
  let min = Infinity
  let max = -Infinity
  for (const s of series)
    for (const p of s.points) {
      const v = pick(p)
      if (!Number.isFinite(v)) continue
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
  if (min === Infinity) return fallback
  if (min === max) return { min: min - 0.5, max: max + 0.5 }
  const pad = (max - min) * 0.05
  return { min: min - pad, max: max + pad }
}

export function scale(v: number, d: Domain, from: number, to: number): number {
  if (d.max === d.min) return (from + to) / 2
  return from + ((v - d.min) / (d.max - d.min)) * (to - from)
}

/** An SVG path "M x y L x y ..." for one series inside a box of width w and height h. */
export function linePath(points: readonly Point[], xd: Domain, yd: Domain, w: number, h: number): string {
  return points
    .filter((p) => Number.isFinite(p.y))
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${scale(p.x, xd, 0, w).toFixed(1)} ${scale(p.y, yd, h, 0).toFixed(1)}`)
    .join(' ')
}

/** Loss curves (train, validation) and the mean pseudo Dice, one point per epoch. */
export function metricSeries(metrics: readonly EpochMetrics[]): { loss: Series[]; dice: Series[] } {
  const train: Point[] = []
  const val: Point[] = []
  const dice: Point[] = []
  const perClass: Point[][] = []
  for (const m of metrics) {
    if (m.trainLoss !== undefined) train.push({ x: m.epoch, y: m.trainLoss })
    if (m.valLoss !== undefined) val.push({ x: m.epoch, y: m.valLoss })
    if (m.dice && m.dice.length > 0) {
      dice.push({ x: m.epoch, y: m.dice.reduce((a, b) => a + b, 0) / m.dice.length })
      m.dice.forEach((d, i) => (perClass[i] ??= []).push({ x: m.epoch, y: d }))
    }
  }
  const diceSeries: Series[] = [{ name: 'mean Dice', points: dice }]
  if (perClass.length > 1) perClass.forEach((p, i) => diceSeries.push({ name: `class ${i + 1}`, points: p }))
  return {
    loss: [
      { name: 'train loss', points: train },
      { name: 'validation loss', points: val },
    ],
    dice: diceSeries,
  }
}

/**
 * "Epoch n of N" and the time left (timeRemaining over the epoch durations, as the training job
 * computes it). nnU-Net logs an epoch's number when it starts and its duration when it ends, so
 * `current` is the epoch running now (counted from 1) and `finished` the ones that ended.
 */
export function trainingProgress(
  metrics: readonly EpochMetrics[],
  plannedEpochs?: number,
): { current: number; finished: number; total?: number; etaSeconds?: number } {
  const last = metrics[metrics.length - 1]
  if (!last) return { current: 0, finished: 0, total: plannedEpochs }
  const total = last.totalEpochs ?? plannedEpochs
  const ended = metrics.filter((m) => m.epochSeconds !== undefined || m.valLoss !== undefined)
  const finished = ended.length ? ended[ended.length - 1]!.epoch + 1 : 0
  const etaSeconds = timeRemaining({ done: finished, total, unitSeconds: metrics.flatMap((m) => (m.epochSeconds !== undefined ? [m.epochSeconds] : [])) })
  return { current: last.epoch + 1, finished, total, ...(etaSeconds !== undefined && { etaSeconds }) }
}
