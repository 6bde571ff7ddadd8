// The label editor's threshold fill (shared/thresholdFill.ts): a small made-up volume pins the rules
// (bounds, connectivity, 2D vs 3D, other labels neither written nor crossed), and the real ct_small
// CT checks what the e2e spec relies on: every filled voxel is within the bounds, the filled set is
// one connected region, and it is maximal (no open voxel touches it unfilled).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scaledIntensities, thresholdFill } from '../../shared/thresholdFill'
import { TOTALSEG } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'

const at = (d: readonly number[], x: number, y: number, z: number) => x + d[0]! * (y + d[1]! * z)

/** Face neighbours of voxel i (6 in 3D; 4 when planeAxis holds one axis). */
function neighbours(d: readonly [number, number, number], i: number, planeAxis: 0 | 1 | 2 | null): number[] {
  const x = i % d[0]
  const y = Math.floor(i / d[0]) % d[1]
  const z = Math.floor(i / (d[0] * d[1]))
  const out: number[] = []
  const p = [x, y, z]
  for (let a = 0; a < 3; a++) {
    if (a === planeAxis) continue
    for (const s of [-1, 1]) {
      const q = [...p]
      q[a]! += s
      if (q[a]! >= 0 && q[a]! < d[a]!) out.push(at(d, q[0]!, q[1]!, q[2]!))
    }
  }
  return out
}

describe('thresholdFill', () => {
  // 5x4x3: a bright bar (100) along x at y=1 on every slice, a second bright blob at (4, 3) cut off
  // from it by dark voxels, and one bright voxel of the bar already labelled 2.
  const dims: [number, number, number] = [5, 4, 3]
  const scan = new Float32Array(60)
  for (let z = 0; z < 3; z++) {
    for (let x = 0; x < 5; x++) scan[at(dims, x, 1, z)] = 100
    scan[at(dims, 4, 3, z)] = 100
  }

  it('fills the connected bright voxels on the seed slice only (2D), with the active label', () => {
    const labels = new Uint8Array(60)
    labels[at(dims, 3, 1, 0)] = 2
    const n = thresholdFill({ intensity: scan, labels, dims, seed: [0, 1, 0], lo: 50, hi: 150, value: 1, planeAxis: 2 })
    // x = 0..2 on slice 0: the labelled voxel at x = 3 is neither written nor crossed (x = 4 stays).
    expect(n).toBe(3)
    expect([0, 1, 2].every((x) => labels[at(dims, x, 1, 0)] === 1)).toBe(true)
    expect(labels[at(dims, 3, 1, 0)]).toBe(2)
    expect(labels[at(dims, 4, 1, 0)]).toBe(0)
    expect(labels[at(dims, 0, 1, 1)]).toBe(0)
    expect(labels[at(dims, 4, 3, 0)], 'the separate blob').toBe(0)
  })

  it('fills through the slices in 3D, and refuses a seed outside the bounds or on another label', () => {
    const labels = new Uint8Array(60)
    labels[at(dims, 3, 1, 0)] = 2
    // Slice 0 is cut at x = 3, but x = 4 of slice 0 is reached through slice 1.
    expect(thresholdFill({ intensity: scan, labels, dims, seed: [0, 1, 0], lo: 50, hi: 150, value: 1, planeAxis: null })).toBe(14)
    expect(labels[at(dims, 4, 1, 0)]).toBe(1)
    expect(labels[at(dims, 4, 3, 2)]).toBe(0)
    expect(thresholdFill({ intensity: scan, labels, dims, seed: [0, 0, 0], lo: 50, hi: 150, value: 1, planeAxis: null }), 'a dark seed').toBe(0)
    expect(thresholdFill({ intensity: scan, labels, dims, seed: [3, 1, 0], lo: 50, hi: 150, value: 1, planeAxis: null }), 'a seed on label 2').toBe(0)
    expect(thresholdFill({ intensity: scan, labels, dims, seed: [0, 1, 0], lo: 150, hi: 50, value: 1, planeAxis: null }), 'lo above hi').toBe(0)
  })

  it('applies the NIfTI scaling only when there is one', () => {
    const raw = Int16Array.from([0, 10, -5])
    expect(scaledIntensities(raw, 0, 0)).toBe(raw)
    expect(scaledIntensities(raw, 1, 0)).toBe(raw)
    expect(Array.from(scaledIntensities(raw, 2, -1024))).toEqual([-1024, -1004, -1034])
  })

  it('on the real ct_small CT: a 3D fill from inside the liver stays within the bounds, connected and maximal', async () => {
    const ct = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
    const liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
    const d = ct.size as [number, number, number]
    const intensity = ct.data as ArrayLike<number>
    // A seed inside the liver mask, at the median liver intensity: soft tissue.
    const inLiver: number[] = []
    for (let i = 0; i < liver.length; i++) if (liver[i]) inLiver.push(i)
    const values = inLiver.map((i) => intensity[i]!).sort((a, b) => a - b)
    const median = values[Math.floor(values.length / 2)]!
    const seedIndex = inLiver.find((i) => intensity[i] === median)!
    const seed: [number, number, number] = [seedIndex % d[0], Math.floor(seedIndex / d[0]) % d[1], Math.floor(seedIndex / (d[0] * d[1]))]
    const lo = median - 40
    const hi = median + 40
    const labels = new Uint8Array(intensity.length)
    const n = thresholdFill({ intensity, labels, dims: d, seed, lo, hi, value: 1, planeAxis: null })
    expect(n).toBeGreaterThan(100)
    const filled = new Set<number>()
    for (let i = 0; i < labels.length; i++) if (labels[i] === 1) filled.add(i)
    expect(filled.size).toBe(n)
    for (const i of filled) expect(intensity[i]! >= lo && intensity[i]! <= hi).toBe(true)
    // Connected: a walk from the seed over filled voxels reaches all of them.
    const reached = new Set([seedIndex])
    const todo = [seedIndex]
    while (todo.length) {
      for (const j of neighbours(d, todo.pop()!, null)) {
        if (!filled.has(j) || reached.has(j)) continue
        reached.add(j)
        todo.push(j)
      }
    }
    expect(reached.size).toBe(filled.size)
    // Maximal: no voxel within the bounds touches the region without being in it.
    let missed = 0
    for (const i of filled) for (const j of neighbours(d, i, null)) if (!filled.has(j) && intensity[j]! >= lo && intensity[j]! <= hi) missed++
    expect(missed).toBe(0)
  })
})
