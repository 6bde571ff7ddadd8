// "Outline only": the label map reduced to its border voxels, so the viewer draws rings without
// the fill at any opacity. NiiVue's own atlasOutline keeps the fill and only adds a border, and it
// builds one 3D texture for all three planes, so the border here is 3D too: a labelled voxel with
// a 6-neighbour of another value (or at the edge of the volume). A structure that runs through the
// slice (a vessel in an axial view) shows as a ring; where it begins or ends it shows filled.

/** A copy of `data` (x fastest, then y, then z) with every interior voxel set to 0. */
export function outlineLabels<T extends Uint8Array | Uint16Array | Int16Array | Float32Array>(data: T, dims: readonly [number, number, number]): T {
  const [nx, ny, nz] = dims
  const out = new (data.constructor as new (n: number) => T)(data.length)
  const plane = nx * ny
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = z * plane + y * nx + x
        const v = data[i]!
        if (v === 0) continue
        const border =
          x === 0 || x === nx - 1 || y === 0 || y === ny - 1 || (nz > 1 && (z === 0 || z === nz - 1)) ||
          data[i - 1] !== v || data[i + 1] !== v || data[i - nx] !== v || data[i + nx] !== v ||
          (nz > 1 && (data[i - plane] !== v || data[i + plane] !== v))
        if (border) out[i] = v
      }
  return out
}
