// Surface distances between a reference and a predicted structure: the 95th-percentile Hausdorff
// distance (HD95) and the normalised surface Dice (NSD) at a tolerance in mm, both in physical
// units on the volume's own (possibly anisotropic) spacing. Computed as DeepMind's
// surface-distance does (Nikolov et al. 2021, the paper that defined NSD), so the figures can be
// compared with papers that use it: the surface is made of marching-cubes surface elements on the
// voxel corners, each weighted by its area, and distances are exact Euclidean distances between
// surface points. The test checks the figures against that package on real masks.
// Pure: no file or thread; the worker-pool task that reads the volumes is surfaceTask.ts.
import { NEIGHBOUR_CODE_TO_NORMALS } from './surfelNormals'

/** Why a figure is not a number: the structure is empty in the reference, the prediction, or both. */
export type SurfaceEmpty = 'both-empty' | 'reference-empty' | 'prediction-empty'

export interface SurfaceScore {
  /** mm; Infinity when exactly one side is empty, NaN when both are. */
  hd95: number
  /** 0..1; 0 when exactly one side is empty, NaN when both are. */
  nsd: number
  /** The tolerance (mm) the NSD was computed at. */
  tolerance: number
  empty?: SurfaceEmpty
}

type Size3 = readonly [number, number, number]

/** Surface element area of each of the 256 neighbourhood codes at this spacing (lookup_tables.create_table_neighbour_code_to_surface_area). */
export function surfelAreas(spacing: Size3): Float64Array {
  const [s0, s1, s2] = spacing
  const out = new Float64Array(256)
  for (let code = 0; code < 256; code++) {
    let sum = 0
    for (const [a, b, c] of NEIGHBOUR_CODE_TO_NORMALS[code]!) sum += Math.hypot(a * s1 * s2, b * s0 * s2, c * s0 * s1)
    out[code] = sum
  }
  return out
}

interface Box {
  min: [number, number, number]
  max: [number, number, number]
}

function boundingBox(masks: readonly Uint8Array[], size: Size3): Box | null {
  const [nx, ny] = size
  const min: [number, number, number] = [Infinity, Infinity, Infinity]
  const max: [number, number, number] = [-1, -1, -1]
  const n = masks[0]!.length
  for (let i = 0; i < n; i++) {
    if (!masks.some((m) => m[i])) continue
    const x = i % nx
    const y = Math.floor(i / nx) % ny
    const z = Math.floor(i / (nx * ny))
    if (x < min[0]) min[0] = x
    if (x > max[0]) max[0] = x
    if (y < min[1]) min[1] = y
    if (y > max[1]) max[1] = y
    if (z < min[2]) min[2] = z
    if (z > max[2]) max[2] = z
  }
  return max[0] < 0 ? null : { min, max }
}

/**
 * The neighbourhood code of every voxel corner of the box (one more corner than voxels on each
 * axis): bit 7 - (4a + 2b + c) is set when voxel (x + a - 1, y + b - 1, z + c - 1) is inside, as
 * scipy.ndimage.correlate with DeepMind's 2x2x2 kernel [[[128, 64], [32, 16]], [[8, 4], [2, 1]]].
 */
function neighbourCodes(mask: Uint8Array, size: Size3, box: Box): { codes: Uint8Array; dims: Size3 } {
  const [nx, ny] = size
  const dims: Size3 = [box.max[0] - box.min[0] + 2, box.max[1] - box.min[1] + 2, box.max[2] - box.min[2] + 2]
  const [cx, cy, cz] = dims
  const codes = new Uint8Array(cx * cy * cz)
  // Each inside voxel sets its bit in the 8 corners around it.
  for (let z = box.min[2]; z <= box.max[2]; z++) {
    for (let y = box.min[1]; y <= box.max[1]; y++) {
      const row = nx * (y + ny * z)
      for (let x = box.min[0]; x <= box.max[0]; x++) {
        if (!mask[row + x]) continue
        // Corner p sees voxel p - 1 with a = 0 and voxel p with a = 1.
        const px = x - box.min[0]
        const py = y - box.min[1]
        const pz = z - box.min[2]
        for (let a = 0; a < 2; a++) {
          for (let b = 0; b < 2; b++) {
            for (let c = 0; c < 2; c++) {
              const at = px + 1 - a + cx * (py + 1 - b + cy * (pz + 1 - c))
              codes[at]! |= 1 << (7 - (4 * a + 2 * b + c))
            }
          }
        }
      }
    }
  }
  return { codes, dims }
}

