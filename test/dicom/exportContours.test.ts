// The RTSTRUCT contour tracer (electron/imaging/dicom/exportContours.ts) on its own: the borders it
// traces, filled back with the rule RTSTRUCT readers use ("a voxel on a contour is inside; else
// inside an odd number of contours"), give back exactly the mask they were traced from: regions
// touching the slice edge, holes, islands in holes, one-voxel lines and single voxels, diagonal
// connections, and random masks.
import { describe, expect, it } from 'vitest'
import { traceSliceContours } from '../../electron/imaging/dicom/exportContours'

/** Is (x, y) on the segment a-b (the polygon's edge)? Exact: the vertices are voxel centres. */
function onSegment(x: number, y: number, a: [number, number], b: [number, number]): boolean {
  const cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])
  if (cross !== 0) return false
  return x >= Math.min(a[0], b[0]) && x <= Math.max(a[0], b[0]) && y >= Math.min(a[1], b[1]) && y <= Math.max(a[1], b[1])
}

/** Crossing-number test of a point strictly off the polygon. */
function inside(x: number, y: number, poly: [number, number][]): boolean {
  let odd = false
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!
    const [xj, yj] = poly[j]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd
  }
  return odd
}

function rasterise(contours: { points: [number, number][] }[], cols: number, rows: number): Uint8Array {
  const out = new Uint8Array(cols * rows)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let on = false
      let odd = false
      for (const { points } of contours) {
        for (let i = 0; i < points.length && !on; i++) if (onSegment(c, r, points[i]!, points[(i + 1) % points.length]!)) on = true
        if (!on && inside(c, r, points)) odd = !odd
      }
      out[r * cols + c] = on || odd ? 1 : 0
    }
  }
  return out
}

function fromRows(rows: string[]): { mask: Uint8Array; cols: number; rows: number } {
  const cols = rows[0]!.length
  const mask = new Uint8Array(cols * rows.length)
  rows.forEach((line, r) => [...line].forEach((ch, c) => (mask[r * cols + c] = ch === '#' ? 1 : 0)))
  return { mask, cols, rows: rows.length }
}

function roundTrip(mask: Uint8Array, cols: number, rows: number) {
  const contours = traceSliceContours(mask, cols, rows)
  const back = rasterise(contours, cols, rows)
  let diff = 0
  for (let i = 0; i < mask.length; i++) if (back[i] !== mask[i]) diff++
  return { contours, diff }
}

describe('traceSliceContours', () => {
  it('a ring: one outer border and one hole border through the ring voxels; filled back exactly', () => {
    const m = fromRows(['.......', '.#####.', '.#...#.', '.#...#.', '.#####.', '.......'])
    const { contours, diff } = roundTrip(m.mask, m.cols, m.rows)
    expect(contours.map((c) => c.hole)).toEqual([false, true])
    // Both run through voxel centres of the ring itself (straight runs reduced to their corners).
    expect(new Set(contours[0]!.points.map(String))).toEqual(new Set(['1,1', '5,1', '5,4', '1,4']))
    // The hole's border runs through ring voxels, never through the hole.
    expect(contours[1]!.points.every(([c, r]) => m.mask[r * m.cols + c] === 1)).toBe(true)
    expect(diff).toBe(0)
  })

  it('edges, an island in a hole, one-voxel lines, diagonals and single voxels come back exactly', () => {
    const m = fromRows([
      '##########',
      '#........#',
      '#..###...#',
      '#..#.#.#.#',
      '#..###..##',
      '#........#',
      '##########',
      '..........',
      '#.#.####.#',
      '.#.......#',
    ])
    const { contours, diff } = roundTrip(m.mask, m.cols, m.rows)
    expect(contours.some((c) => c.hole)).toBe(true)
    expect(diff).toBe(0)
  })

  it('random masks of many densities come back exactly', () => {
    let seed = 12345
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let t = 0; t < 60; t++) {
      const cols = 8 + Math.floor(rand() * 20)
      const rows = 8 + Math.floor(rand() * 20)
      const p = 0.2 + rand() * 0.6
      const mask = new Uint8Array(cols * rows).map(() => (rand() < p ? 1 : 0))
      const { diff } = roundTrip(mask, cols, rows)
      expect(diff, `random mask ${t} (${cols}x${rows}, p=${p.toFixed(2)})`).toBe(0)
    }
  })

  it('an empty slice has no contours', () => {
    expect(traceSliceContours(new Uint8Array(25), 5, 5)).toEqual([])
  })
})
