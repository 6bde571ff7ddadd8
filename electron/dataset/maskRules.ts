// What the guide's one-liner `label[organ == 1] = 1; label[tumor == 1] = 2` assumes, checked:
// masks are binary. A 0/255 mask would silently vanish under `== 1`, and a probability map would
// be thresholded by accident, so both are reported instead; foreground is any non-zero voxel.
import type { OverlapPair } from '../../shared/regions'
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
  /** The listed values written exactly, where a 64-bit integer does not fit a Number. */
  exact?: string[]
}

const MAX_LISTED = 8

export function maskValues(data: VoxelArray): MaskValues {
  if (data instanceof Uint8Array) return fromHistogram(data)
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return fromBigInts(data)
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

/**
 * 64-bit integer masks compared as the integers they are: through a float64 Number, 2^53 and
 * 2^53 + 1 would be one value, and a two-label mask would pass as binary.
 */
function fromBigInts(data: BigInt64Array | BigUint64Array): MaskValues {
  const seen = new Set<bigint>()
  let foreground = 0
  let more = false
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (v === 0n) continue
    foreground++
    if (!seen.has(v)) {
      if (seen.size < MAX_LISTED + 1) seen.add(v)
      else more = true
    }
  }
  const sorted = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const values = sorted.slice(0, MAX_LISTED).map(Number)
  return { foreground, values, moreValues: more || sorted.length > MAX_LISTED, nonInteger: false, ...(sorted.some((v) => BigInt(Number(v)) !== v) && { exact: sorted.slice(0, MAX_LISTED).map(String) }) }
}

function fromHistogram(data: Uint8Array): MaskValues {
  const seen = new Uint8Array(256)
  let foreground = 0
  forEachNonZeroRange(data, (from, to) => {
    let fg = 0
    for (let i = from; i < to; i++) {
      const v = data[i]!
      if (v !== 0) {
        fg++
        seen[v] = 1
      }
    }
    foreground += fg
  })
  const all: number[] = []
  for (let v = 1; v < 256; v++) if (seen[v]) all.push(v)
  return { foreground, values: all.slice(0, MAX_LISTED), moreValues: all.length > MAX_LISTED, nonInteger: false }
}

/**
 * Calls `visit(from, to)` for runs of bytes that contain every non-zero byte of `data` (a run may
 * hold zeros too). Masks are mostly zero, and testing eight bytes per step through a 32-bit view
 * skips the empty space about ten times faster than a byte loop, so the per-voxel work is paid
 * only where a structure is.
 */
export function forEachNonZeroRange(data: Uint8Array, visit: (from: number, to: number) => void): void {
  const n = data.length
  const head = Math.min(n, (4 - (data.byteOffset & 3)) & 3) // bytes before the first aligned word
  if (head > 0) visit(0, head)
  const words = ((n - head) >>> 3) << 1 // whole 8-byte blocks, as pairs of 32-bit words
  const w = words > 0 ? new Uint32Array(data.buffer, data.byteOffset + head, words) : new Uint32Array(0)
  let j = 0
  while (j < words) {
    if ((w[j]! | w[j + 1]!) === 0) {
      j += 2
      continue
    }
    const start = j
    do j += 2
    while (j < words && (w[j]! | w[j + 1]!) !== 0)
    visit(head + start * 4, head + j * 4)
  }
  const tail = head + words * 4
  if (tail < n) visit(tail, n)
}

export type MaskVerdict = 'binary' | 'other-single-value' | 'empty' | 'multi-value' | 'non-integer'

export function judgeMask(v: MaskValues): MaskVerdict {
  if (v.nonInteger) return 'non-integer'
  if (v.foreground === 0) return 'empty'
  if (v.values.length > 1 || v.moreValues) return 'multi-value'
  return v.values[0] === 1 && !v.exact ? 'binary' : 'other-single-value'
}

