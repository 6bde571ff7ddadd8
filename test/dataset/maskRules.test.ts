import { describe, expect, it } from 'vitest'
import { countNonFinite, describeNonFinite, formatValues, forEachNonZeroRange, nonFiniteOf, judgeMask, maskValues, mergeMasks } from '../../electron/dataset/maskRules'
import { compareGeometry, describeDifference } from '../../electron/imaging/geometry'
import type { Geometry } from '../../shared/api'

describe('mask values', () => {
  it('judges binary, 0/255, empty, multi-value and probability masks', () => {
    expect(judgeMask(maskValues(Uint8Array.from([0, 1, 1, 0])))).toBe('binary')
    expect(judgeMask(maskValues(Uint8Array.from([0, 255, 255])))).toBe('other-single-value')
    expect(judgeMask(maskValues(new Uint8Array(5)))).toBe('empty')
    expect(judgeMask(maskValues(Uint8Array.from([0, 1, 2])))).toBe('multi-value')
    expect(judgeMask(maskValues(Float32Array.from([0, 0.5, 1])))).toBe('non-integer')
    expect(judgeMask(maskValues(Float32Array.from([0, NaN])))).toBe('non-integer')
    expect(judgeMask(maskValues(Float64Array.from([0, 1, 1])))).toBe('binary')
    expect(judgeMask(maskValues(Int16Array.from([0, -1, 1])))).toBe('multi-value')
    expect(judgeMask(maskValues(BigInt64Array.from([0n, 1n])))).toBe('binary')
  })
  it('lists at most eight values', () => {
    const v = maskValues(Uint8Array.from({ length: 20 }, (_, i) => i))
    expect(v.values).toHaveLength(8)
    expect(v.moreValues).toBe(true)
    expect(formatValues(v)).toBe('0, 1, 2, 3, 4, 5, 6, 7, 8, …')
    expect(formatValues(maskValues(Float32Array.from([0, 1 / 3])))).toBe('0, 0.3333')
  })
})

describe('merge', () => {
  it('later labels win, overlaps counted once per voxel', () => {
    const a = Uint8Array.from([1, 1, 1, 0, 0, 1])
    const b = Uint8Array.from([0, 1, 1, 1, 0, 0])
    const c = Float32Array.from([0, 0, 1, 0, 0, 1])
    const r = mergeMasks(6, [a, b, c])
    expect(Array.from(r.label)).toEqual([1, 2, 3, 2, 0, 3])
    expect(r.visible).toEqual([1, 2, 2])
    expect(r.overlap).toBe(3)
  })
  it('treats any non-zero as foreground and skips absent masks', () => {
    const r = mergeMasks(3, [Uint8Array.from([255, 0, 0]), null, Int16Array.from([0, 0, 7])])
    expect(Array.from(r.label)).toEqual([1, 0, 3])
    expect(r.visible).toEqual([1, 0, 1])
  })
  it('counts NaN and infinity only in float images', () => {
    expect(countNonFinite(Float32Array.from([1, NaN, NaN, Infinity, -Infinity, 3e38]))).toEqual({ nan: 2, infinite: 2 })
    expect(countNonFinite(Float64Array.from([-Infinity, 0]))).toEqual({ nan: 0, infinite: 1 })
    expect(countNonFinite(Int16Array.from([1, 2]))).toEqual({ nan: 0, infinite: 0 })
  })
  it('takes the stored count when the reader zeroed the values (ITK NIfTI)', () => {
    expect(nonFiniteOf(Float32Array.from([0, 0, 1]), { nan: 2, infinite: 0 })).toEqual({ nan: 2, infinite: 0 })
    expect(nonFiniteOf(Float32Array.from([Infinity]), null)).toEqual({ nan: 0, infinite: 1 })
    expect(describeNonFinite({ nan: 3, infinite: 1 })).toBe('3 NaN and 1 infinite voxels')
    expect(describeNonFinite({ nan: 0, infinite: 1 })).toBe('1 infinite voxel')
  })
})

