// The label editor's cheap pen strokes (renderer/viewer/cheapStroke.ts): the box a pen mark covers
// on NiiVue's drawing grid, and the copy of that box that goes to the GPU instead of the volume.
// The GL side is checked in the browser (e2e/review.spec.ts reads the drawing texture back).
import { describe, expect, it } from 'vitest'
import { boxVoxels, copyBox, penBox, unionBox, type VoxelBox } from '../../renderer/viewer/cheapStroke'

/** NiiVue's pen footprint, written out: a square of floor(size / 2) either side of each point in the axial plane. */
function paintAxial(bitmap: Uint8Array, dims: [number, number, number], pts: number[][], size: number): void {
  const h = Math.floor(size / 2)
  for (const [x, y, z] of pts)
    for (let i = -h; i <= h; i++)
      for (let j = -h; j <= h; j++) {
        const px = Math.min(dims[0] - 1, Math.max(0, x! + i))
        const py = Math.min(dims[1] - 1, Math.max(0, y! + j))
        bitmap[px + dims[0] * (py + dims[1] * z!)] = 1
      }
}

function inBox(b: VoxelBox, x: number, y: number, z: number): boolean {
  return x >= b[0] && x <= b[3] && y >= b[1] && y <= b[4] && z >= b[2] && z <= b[5]
}

describe('penBox', () => {
  it('holds every voxel a pen of each size paints, clamped to the grid at the edges', () => {
    const dims: [number, number, number] = [20, 16, 6]
    for (const size of [1, 2, 3, 6, 25]) {
      const pts = [
        [0, 3, 2],
        [7, 15, 2],
        [19, 9, 2],
      ]
      const bmp = new Uint8Array(dims[0] * dims[1] * dims[2])
      paintAxial(bmp, dims, pts, size)
      const box = penBox(pts, size, dims)!
      expect(box.slice(3).every((v, a) => v < dims[a]!) && box.slice(0, 3).every((v) => v >= 0)).toBe(true)
      for (let i = 0; i < bmp.length; i++) {
        if (!bmp[i]) continue
        const x = i % dims[0]
        const y = Math.floor(i / dims[0]) % dims[1]
        const z = Math.floor(i / (dims[0] * dims[1]))
        expect(inBox(box, x, y, z), `size ${size}: voxel ${x},${y},${z} outside ${box}`).toBe(true)
      }
    }
  })

  it('is null for no points; a union holds both boxes', () => {
    expect(penBox([], 3, [4, 4, 4])).toBeNull()
    const a = penBox([[1, 1, 1]], 1, [10, 10, 10])
    const b = penBox([[5, 2, 7]], 1, [10, 10, 10])
    expect(unionBox(a, null)).toEqual(a)
    expect(unionBox(null, b)).toEqual(b)
    expect(unionBox(a, b)).toEqual([1, 1, 1, 5, 2, 7])
    expect(boxVoxels(unionBox(a, b)!)).toBe(5 * 2 * 7)
  })
})

describe('copyBox', () => {
  it('copies a box row by row, x fastest, as texSubImage3D reads it', () => {
    const dims: [number, number, number] = [7, 5, 4]
    const bmp = Uint8Array.from({ length: 7 * 5 * 4 }, (_, i) => i % 251)
    const box: VoxelBox = [2, 1, 1, 4, 3, 2]
    const out = copyBox(bmp, dims, box, new Uint8Array(boxVoxels(box)))
    const want: number[] = []
    for (let z = 1; z <= 2; z++) for (let y = 1; y <= 3; y++) for (let x = 2; x <= 4; x++) want.push(bmp[x + 7 * (y + 5 * z)]!)
    expect(Array.from(out)).toEqual(want)
  })
})
