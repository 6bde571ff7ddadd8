import { describe, expect, it } from 'vitest'
import { countNonFinite, describeNonFinite, formatValues, nonFiniteOf, judgeMask, maskValues, mergeMasks } from '../../electron/dataset/maskRules'
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
