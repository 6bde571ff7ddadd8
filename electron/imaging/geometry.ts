// Geometry comparison with tolerances: NIfTI stores spacing, origin and direction as float32, so
// a mask saved from the same image can differ from it in the fifth significant digit. Exact
// equality would reject good data; these tolerances still catch a shifted or resampled mask.
import type { Geometry } from '../../shared/api'

export const GEOMETRY_TOLERANCE = {
  /** Relative to the image's spacing. */
  spacing: 1e-4,
  /** In millimetres, plus a fraction of the largest spacing. */
  originMm: 1e-3,
  originSpacingFraction: 1e-3,
  /** Absolute, on direction cosines. */
  direction: 1e-4,
}

export interface GeometryDifference {
  field: 'size' | 'spacing' | 'origin' | 'direction'
  expected: number[]
  actual: number[]
  /** Largest absolute difference of one component. */
  maxDifference: number
}

function maxAbsDiff(a: number[], b: number[]): number {
  let m = 0
  for (let i = 0; i < Math.max(a.length, b.length); i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)) || (a[i] === b[i] ? 0 : Infinity))
  return m
}

/** Differences of `actual` from `expected` beyond the tolerances; empty when they share a grid. */
export function compareGeometry(expected: Geometry, actual: Geometry): GeometryDifference[] {
  const out: GeometryDifference[] = []
  const diff = (field: GeometryDifference['field'], e: number[], a: number[]) => out.push({ field, expected: e, actual: a, maxDifference: maxAbsDiff(e, a) })
  if (expected.size.length !== actual.size.length || expected.size.some((s, i) => s !== actual.size[i])) diff('size', expected.size, actual.size)
  const spacingBad = expected.spacing.some((s, i) => !(Math.abs(s - (actual.spacing[i] ?? NaN)) <= GEOMETRY_TOLERANCE.spacing * Math.abs(s)))
  if (spacingBad || expected.spacing.length !== actual.spacing.length) diff('spacing', expected.spacing, actual.spacing)
  const originTol = GEOMETRY_TOLERANCE.originMm + GEOMETRY_TOLERANCE.originSpacingFraction * Math.max(...expected.spacing.map(Math.abs))
  if (expected.origin.some((o, i) => !(Math.abs(o - (actual.origin[i] ?? NaN)) <= originTol))) diff('origin', expected.origin, actual.origin)
  if (expected.direction.some((d, i) => !(Math.abs(d - (actual.direction[i] ?? NaN)) <= GEOMETRY_TOLERANCE.direction))) diff('direction', expected.direction, actual.direction)
  return out
}

const fmt = (v: number[]) => `(${v.map((x) => +x.toFixed(4)).join(', ')})`

/** "origin differs by up to 5 mm: image (…), mask (…)" */
export function describeDifference(d: GeometryDifference): string {
  const unit = d.field === 'size' ? ' voxels' : d.field === 'direction' ? '' : ' mm'
  if (d.field === 'size') return `size ${d.actual.join('x')} differs from the image's ${d.expected.join('x')}`
  return `${d.field} differs from the image's by up to ${+d.maxDifference.toPrecision(3)}${unit}: image ${fmt(d.expected)}, mask ${fmt(d.actual)}`
}
