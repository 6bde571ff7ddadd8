// RTSTRUCT contours (CLOSED_PLANAR, in patient mm) to a mask on the grid of the series they were
// drawn on. Each contour is placed on the slice its position along the slice normal falls on
// (never by the ContourImageSequence alone, which exports get wrong); a contour between slices is
// an error naming the file, not a rounding. On its slice a voxel is inside when its centre is
// inside by the even-odd rule over all contours of the ROI on that slice (so an inner contour cuts
// a hole, and several islands add up) OR when the contour passes through it: the voxels on the
// contour line count as inside, as rt-utils (cv2.fillPoly) and plastimatch draw them. Contours made
// from a mask run through the centres of its border voxels, so a fill keeping only centres strictly
// inside would drop that border: half of a thin structure (a bone rim: Dice 0.67).
import type { DicomSeriesInfo } from '../../../shared/api/dicom'
import { StructureFileError } from './structureDataset'

/** What the rasteriser needs of a series (DicomSeriesInfo fits): its grid and slice positions. */
export type StructureGrid = Pick<DicomSeriesInfo, 'size' | 'spacing' | 'origin' | 'direction' | 'frameOfReferenceUid'> & { slices: Pick<DicomSeriesInfo['slices'][number], 'sopInstanceUid' | 'position'>[] }

export interface PlanarContour {
  /** ContourGeometricType: CLOSED_PLANAR is rasterised; POINT and OPEN_* contours hold no area and are skipped. */
  type: string
  /** ContourData: x, y, z, x, y, z, ... (mm, LPS). */
  points: number[]
}

/** Patient position (mm) to continuous voxel index on the grid (direction columns are the voxel axes). */
export function patientToIndex(grid: Pick<StructureGrid, 'origin' | 'spacing' | 'direction'>): (x: number, y: number, z: number) => [number, number, number] {
  const [ox, oy, oz] = grid.origin as [number, number, number]
  const d = grid.direction
  const s = grid.spacing
  return (x, y, z) => {
    const dx = x - ox
    const dy = y - oy
    const dz = z - oz
    // The direction matrix is orthonormal (a tilted series is refused before this), so its inverse is its transpose.
    return [(d[0]! * dx + d[3]! * dy + d[6]! * dz) / s[0]!, (d[1]! * dx + d[4]! * dy + d[7]! * dz) / s[1]!, (d[2]! * dx + d[5]! * dy + d[8]! * dz) / s[2]!]
  }
}

/**
 * How far (mm) a contour may lie off a slice and still be on it: planning systems round positions
 * to 0.01 mm, a contour from another reconstruction is a slice fraction away.
 */
export function sliceTolerance(sliceSpacing: number): number {
  return Math.min(0.5, 0.25 * sliceSpacing)
}

const fmt = (n: number) => String(+n.toFixed(2))

