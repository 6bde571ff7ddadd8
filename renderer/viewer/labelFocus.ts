// Where to put the crosshair so a label is in view: on its median slice, at the label voxel
// nearest to that slice's centre of mass (a centroid alone can fall outside a curved structure,
// like the aorta's arch).

export interface VoxelGrid {
  data: ArrayLike<number>
  /** Voxels along i, j, k (file order). */
  dims: [number, number, number]
}

/** A voxel index [i, j, k] inside label `value`, or null when the label is empty. */
export function focusVoxel(grid: VoxelGrid, value: number): [number, number, number] | null {
  const [nx, ny, nz] = grid.dims
  const perSlice = new Float64Array(nz)
  const sumI = new Float64Array(nz)
  const sumJ = new Float64Array(nz)
  const slice = nx * ny
  let total = 0
  for (let k = 0; k < nz; k++) {
    const base = k * slice
    for (let j = 0; j < ny; j++) {
      const row = base + j * nx
      for (let i = 0; i < nx; i++) {
        if (grid.data[row + i] === value) {
          perSlice[k]!++
          sumI[k]! += i
          sumJ[k]! += j
          total++
        }
      }
    }
  }
  if (total === 0) return null
  let k = 0
  for (let seen = 0; k < nz; k++) {
    seen += perSlice[k]!
    if (seen * 2 >= total) break
  }
  const ci = sumI[k]! / perSlice[k]!
  const cj = sumJ[k]! / perSlice[k]!
  let best: [number, number, number] = [Math.round(ci), Math.round(cj), k]
  let bestD = Infinity
  const base = k * slice
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      if (grid.data[base + j * nx + i] !== value) continue
      const d = (i - ci) ** 2 + (j - cj) ** 2
      if (d < bestD) {
        bestD = d
        best = [i, j, k]
      }
    }
  return best
}

/** Voxel [i, j, k] to millimetres through a 4×4 row-major affine (NIfTI sform/qform). */
export function voxelToMm(affine: readonly (readonly number[])[], v: readonly number[]): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0]
  for (let r = 0; r < 3; r++) {
    const row = affine[r]!
    out[r] = row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]! + row[3]!
  }
  return out
}
