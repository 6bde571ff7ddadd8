// What the guide's one-liner `label[organ == 1] = 1; label[tumor == 1] = 2` assumes, checked:
// masks are binary. A 0/255 mask would silently vanish under `== 1`, and a probability map would
// be thresholded by accident, so both are reported instead; foreground is any non-zero voxel.
import type { VoxelArray } from '../imaging/volume'

export interface MaskValues {
  /** Non-zero voxels. */
  foreground: number
  /** Distinct non-zero values, ascending, at most MAX_LISTED. */
  values: number[]
  /** More distinct non-zero values exist than are listed. */
  moreValues: boolean
  /** Some value is not a whole number (probability maps, interpolated masks), NaN included. */
  nonInteger: boolean
}

const MAX_LISTED = 8

export function maskValues(data: VoxelArray): MaskValues {
  if (data instanceof Uint8Array) return fromHistogram(data)
  const seen = new Set<number>()
  let foreground = 0
  let nonInteger = false
  let more = false
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array
  for (let i = 0; i < data.length; i++) {
    const v = big ? Number(data[i]) : (data[i] as number)
    if (v === 0) continue
    foreground++
    if (!Number.isInteger(v)) nonInteger = true
    if (!seen.has(v)) {
      if (seen.size < MAX_LISTED + 1) seen.add(v)
      else more = true
    }
  }
  const values = [...seen].sort((a, b) => a - b)
  return { foreground, values: values.slice(0, MAX_LISTED), moreValues: more || values.length > MAX_LISTED, nonInteger }
}

function fromHistogram(data: Uint8Array): MaskValues {
  const hist = new Uint32Array(256)
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++
  const all: number[] = []
  let foreground = 0
  for (let v = 1; v < 256; v++) {
    if (hist[v]) {
      all.push(v)
      foreground += hist[v]!
    }
  }
  return { foreground, values: all.slice(0, MAX_LISTED), moreValues: all.length > MAX_LISTED, nonInteger: false }
}

export type MaskVerdict = 'binary' | 'other-single-value' | 'empty' | 'multi-value' | 'non-integer'

export function judgeMask(v: MaskValues): MaskVerdict {
  if (v.nonInteger) return 'non-integer'
  if (v.foreground === 0) return 'empty'
  if (v.values.length > 1 || v.moreValues) return 'multi-value'
  return v.values[0] === 1 ? 'binary' : 'other-single-value'
}

export function formatValues(v: MaskValues): string {
  const shown = v.values.map((x) => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(4))))
  return `0${shown.length ? ', ' : ''}${shown.join(', ')}${v.moreValues ? ', …' : ''}`
}

export interface MergeResult {
  label: Uint8Array
  /** Visible voxels per label value (index 0 = value 1) after the later labels won. */
  visible: number[]
  /** Voxels claimed by two or more masks. */
  overlap: number
}

/** Merges binary masks in priority order: mask k gets value k+1 and overwrites earlier ones. */
export function mergeMasks(voxels: number, masks: (VoxelArray | null)[]): MergeResult {
  const label = new Uint8Array(voxels)
  let overlapMarks: Uint8Array | null = null
  let overlap = 0
  masks.forEach((m, k) => {
    if (!m) return
    const value = k + 1
    const big = m instanceof BigInt64Array || m instanceof BigUint64Array
    for (let i = 0; i < voxels; i++) {
      if (big ? m[i] === 0n : m[i] === 0) continue
      if (label[i] !== 0) {
        overlapMarks ??= new Uint8Array(voxels)
        if (overlapMarks[i] === 0) {
          overlapMarks[i] = 1
          overlap++
        }
      }
      label[i] = value
    }
  })
  const hist = new Uint32Array(256)
  for (let i = 0; i < voxels; i++) hist[label[i]!]!++
  return { label, visible: masks.map((_, k) => hist[k + 1]!), overlap }
}

/** NaN voxels in a float image (integer images cannot hold NaN). */
export function countNaN(data: VoxelArray): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0
  let n = 0
  for (let i = 0; i < data.length; i++) if (data[i] !== data[i]) n++
  return n
}