/** One slice's polygons (continuous i, j per vertex) filled into `out` at `offset` (nx * ny voxels). */
function fillSlice(polys: Float64Array[], nx: number, ny: number, out: Uint8Array, offset: number): void {
  let yMin = Infinity
  let yMax = -Infinity
  for (const p of polys) {
    for (let v = 1; v < p.length; v += 2) {
      yMin = Math.min(yMin, p[v]!)
      yMax = Math.max(yMax, p[v]!)
    }
  }
  const xs: number[] = []
  for (let j = Math.max(0, Math.ceil(yMin)); j <= Math.min(ny - 1, Math.floor(yMax)); j++) {
    xs.length = 0
    for (const p of polys) {
      const n = p.length / 2
      for (let a = 0; a < n; a++) {
        const b = (a + 1) % n
        const y0 = p[2 * a + 1]!
        const y1 = p[2 * b + 1]!
        // Half-open on y, so a vertex between two edges is crossed once and horizontal edges never.
        if ((y0 <= j && j < y1) || (y1 <= j && j < y0)) {
          const x0 = p[2 * a]!
          xs.push(x0 + ((j - y0) * (p[2 * b]! - x0)) / (y1 - y0))
        }
      }
    }
    xs.sort((a, b) => a - b)
    const row = offset + j * nx
    for (let q = 0; q + 1 < xs.length; q += 2) {
      const from = Math.max(0, Math.ceil(xs[q]! - 1e-9))
      const to = Math.min(nx - 1, Math.floor(xs[q + 1]! + 1e-9))
      for (let i = from; i <= to; i++) out[row + i] = 1
    }
  }
  // The voxels the contour line passes through (the polygon's outline drawn on rounded positions).
  for (const p of polys) {
    const n = p.length / 2
    for (let a = 0; a < n; a++) {
      const b = (a + 1) % n
      const x0 = p[2 * a]!
      const y0 = p[2 * a + 1]!
      const dx = p[2 * b]! - x0
      const dy = p[2 * b + 1]! - y0
      // One sample per voxel along the major axis (a DDA line, as cv2 draws one): the major axis
      // stays on whole voxels, so a 45° run through voxel centres never rounds a .5 the wrong way.
      const steps = Math.max(1, Math.ceil(Math.max(Math.abs(dx), Math.abs(dy))))
      for (let s = 0; s <= steps; s++) {
        const i = Math.round(x0 + (dx * s) / steps)
        const j = Math.round(y0 + (dy * s) / steps)
        if (i >= 0 && i < nx && j >= 0 && j < ny) out[offset + j * nx + i] = 1
      }
    }
  }
}

/**
 * The mask (one byte a voxel, x fastest, then y, then slices in the series' order) of one ROI's
 * contours. `where` names the file and ROI in errors. Returns how many contours were skipped as
 * holding no area (POINT, OPEN_PLANAR, OPEN_NONPLANAR).
 */
export function rasteriseContours(grid: StructureGrid, contours: PlanarContour[], where: { file: string; roi: string }): { mask: Uint8Array; skipped: number } {
  const [nx, ny, nz] = grid.size as [number, number, number]
  const mask = new Uint8Array(nx * ny * nz)
  const toIndex = patientToIndex(grid)
  const sz = Math.abs(grid.spacing[2]!)
  const tolerance = sliceTolerance(sz) / sz
  const bySlice = new Map<number, Float64Array[]>()
  let skipped = 0
  for (const c of contours) {
    const n = Math.floor(c.points.length / 3)
    if (c.type !== 'CLOSED_PLANAR' || n === 0) {
      skipped++
      continue
    }
    const poly = new Float64Array(2 * n)
    let kSum = 0
    let kMin = Infinity
    let kMax = -Infinity
    for (let v = 0; v < n; v++) {
      const [i, j, k] = toIndex(c.points[3 * v]!, c.points[3 * v + 1]!, c.points[3 * v + 2]!)
      poly[2 * v] = i
      poly[2 * v + 1] = j
      kSum += k
      kMin = Math.min(kMin, k)
      kMax = Math.max(kMax, k)
    }
    const kMean = kSum / n
    const k = Math.round(kMean)
    const off = Math.max(Math.abs(kMin - k), Math.abs(kMax - k))
    if (!Number.isFinite(kMean) || k < 0 || k >= nz || off > tolerance) {
      const nearest = Math.min(nz - 1, Math.max(0, k))
      const first = grid.slices[0]?.position
      const where3 = `(${fmt(c.points[0]!)}, ${fmt(c.points[1]!)}, ${fmt(c.points[2]!)}) mm`
      throw new StructureFileError(
        where.file,
        `ROI "${where.roi}": a contour at ${where3} lies on no slice of the series: it is ${fmt(Math.abs(kMean - nearest) * sz)} mm along the slice normal from the nearest slice (${nearest + 1} of ${nz}, slices every ${fmt(sz)} mm${first ? ` from (${first.map(fmt).join(', ')})` : ''}). The structure set was drawn on another series or reconstruction; export the structure set of this series.`,
      )
    }
    const list = bySlice.get(k)
    if (list) list.push(poly)
    else bySlice.set(k, [poly])
  }
  for (const [k, polys] of bySlice) fillSlice(polys, nx, ny, mask, k * nx * ny)
  return { mask, skipped }
}