export function formatValues(v: MaskValues): string {
  const shown = v.exact ?? v.values.map((x) => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(4))))
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
  const counts = new Float64Array(256)
  let overlapMarks: Uint8Array | null = null
  let overlap = 0
  const marked = masks.filter((m) => m !== null).length > 2
  for (let k = 0; k < masks.length; k++) {
    const m = masks[k]
    if (!m) continue
    const value = k + 1
    // Masks are almost always uint8: one array type keeps the loop monomorphic.
    const fg = asForeground(m)
    forEachNonZeroRange(fg, (from, to) => {
      let claimed = 0
      for (let i = from; i < to; i++) {
        if (fg[i] === 0) continue
        const previous = label[i]!
        if (previous !== 0) {
          counts[previous]!--
          // With two masks only the second re-claims, each voxel once; from a third mask on a
          // voxel may be re-claimed again and must be counted once (a 42 MB mark array).
          if (!marked) overlap++
          else {
            overlapMarks ??= new Uint8Array(voxels)
            if (overlapMarks[i] === 0) {
              overlapMarks[i] = 1
              overlap++
            }
          }
        }
        label[i] = value
        claimed++
      }
      counts[value]! += claimed
    })
  }
  return { label, visible: masks.map((_, k) => counts[k + 1]!), overlap }
}

/** The mask as one byte per voxel, non-zero = foreground (uint8 masks are used as they are). */
export function asForeground(m: VoxelArray): Uint8Array {
  if (m instanceof Uint8Array) return m
  const out = new Uint8Array(m.length)
  if (m instanceof BigInt64Array || m instanceof BigUint64Array) {
    for (let i = 0; i < m.length; i++) out[i] = m[i] === 0n ? 0 : 1
  } else {
    for (let i = 0; i < m.length; i++) out[i] = m[i] === 0 ? 0 : 1
  }
  return out
}

export interface NonFinite {
  nan: number
  infinite: number
}

/** NaN and +-infinity in float voxels (integer types cannot hold them). */
export function countNonFinite(data: VoxelArray): NonFinite {
  const out = { nan: 0, infinite: 0 }
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return out
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (v - v !== 0) {
      if (v !== v) out.nan++
      else out.infinite++
    }
  }
  return out
}

/**
 * The non-finite values of a volume: those ITK returned, or those stored in the file when the
 * reader hid them (ITK's NIfTI reader turns NaN and infinity into 0), whichever is more.
 */
export function nonFiniteOf(data: VoxelArray, stored: NonFinite | null): NonFinite {
  const seen = countNonFinite(data)
  return { nan: Math.max(seen.nan, stored?.nan ?? 0), infinite: Math.max(seen.infinite, stored?.infinite ?? 0) }
}

/** "3 NaN and 2 infinite voxels" */
export function describeNonFinite(n: NonFinite): string {
  const parts = [n.nan ? `${n.nan} NaN` : '', n.infinite ? `${n.infinite} infinite` : ''].filter(Boolean)
  return `${parts.join(' and ')} voxel${n.nan + n.infinite === 1 ? '' : 's'}`
}

/** Voxels in both masks, for every pair that shares any (a = the earlier label). Missing masks are skipped. */
export function overlapPairs(names: readonly string[], masks: readonly (VoxelArray | null)[]): OverlapPair[] {
  const fg = masks.map((m) => (m ? asForeground(m) : null))
  const out: OverlapPair[] = []
  for (let k = 1; k < fg.length; k++) {
    const later = fg[k]
    if (!later) continue
    const counts = new Float64Array(k)
    forEachNonZeroRange(later, (from, to) => {
      for (let i = from; i < to; i++) {
        if (later[i] === 0) continue
        for (let j = 0; j < k; j++) if (fg[j] && fg[j]![i] !== 0) counts[j]!++
      }
    })
    for (let j = 0; j < k; j++) if (counts[j]! > 0) out.push({ a: names[j]!, b: names[k]!, voxels: counts[j]! })
  }
  return out
}
