import { describe, expect, it } from 'vitest'
import { focusVoxel, voxelToMm } from '../../renderer/viewer/labelFocus'

describe('focusVoxel', () => {
  it('lands inside the label on its median slice', () => {
    const dims: [number, number, number] = [10, 10, 5]
    const data = new Uint8Array(500)
    // an L-shaped label on slices 1..3: its centroid (not on the label) must not be chosen
    for (let k = 1; k <= 3; k++) {
      for (let i = 0; i < 8; i++) data[k * 100 + 0 * 10 + i] = 2
      for (let j = 0; j < 8; j++) data[k * 100 + j * 10 + 0] = 2
    }
    const v = focusVoxel({ data, dims }, 2)!
    expect(v[2]).toBe(2)
    expect(data[v[2] * 100 + v[1] * 10 + v[0]]).toBe(2)
  })
  it('returns null for an empty label', () => {
    expect(focusVoxel({ data: new Uint8Array(8), dims: [2, 2, 2] }, 1)).toBeNull()
  })
})

describe('voxelToMm', () => {
  it('applies the affine', () => {
    const a = [
      [2, 0, 0, 10],
      [0, 3, 0, -5],
      [0, 0, 4, 1],
      [0, 0, 0, 1],
    ]
    expect(voxelToMm(a, [1, 2, 3])).toEqual([12, 1, 13])
  })
})