/**
 * Exact squared Euclidean distance (mm^2) from every grid point to the nearest `sites` point,
 * separable over the axes (Felzenszwalb and Huttenlocher 2012), with each axis weighted by its
 * spacing squared: the same figure as scipy's distance_transform_edt(sampling=spacing), squared.
 */
function squaredDistanceTransform(sites: Uint8Array, dims: Size3, spacing: Size3): Float64Array {
  const [cx, cy, cz] = dims
  const d = new Float64Array(sites.length)
  for (let i = 0; i < d.length; i++) d[i] = sites[i] ? 0 : Infinity
  const longest = Math.max(cx, cy, cz)
  const f = new Float64Array(longest)
  const out = new Float64Array(longest)
  const v = new Int32Array(longest)
  const zs = new Float64Array(longest + 1)
  const pass = (n: number, w: number) => {
    // Lower envelope of the parabolas w (p - q)^2 + f(q) over the finite f(q) only.
    let k = -1
    for (let q = 0; q < n; q++) {
      if (f[q] === Infinity) continue
      const fq = f[q]! + w * q * q
      while (k >= 0) {
        const r = v[k]!
        const s = (fq - (f[r]! + w * r * r)) / (2 * w * (q - r))
        if (s <= zs[k]!) k--
        else {
          k++
          v[k] = q
          zs[k] = s
          zs[k + 1] = Infinity
          break
        }
      }
      if (k < 0) {
        k = 0
        v[0] = q
        zs[0] = -Infinity
        zs[1] = Infinity
      }
    }
    if (k < 0) {
      out.fill(Infinity, 0, n)
      return
    }
    let j = 0
    for (let p = 0; p < n; p++) {
      while (zs[j + 1]! < p) j++
      const q = v[j]!
      out[p] = w * (p - q) * (p - q) + f[q]!
    }
  }
  const axes: [number, number, number, number][] = [
    // [length, stride, count of lines, weight]
    [cx, 1, cy * cz, spacing[0] ** 2],
    [cy, cx, cx * cz, spacing[1] ** 2],
    [cz, cx * cy, cx * cy, spacing[2] ** 2],
  ]
  for (let axis = 0; axis < 3; axis++) {
    const [n, stride, , w] = axes[axis]!
    // The start of every line along this axis.
    const starts: number[] = []
    if (axis === 0) for (let z = 0; z < cz; z++) for (let y = 0; y < cy; y++) starts.push(cx * (y + cy * z))
    else if (axis === 1) for (let z = 0; z < cz; z++) for (let x = 0; x < cx; x++) starts.push(x + cx * cy * z)
    else for (let y = 0; y < cy; y++) for (let x = 0; x < cx; x++) starts.push(x + cx * y)
    for (const start of starts) {
      for (let p = 0; p < n; p++) f[p] = d[start + p * stride]!
      pass(n, w)
      for (let p = 0; p < n; p++) d[start + p * stride] = out[p]!
    }
  }
  return d
}

interface Surface {
  /** Corner index of every surface element and its area. */
  at: Int32Array
  area: Float64Array
  /** The grid of corners marking them (distance sites). */
  sites: Uint8Array
}

function surfaceOf(codes: Uint8Array, areas: Float64Array): Surface {
  let n = 0
  for (let i = 0; i < codes.length; i++) if (codes[i] !== 0 && codes[i] !== 255) n++
  const at = new Int32Array(n)
  const area = new Float64Array(n)
  const sites = new Uint8Array(codes.length)
  let k = 0
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!
    if (c === 0 || c === 255) continue
    at[k] = i
    area[k++] = areas[c]!
    sites[i] = 1
  }
  return { at, area, sites }
}

/** Distances (mm) from one surface's elements to the other surface, sorted with their areas by (distance, area) as the reference sorts them. */
function directedDistances(from: Surface, toSquared: Float64Array | null): { distance: Float64Array; area: Float64Array } {
  const n = from.at.length
  const order = Array.from({ length: n }, (_, i) => i)
  const dist = new Float64Array(n)
  for (let i = 0; i < n; i++) dist[i] = toSquared ? Math.sqrt(toSquared[from.at[i]!]!) : Infinity
  order.sort((a, b) => dist[a]! - dist[b]! || from.area[a]! - from.area[b]! || 0)
  return { distance: Float64Array.from(order, (i) => dist[i]!), area: Float64Array.from(order, (i) => from.area[i]!) }
}

