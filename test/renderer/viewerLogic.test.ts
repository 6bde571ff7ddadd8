import { describe, expect, it } from 'vitest'
import { outlineLabels } from '../../renderer/viewer/labelOutline'
import { autoWindow, presetRange, WINDOW_PRESETS } from '../../renderer/viewer/windowLevel'

describe('outlineLabels', () => {
  it('keeps the ring of a filled square and clears its inside', () => {
    // 5x5x1 with a 3x3 block of label 2 in the middle.
    const d = new Uint8Array(25)
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) d[y * 5 + x] = 2
    const o = outlineLabels(d, [5, 5, 1])
    expect(o[2 * 5 + 2]).toBe(0)
    expect([...o].filter((v) => v === 2)).toHaveLength(8)
    expect(d[2 * 5 + 2]).toBe(2) // the input is untouched
  })

  it('draws a border between two touching labels on both sides', () => {
    const d = Uint8Array.from([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]) // 6x3x1
    const o = outlineLabels(d, [6, 3, 1])
    expect(o[6 + 1]).toBe(0) // interior of label 1
    expect(o[6 + 2]).toBe(1)
    expect(o[6 + 3]).toBe(2)
    expect(o[6 + 4]).toBe(0) // interior of label 2
  })

  it('treats a voxel as interior in 3D only when its slice neighbours agree', () => {
    // 3x3x3 full of 1: only the centre voxel is interior.
    const o = outlineLabels(new Uint8Array(27).fill(1), [3, 3, 3])
    expect([...o].filter((v) => v === 0)).toHaveLength(1)
    expect(o[13]).toBe(0)
  })
})

describe('window/level', () => {
  it('turns width and level into a range', () => {
    expect(presetRange(WINDOW_PRESETS.find((p) => p.id === 'lung')!)).toEqual({ min: -1350, max: 150 })
    expect(presetRange({ width: 400, level: 40 })).toEqual({ min: -160, max: 240 })
  })

  it('auto takes the 1st to 99th percentile, ignoring a few extreme voxels', () => {
    const v = new Float32Array(10000)
    for (let i = 0; i < v.length; i++) v[i] = (i % 1000) - 500 // -500..499, uniform
    v[0] = -30000
    v[1] = 30000
    const w = autoWindow(v)!
    expect(w.min).toBeGreaterThan(-520)
    expect(w.min).toBeLessThan(-470)
    expect(w.max).toBeGreaterThan(460)
    expect(w.max).toBeLessThan(520)
  })

  it('applies slope and intercept, and gives up on a constant image', () => {
    const w = autoWindow(Int16Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), 2, -1024, 0, 1)!
    expect(w.min).toBeCloseTo(-1024, 0)
    expect(w.max).toBeCloseTo(-824, 0)
    expect(autoWindow(new Float32Array(5).fill(3))).toBeNull()
  })
})
