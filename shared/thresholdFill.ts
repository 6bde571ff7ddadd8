// The label editor's threshold fill (issue 21 item 2): from a clicked seed, the connected region of
// the scan whose intensity lies within [lo, hi] takes the active label, on the clicked slice (2D) or
// through the volume (3D). NiiVue's own intensity flood fill (drawFloodFill) recolours with the
// seed's existing label and takes its plane from the last pen stroke, so the editor uses this one:
// the label written, the plane and the bounds are exactly what the researcher chose.
//
// Voxels of other labels are neither written nor crossed (a fill of the liver does not run through
// the spleen), so what is filled is one connected region inside the bounds. Arrays are one value
// per voxel, x fastest (NiiVue's drawing grid and the scan in the same order).

export interface ThresholdFillRequest {
  /** The scan's intensities (scaled as shown: Hounsfield units for CT), one per voxel. */
  intensity: ArrayLike<number>
  /** The label map; filled in place. */
  labels: Uint8Array
  dims: readonly [number, number, number]
  seed: readonly [number, number, number]
  lo: number
  hi: number
  /** The label written. */
  value: number
  /** 0, 1 or 2: the axis held at the seed's coordinate (a 2D fill on that slice); null: 3D. */
  planeAxis: 0 | 1 | 2 | null
}

/** Voxels that can be filled: within the bounds, and unlabelled or already the label written. */
function open(req: ThresholdFillRequest, i: number): boolean {
  const v = req.intensity[i]!
  const l = req.labels[i]!
  return v >= req.lo && v <= req.hi && (l === 0 || l === req.value)
}

/**
 * Fills the face-connected (6 neighbours in 3D, 4 on a slice) region of open voxels around the
 * seed with `value`; returns the voxels whose label changed (0 when the seed itself is outside the
 * bounds or on another label).
 */
export function thresholdFill(req: ThresholdFillRequest): number {
  const [nx, ny, nz] = req.dims
  const [sx, sy, sz] = req.seed
  if (!(req.lo <= req.hi) || req.value < 1 || req.value > 255) return 0
  if (sx < 0 || sy < 0 || sz < 0 || sx >= nx || sy >= ny || sz >= nz) return 0
  const plane = nx * ny
  const seed = sx + nx * (sy + ny * sz)
  if (!open(req, seed)) return 0
  const seen = new Uint8Array(req.labels.length)
  // Grows as needed: a 3D fill can reach most of a volume.
  let stack = new Int32Array(1024)
  let top = 0
  const push = (i: number) => {
    if (seen[i] || !open(req, i)) return
    seen[i] = 1
    if (top === stack.length) {
      const bigger = new Int32Array(stack.length * 2)
      bigger.set(stack)
      stack = bigger
    }
    stack[top++] = i
  }
  const axis = req.planeAxis
  push(seed)
  let changed = 0
  while (top > 0) {
    const i = stack[--top]!
    if (req.labels[i] !== req.value) {
      req.labels[i] = req.value
      changed++
    }
    const x = i % nx
    const y = Math.floor(i / nx) % ny
    const z = Math.floor(i / plane)
    if (axis !== 0) {
      if (x > 0) push(i - 1)
      if (x < nx - 1) push(i + 1)
    }
    if (axis !== 1) {
      if (y > 0) push(i - nx)
      if (y < ny - 1) push(i + nx)
    }
    if (axis !== 2) {
      if (z > 0) push(i - plane)
      if (z < nz - 1) push(i + plane)
    }
  }
  return changed
}

/** The scan's value as shown: NIfTI's scl_slope / scl_inter applied to the stored value (a slope of 0 means none). */
export function scaledIntensities(raw: ArrayLike<number>, slope: number, inter: number): ArrayLike<number> {
  const s = Number.isFinite(slope) && slope !== 0 ? slope : 1
  const o = Number.isFinite(inter) ? inter : 0
  if (s === 1 && o === 0) return raw
  const out = new Float32Array(raw.length)
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! * s + o
  return out
}
