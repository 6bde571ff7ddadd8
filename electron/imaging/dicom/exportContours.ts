// The contours of one slice of a mask, for an RTSTRUCT: every border of every 8-connected region,
// outer borders and the borders of holes, each a closed polygon through the centres of the mask's
// own border voxels. Read back with the rule RT planning systems, plastimatch and rt-utils use,
// "a voxel on the contour is inside, and a voxel inside an odd number of contours is inside",
// these polygons give the mask back: outer borders take the region's edge voxels in, hole
// borders run through the voxels around the hole, so the hole (strictly inside) stays out. An
// island inside a hole is an outer border of its own (even-odd puts it back in).
//
// The border following is Suzuki and Abe's (1985, "Topological structural analysis of digitized
// binary images by border following"), written from the paper: a raster scan starts a border at
// each 0->1 (outer) or 1->0 (hole) transition not yet followed, and follows it around with the
// 8-neighbourhood, marking the pixels so that no border is followed twice.

export interface SliceContour {
  /** Polygon vertices as [column, row] voxel indices, in border order (not repeated at the end). */
  points: [number, number][]
  /** A hole's border (the region's voxels around a hole); false for a region's outer border. */
  hole: boolean
}

// The 8 neighbours clockwise on screen (row grows downwards): E, SE, S, SW, W, NW, N, NE.
const DR = [0, 1, 1, 1, 0, -1, -1, -1]
const DC = [1, 1, 0, -1, -1, -1, 0, 1]

function directionOf(dr: number, dc: number): number {
  for (let d = 0; d < 8; d++) if (DR[d] === dr && DC[d] === dc) return d
  throw new Error(`not a neighbour: ${dr}, ${dc}`)
}

/**
 * Every border of the non-zero voxels of a `columns` x `rows` slice (index row * columns + column).
 * Straight runs are kept only at their ends (the polygon is the same).
 */
export function traceSliceContours(mask: ArrayLike<number>, columns: number, rows: number): SliceContour[] {
  // A frame of zeros around the slice, so borders touching the edge are followed like the others.
  const W = columns + 2
  const H = rows + 2
  const f = new Int32Array(W * H)
  let any = false
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      if (mask[r * columns + c]) {
        f[(r + 1) * W + c + 1] = 1
        any = true
      }
    }
  }
  if (!any) return []
  const out: SliceContour[] = []
  let nbd = 1
  for (let i = 1; i < H - 1; i++) {
    for (let j = 1; j < W - 1; j++) {
      const at = i * W + j
      const fij = f[at]!
      if (fij === 0) continue
      const outer = fij === 1 && f[at - 1] === 0
      const hole = !outer && fij >= 1 && f[at + 1] === 0
      if (!outer && !hole) continue
      nbd++
      const points = follow(f, W, i, j, outer ? i : i, outer ? j - 1 : j + 1, nbd)
      out.push({ points: simplify(points.map(([r, c]) => [c - 1, r - 1] as [number, number])), hole })
    }
  }
  return out
}

/** Follows one border from (i, j), entered from its zero neighbour (i2, j2); returns its pixels [row, column]. */
function follow(f: Int32Array, W: number, i: number, j: number, i2: number, j2: number, nbd: number): [number, number][] {
  // Clockwise from the zero neighbour for the first non-zero pixel.
  const start = directionOf(i2 - i, j2 - j)
  let first = -1
  for (let k = 0; k < 8; k++) {
    const d = (start + k) % 8
    if (f[(i + DR[d]!) * W + j + DC[d]!] !== 0) {
      first = d
      break
    }
  }
  if (first < 0) {
    f[i * W + j] = -nbd
    // An isolated voxel: a closed contour of one point, written twice, because readers that build
    // a polygon from the points (rt-utils through OpenCV's fillPoly) fail on a single vertex.
    return [
      [i, j],
      [i, j],
    ]
  }
  const i1 = i + DR[first]!
  const j1 = j + DC[first]!
  let pi = i1 // the previous pixel of the border (i2, j2 in the paper)
  let pj = j1
  let ci = i // the current one (i3, j3)
  let cj = j
  const points: [number, number][] = []
  for (;;) {
    // Counterclockwise around the current pixel, starting after the previous one.
    const from = directionOf(pi - ci, pj - cj)
    let eastZero = false
    let ni = ci
    let nj = cj
    for (let k = 1; k <= 8; k++) {
      const d = (from - k + 16) % 8
      const ri = ci + DR[d]!
      const rj = cj + DC[d]!
      if (f[ri * W + rj] !== 0) {
        ni = ri
        nj = rj
        break
      }
      if (d === 0) eastZero = true
    }
    const cur = ci * W + cj
    if (eastZero) f[cur] = -nbd
    else if (f[cur] === 1) f[cur] = nbd
    points.push([ci, cj])
    if (ni === i && nj === j && ci === i1 && cj === j1) break
    pi = ci
    pj = cj
    ci = ni
    cj = nj
  }
  return points
}

/** Drops the vertices in the middle of straight runs (same step in and out); spikes and corners stay. */
function simplify(points: [number, number][]): [number, number][] {
  const n = points.length
  if (n < 3) return points
  const kept: [number, number][] = []
  for (let k = 0; k < n; k++) {
    const a = points[(k - 1 + n) % n]!
    const b = points[k]!
    const c = points[(k + 1) % n]!
    if (b[0] - a[0] === c[0] - b[0] && b[1] - a[1] === c[1] - b[1]) continue
    kept.push(b)
  }
  return kept.length ? kept : [points[0]!]
}
