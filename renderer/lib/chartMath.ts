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
  /** CSS colour; a label's own colour for its curve (otherwise the chart's palette). */
  color?: string
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
  if (min === max) {
    // A flat line is widened by a tenth of its value: a constant learning rate of 0.01 read
    // "-0.49 to 0.51" with a fixed ±0.5, and a positive quantity never gets a negative axis.
    const half = min === 0 ? 0.5 : Math.abs(min) * 0.1
    return { min: min > 0 ? Math.max(0, min - half) : min - half, max: max + half }
  }
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

/** A foreground label as the curves name and colour it (value 1 is the first pseudo Dice). */
export interface CurveLabel {
  name: string
  value: number
  /** CSS colour */
  color: string
}

/**
 * Loss curves (train, validation), the pseudo Dice (mean, nnU-Net's EMA of it, and one curve per
 * label, named and coloured as the label) and the learning rate, one point per epoch. The EMA is
 * nnU-Net v2's own: ema = 0.9 ema + 0.1 mean, starting at the first mean; it picks the best
 * checkpoint by it.
 */
export function metricSeries(metrics: readonly EpochMetrics[], labels: readonly CurveLabel[] = []): { loss: Series[]; dice: Series[]; lr: Series[] } {
  const train: Point[] = []
  const val: Point[] = []
  const dice: Point[] = []
  const ema: Point[] = []
  const lr: Point[] = []
  const perClass: Point[][] = []
  for (const m of metrics) {
    if (m.trainLoss !== undefined) train.push({ x: m.epoch, y: m.trainLoss })
    if (m.valLoss !== undefined) val.push({ x: m.epoch, y: m.valLoss })
    if (m.learningRate !== undefined) lr.push({ x: m.epoch, y: m.learningRate })
    if (m.dice && m.dice.length > 0) {
      const mean = m.dice.reduce((a, b) => a + b, 0) / m.dice.length
      dice.push({ x: m.epoch, y: mean })
      const prev = ema[ema.length - 1]
      ema.push({ x: m.epoch, y: prev ? prev.y * 0.9 + 0.1 * mean : mean })
      m.dice.forEach((d, i) => (perClass[i] ??= []).push({ x: m.epoch, y: d }))
    }
  }
  const diceSeries: Series[] = [
    { name: 'mean pseudo Dice', points: dice },
    { name: 'EMA pseudo Dice', points: ema },
  ]
  if (perClass.length > 1 || labels.length > 0) {
    perClass.forEach((p, i) => {
      const label = labels.find((l) => l.value === i + 1)
      diceSeries.push({ name: label?.name ?? `label ${i + 1}`, points: p, ...(label && { color: label.color }) })
    })
  }
  return {
    loss: [
      { name: 'train loss', points: train },
      { name: 'validation loss', points: val },
    ],
    dice: diceSeries,
    lr: [{ name: 'learning rate', points: lr }],
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
