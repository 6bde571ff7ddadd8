// Puts a label map's voxels in the reference series' order (column fastest, then row, then slice
// in volume order), or refuses it. The label map must lie on the series' own grid: the same voxel
// centres, to a thousandth of a voxel. Its axes may be stored in another order or direction (a
// writer that flips or permutes axes keeps every voxel centre), which is a re-indexing, not a
// resampling; anything else (another size, spacing, origin or an oblique direction) is refused by
// name, because a structure moved to another grid would no longer be what the model predicted.
import type { Geometry } from '../../../shared/api'
import type { ExportReference } from './exportReference'

export class GridMismatchError extends Error {
  constructor(
    readonly labelFile: string,
    readonly referenceDir: string,
    readonly detail: string,
  ) {
    super(
      `The label map ${labelFile} is not on the grid of the reference series ${referenceDir}: ${detail}. ` +
        'A label map is exported only on the grid of the series it was predicted from (the scan converted from that series); it is never resampled. Give the series the labels were predicted on.',
    )
  }
}

export type LabelVoxels = Uint8Array | Uint16Array

const fmt = (v: readonly number[], digits = 4) => `(${v.map((x) => Number(x.toFixed(digits))).join(', ')})`

function axis(direction: readonly number[], c: number): [number, number, number] {
  return [direction[c]!, direction[3 + c]!, direction[6 + c]!]
}

/** Why `label` is not on the reference grid, or null with the per-axis index map when it is. */
export function gridMapping(label: Geometry, ref: ExportReference): { error: string } | { axes: { labelAxis: number; sign: 1 | -1; offset: number }[] } {
  if (label.size.length !== 3) return { error: `it has ${label.size.length} dimensions, the series 3` }
  const describe = () =>
    `the label map is ${label.size.join('x')} voxels of ${fmt(label.spacing)} mm at origin ${fmt(label.origin, 3)} with direction ${fmt(label.direction)}, ` +
    `the series ${ref.size.join('x')} voxels of ${fmt(ref.spacing)} mm at origin ${fmt(ref.origin, 3)} with direction ${fmt(ref.direction)} (LPS)`
  const axes: { labelAxis: number; sign: 1 | -1; offset: number }[] = []
  const used = new Set<number>()
  for (let a = 0; a < 3; a++) {
    const u = axis(ref.direction, a)
    let match = -1
    let sign: 1 | -1 = 1
    for (let b = 0; b < 3; b++) {
      const v = axis(label.direction, b)
      const d = u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
      if (Math.abs(d) > 1 - 1e-4) {
        match = b
        sign = d > 0 ? 1 : -1
      }
    }
    if (match < 0 || used.has(match)) return { error: `its axes are not those of the series (${describe()})` }
    used.add(match)
    const sl = label.spacing[match]!
    const sr = ref.spacing[a]!
    if (Math.abs(sl - sr) > 1e-4 * Math.max(sr, 1e-6) + 1e-5) return { error: `the spacing differs (${describe()})` }
    if (label.size[match] !== ref.size[a]) return { error: `the size differs (${describe()})` }
    axes.push({ labelAxis: match, sign, offset: 0 })
  }
  // The label index of the series' first voxel, per label axis: must be a corner of the label map.
  const delta = [0, 1, 2].map((r) => ref.origin[r]! - label.origin[r]!)
  for (const ax of axes) {
    const v = axis(label.direction, ax.labelAxis)
    const at = (v[0] * delta[0]! + v[1] * delta[1]! + v[2] * delta[2]!) / label.spacing[ax.labelAxis]!
    const want = ax.sign === 1 ? 0 : label.size[ax.labelAxis]! - 1
    if (Math.abs(at - want) > 1e-3) return { error: `the origin is shifted by ${(at - want).toFixed(3)} voxels along the label map's axis ${ax.labelAxis} (${describe()})` }
    ax.offset = want
  }
  return { axes }
}

/**
 * The label values in reference order. Throws GridMismatchError when the grids differ, and an
 * Error when the voxels are not whole label values (a probability map, a float image).
 */
export function labelsOnReference(labelFile: string, label: Geometry & { data: ArrayLike<number | bigint> | null }, ref: ExportReference): LabelVoxels {
  const m = gridMapping(label, ref)
  if ('error' in m) throw new GridMismatchError(labelFile, ref.dir, m.error)
  if (!label.data) throw new Error(`${labelFile}: no voxels were read.`)
  const [nx, ny] = label.size as [number, number, number]
  const stride = [1, nx, nx * ny]
  const [cols, rows, slices] = ref.size
  let max = 0
  const data = label.data
  const values = new Float64Array(cols * rows * slices)
  // index in the label map of reference voxel (c, r, s): sum over axes of stride * (offset + sign * idx)
  const base = m.axes.reduce((acc, ax) => acc + stride[ax.labelAxis]! * ax.offset, 0)
  const step = m.axes.map((ax) => stride[ax.labelAxis]! * ax.sign)
  let out = 0
  for (let s = 0; s < slices; s++) {
    for (let r = 0; r < rows; r++) {
      let at = base + step[2]! * s + step[1]! * r
      for (let c = 0; c < cols; c++, at += step[0]!) {
        const v = Number(data[at])
        if (!Number.isInteger(v) || v < 0 || v > 65535) {
          throw new Error(`${labelFile} holds the value ${v}, which is not a label: a label map holds whole numbers 0..65535 (0 = background). Export the segmentation nnU-Net wrote, not its probabilities.`)
        }
        if (v > max) max = v
        values[out++] = v
      }
    }
  }
  return max <= 255 ? Uint8Array.from(values) : Uint16Array.from(values)
}
