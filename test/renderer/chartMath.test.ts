import { describe, expect, it } from 'vitest'
import { domainOf, linePath, metricSeries, trainingProgress } from '../../renderer/lib/chartMath'
import { formatBytes, formatDuration, lastPathPart } from '../../renderer/lib/format'

describe('training curves', () => {
  const metrics = [
    { epoch: 0, totalEpochs: 4, trainLoss: 0.5, valLoss: 0.6, dice: [0.2, 0.4], epochSeconds: 10 },
    { epoch: 1, totalEpochs: 4, trainLoss: 0.3, valLoss: 0.4, dice: [0.4, 0.6], epochSeconds: 12 },
  ]
  it('builds loss and mean Dice series per epoch', () => {
    const { loss, dice } = metricSeries(metrics)
    expect(loss[0]!.points).toEqual([{ x: 0, y: 0.5 }, { x: 1, y: 0.3 }])
    expect(loss[1]!.points.map((p) => p.y)).toEqual([0.6, 0.4])
    expect(dice[0]!.points.map((p) => p.y)).toEqual([0.30000000000000004, 0.5])
    expect(dice.map((s) => s.name)).toEqual(['mean pseudo Dice', 'EMA pseudo Dice', 'label 1', 'label 2'])
  })
  it("names and colours each label's curve, adds nnU-Net's EMA pseudo Dice and the learning rate", () => {
    const labels = [
      { name: 'aorta', value: 1, color: '#ff0000' },
      { name: 'false lumen', value: 2, color: '#00ff00' },
    ]
    const withLr = metrics.map((m, i) => ({ ...m, learningRate: [0.01, 0.009][i] }))
    const { dice, lr } = metricSeries(withLr, labels)
    expect(dice.slice(2).map((s) => [s.name, s.color])).toEqual([
      ['aorta', '#ff0000'],
      ['false lumen', '#00ff00'],
    ])
    // ema = 0.9 * ema + 0.1 * mean, from the first mean (nnU-Net v2's ema_fg_dice)
    expect(dice[1]!.points.map((p) => p.y)).toEqual([0.30000000000000004, 0.30000000000000004 * 0.9 + 0.1 * 0.5])
    expect(lr[0]!.points).toEqual([
      { x: 0, y: 0.01 },
      { x: 1, y: 0.009 },
    ])
    // One label, named: its curve is drawn too (unnamed single classes only had the mean).
    expect(metricSeries([{ epoch: 0, dice: [0.7] }], labels.slice(0, 1)).dice.map((s) => s.name)).toEqual(['mean pseudo Dice', 'EMA pseudo Dice', 'aorta'])
  })
  it('draws a path inside the box, y growing upwards', () => {
    const d = linePath([{ x: 0, y: 0 }, { x: 1, y: 1 }], { min: 0, max: 1 }, { min: 0, max: 1 }, 100, 50)
    expect(d).toBe('M0.0 50.0 L100.0 0.0')
  })
  it('pads the domain and survives flat or empty series', () => {
    const flat = domainOf([{ name: 'a', points: [{ x: 0, y: 1 }] }], (p) => p.y, { min: 0, max: 1 })
    expect(flat.min).toBeCloseTo(0.9, 12)
    expect(flat.max).toBeCloseTo(1.1, 12)
    expect(domainOf([], (p) => p.y, { min: 0, max: 1 })).toEqual({ min: 0, max: 1 })
  })
  it('reports epoch n of N and the time left', () => {
    expect(trainingProgress(metrics)).toEqual({ current: 2, finished: 2, total: 4, etaSeconds: 22 })
    // the third epoch has started (its number and learning rate are logged) but not ended
    expect(trainingProgress([...metrics, { epoch: 2, totalEpochs: 4, learningRate: 0.009 }])).toEqual({ current: 3, finished: 2, total: 4, etaSeconds: 22 })
    expect(trainingProgress([], 10)).toEqual({ current: 0, finished: 0, total: 10 })
  })
})

describe('format', () => {
  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatDuration(42)).toBe('42 s')
    expect(formatDuration(125)).toBe('2 min 05 s')
    expect(formatDuration(3 * 3600 + 60)).toBe('3 h 01 min')
    expect(lastPathPart('/data/organ/')).toBe('organ')
    expect(lastPathPart('C:\\data\\tumor')).toBe('tumor')
  })
})