// The word-skipping loops must see exactly what a byte loop sees, whatever the alignment and
// length of the array (volumes inflated natively are views into a larger buffer).
describe('mask loops skip empty words without missing a voxel', () => {
  /** Sparse masks with runs, single voxels and values in every byte lane. */
  function sparse(seed: number, length: number, offset: number): Uint8Array {
    let s = seed
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32)
    const data = new Uint8Array(new ArrayBuffer(length + offset + 8), offset, length)
    for (let i = 0; i < length; i++) {
      const r = rand()
      if (r < 0.02) data.fill(1, i, Math.min(length, i + 1 + Math.floor(rand() * 40)))
      else if (r < 0.04) data[i] = 1 + Math.floor(rand() * 255)
    }
    if (length > 0) data[length - 1] = 7 // the last byte, in the tail after the whole words
    if (length > 1) data[0] = 3 // the first, in the unaligned head
    return data
  }
  function byteLoop(masks: Uint8Array[]) {
    const label = new Uint8Array(masks[0]!.length)
    const owners = new Uint8Array(label.length)
    masks.forEach((m, k) => m.forEach((v, i) => v !== 0 && ((label[i] = k + 1), (owners[i] = owners[i]! + 1))))
    const visible = masks.map((_, k) => label.filter((v) => v === k + 1).length)
    return { label, visible, overlap: owners.filter((o) => o > 1).length }
  }
  for (const [length, offset] of [[0, 0], [1, 3], [7, 1], [13, 2], [1000, 0], [1001, 1], [4099, 3], [65537, 2]] as const) {
    it(`${length} voxels at byte offset ${offset}`, () => {
      const masks = [sparse(length + 1, length, offset), sparse(length + 2, length, (offset + 1) % 4), sparse(length + 3, length, (offset + 2) % 4)]
      const covered = new Uint8Array(length)
      forEachNonZeroRange(masks[0]!, (from, to) => covered.fill(1, from, to))
      expect(masks[0]!.every((v, i) => v === 0 || covered[i] === 1)).toBe(true)
      for (const m of masks) {
        const values = new Set(Array.from(m).filter((v) => v !== 0))
        const got = maskValues(m)
        expect(got.foreground).toBe(m.filter((v) => v !== 0).length)
        expect(got.values).toEqual([...values].sort((a, b) => a - b).slice(0, 8))
      }
      const want = byteLoop(masks)
      const merged = mergeMasks(length, masks)
      expect(Buffer.compare(merged.label, want.label)).toBe(0)
      expect(merged.visible).toEqual(want.visible)
      expect(merged.overlap).toBe(want.overlap)
      // Two masks (the guide's organ + tumor) count their overlap without the mark array.
      for (const two of [masks.slice(0, 2), [masks[2]!, null, masks[1]!]]) {
        const want2 = byteLoop(two.map((m) => m ?? new Uint8Array(length)))
        const merged2 = mergeMasks(length, two)
        expect(Buffer.compare(merged2.label, want2.label)).toBe(0)
        expect(merged2.overlap).toBe(want2.overlap)
      }
    })
  }
})

describe('geometry tolerance', () => {
  const g: Geometry = { size: [10, 10, 10], spacing: [1.5, 1.5, 2.5], origin: [-71.658203125, -255.658203125, 540.2000122], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
  it('accepts float32 round-off', () => {
    const f32 = (v: number[]) => v.map((x) => Math.fround(x))
    expect(compareGeometry(g, { ...g, spacing: f32(g.spacing), origin: f32(g.origin), direction: f32(g.direction) })).toEqual([])
  })
  it('reports each field that differs, with the size of the difference', () => {
    const d = compareGeometry(g, { size: [10, 10, 9], spacing: [1.5, 1.5, 3], origin: [-71.658203125, -250.658203125, 540.2], direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1] })
    expect(d.map((x) => x.field)).toEqual(['size', 'spacing', 'origin', 'direction'])
    expect(describeDifference(d[2]!)).toBe("origin differs from the image's by up to 5 mm: image (-71.6582, -255.6582, 540.2), mask (-71.6582, -250.6582, 540.2)")
    expect(describeDifference(d[0]!)).toBe("size 10x10x9 differs from the image's 10x10x10")
  })
})