/** The distance below which `percent` % of the surface area lies (compute_robust_hausdorff: searchsorted on the area's running share). */
function percentileDistance(d: { distance: Float64Array; area: Float64Array }, percent: number): number {
  const n = d.distance.length
  if (!n) return Infinity
  let total = 0
  for (let i = 0; i < n; i++) total += d.area[i]!
  let running = 0
  for (let i = 0; i < n; i++) {
    running += d.area[i]!
    if (running / total >= percent / 100) return d.distance[i]!
  }
  return d.distance[n - 1]!
}

function areaWithin(d: { distance: Float64Array; area: Float64Array }, tolerance: number): number {
  let sum = 0
  for (let i = 0; i < d.distance.length && d.distance[i]! <= tolerance; i++) sum += d.area[i]!
  return sum
}

const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0)

/** Each surface's elements with their distance to the other surface, nearest first; null when a side is empty. */
export interface SurfaceDistances {
  referenceToPrediction: { distance: Float64Array; area: Float64Array }
  predictionToReference: { distance: Float64Array; area: Float64Array }
}

/**
 * The surface distances of two binary masks on one grid (x fastest, then y, then z; spacing in mm
 * per axis), or which side is empty. Compute once, then read HD95 and NSD at any tolerance.
 */
export function surfaceDistances(reference: Uint8Array, prediction: Uint8Array, size: Size3, spacing: Size3): SurfaceDistances | { empty: SurfaceEmpty } {
  if (reference.length !== prediction.length || reference.length !== size[0] * size[1] * size[2]) throw new Error(`surfaceScore: masks of ${reference.length} and ${prediction.length} voxels do not fit a ${size.join('x')} grid`)
  const refAny = reference.some((v) => v !== 0)
  const predAny = prediction.some((v) => v !== 0)
  if (!refAny || !predAny) return { empty: refAny ? 'prediction-empty' : predAny ? 'reference-empty' : 'both-empty' }
  const box = boundingBox([reference, prediction], size)!
  const areas = surfelAreas(spacing)
  const ref = neighbourCodes(reference, size, box)
  const pred = neighbourCodes(prediction, size, box)
  const refSurface = surfaceOf(ref.codes, areas)
  const predSurface = surfaceOf(pred.codes, areas)
  return {
    referenceToPrediction: directedDistances(refSurface, squaredDistanceTransform(predSurface.sites, pred.dims, spacing)),
    predictionToReference: directedDistances(predSurface, squaredDistanceTransform(refSurface.sites, ref.dims, spacing)),
  }
}

/** The larger of the two directed percentile distances (HD95 at 95). */
export function robustHausdorff(d: SurfaceDistances, percent = 95): number {
  return Math.max(percentileDistance(d.referenceToPrediction, percent), percentileDistance(d.predictionToReference, percent))
}

/** The share of both surfaces' area that lies within `tolerance` mm of the other surface. */
export function normalisedSurfaceDice(d: SurfaceDistances, tolerance: number): number {
  const a = d.referenceToPrediction
  const b = d.predictionToReference
  return (areaWithin(a, tolerance) + areaWithin(b, tolerance)) / (total(a.area) + total(b.area))
}

/**
 * HD95 and NSD of two binary masks. An empty side is said, not hidden in a number: both empty ->
 * NaN for both figures (there is nothing to measure; DeepMind's package gives HD95 inf there), one
 * empty -> HD95 Infinity and NSD 0.
 */
export function surfaceScore(reference: Uint8Array, prediction: Uint8Array, size: Size3, spacing: Size3, tolerance: number, percent = 95): SurfaceScore {
  const d = surfaceDistances(reference, prediction, size, spacing)
  if ('empty' in d) return d.empty === 'both-empty' ? { hd95: NaN, nsd: NaN, tolerance, empty: d.empty } : { hd95: Infinity, nsd: 0, tolerance, empty: d.empty }
  return { hd95: robustHausdorff(d, percent), nsd: normalisedSurfaceDice(d, tolerance), tolerance }
}

/** The binary mask of one label (one value, or a region's values) of a label map. */
export function maskOf(labelMap: ArrayLike<number>, values: readonly number[]): Uint8Array {
  const out = new Uint8Array(labelMap.length)
  if (values.length === 1) {
    const v = values[0]!
    for (let i = 0; i < labelMap.length; i++) out[i] = labelMap[i] === v ? 1 : 0
  } else {
    const set = new Set(values)
    for (let i = 0; i < labelMap.length; i++) out[i] = set.has(labelMap[i]!) ? 1 : 0
  }
  return out
}
