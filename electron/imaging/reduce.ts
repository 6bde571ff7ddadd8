// A preview at reduced resolution: every s-th voxel along each axis, nothing interpolated, so a
// label map keeps its exact values and the image its exact grey values. Used when the viewer draws
// without a graphics card (software WebGL), where uploading 50M voxels takes many seconds.
// Geometry stays consistent: sample index 0 is voxel 0, so the origin is unchanged and the spacing
// grows by the stride; the image and its label map, strided alike, still align.
import type { Geometry } from '../../shared/api'
import type { VoxelArray } from './volume'

/** The voxel grid a stride gives: ceil(size / stride) per axis. */
export function stridedSize(size: readonly number[], stride: readonly number[]): number[] {
  return size.map((n, i) => Math.ceil(n / (stride[i] ?? 1)))
}

const count = (size: readonly number[]) => size.reduce((a, b) => a * b, 1)

/**
 * The per-axis integer strides that bring a volume to at most `maxVoxels` voxels, keeping the
 * voxels as near-isotropic as possible: the axis with the finest effective spacing (spacing x
 * stride) is coarsened first, one step at a time (ties: the axis with more samples, then the
 * first); then any step the budget still allows is taken back, so no axis is coarser than it must
 * be. A typical CT (0.8 x 0.8 x 2.5 mm) thus loses in-plane samples before slices. All ones when
 * the volume already fits.
 */
export function previewStride(size: readonly number[], spacing: readonly number[], maxVoxels: number): number[] {
  const stride = size.map(() => 1)
  const limit = Math.max(1, Math.floor(maxVoxels))
  while (count(stridedSize(size, stride)) > limit) {
    let best = -1
    for (let i = 0; i < size.length; i++) {
      if (Math.ceil(size[i]! / stride[i]!) <= 1) continue
      if (best < 0) {
        best = i
        continue
      }
      const a = Math.abs(spacing[i] ?? 1) * stride[i]!
      const b = Math.abs(spacing[best] ?? 1) * stride[best]!
      if (a < b - 1e-9 || (Math.abs(a - b) <= 1e-9 && Math.ceil(size[i]! / stride[i]!) > Math.ceil(size[best]! / stride[best]!))) best = i
    }
    if (best < 0) break
    stride[best]!++
  }
  // The last step may have overshot: take back any step the budget still allows, coarsest axis first.
  const order = size.map((_, i) => i).sort((a, b) => Math.abs(spacing[b] ?? 1) * stride[b]! - Math.abs(spacing[a] ?? 1) * stride[a]!)
  for (const i of order) {
    while (stride[i]! > 1) {
      stride[i]!--
      if (count(stridedSize(size, stride)) <= limit) continue
      stride[i]!++
      break
    }
  }
  return stride
}

/** Every stride-th voxel of an x-fastest volume, in a new array of the same type. */
export function strideVolume<T extends VoxelArray>(data: T, size: readonly number[], stride: readonly number[]): T {
  const [nx, ny, nz] = [size[0] ?? 1, size[1] ?? 1, size[2] ?? 1]
  const [sx, sy, sz] = [stride[0] ?? 1, stride[1] ?? 1, stride[2] ?? 1]
  const [mx, my, mz] = stridedSize([nx, ny, nz], [sx, sy, sz]) as [number, number, number]
  if (data.length !== nx * ny * nz) throw new Error(`Voxel count ${data.length} does not match the size ${size.join('x')}.`)
  const out = new (data.constructor as new (n: number) => T)(mx * my * mz)
  let o = 0
  for (let z = 0; z < mz; z++) {
    for (let y = 0; y < my; y++) {
      let src = (z * sz * ny + y * sy) * nx
      for (let x = 0; x < mx; x++, src += sx) (out as unknown as number[])[o++] = (data as unknown as number[])[src]!
    }
  }
  return out
}

/** The geometry of the strided grid: same origin and direction, spacing x stride. */
export function stridedGeometry(geom: Geometry, stride: readonly number[]): Geometry {
  return { ...geom, size: stridedSize(geom.size, stride), spacing: geom.spacing.map((s, i) => s * (stride[i] ?? 1)) }
}

export interface Reduced<A extends VoxelArray, B extends VoxelArray> {
  geometry: Geometry
  image: A
  label: B
  /** Present when the volumes were reduced: the stride per axis. */
  stride?: number[]
}

/** The image and label map of one grid, reduced alike when they hold more than `maxVoxels` voxels. */
export function reduceForPreview<A extends VoxelArray, B extends VoxelArray>(geometry: Geometry, image: A, label: B, maxVoxels: number | undefined): Reduced<A, B> {
  if (maxVoxels === undefined || count(geometry.size) <= maxVoxels) return { geometry, image, label }
  const stride = previewStride(geometry.size, geometry.spacing, maxVoxels)
  return { geometry: stridedGeometry(geometry, stride), image: strideVolume(image, geometry.size, stride), label: strideVolume(label, geometry.size, stride), stride }
}
