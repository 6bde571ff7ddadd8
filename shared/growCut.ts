// Grow-cut from seeds in the label editor (issue 21 item 2): the GrowCut cellular automaton of
// Vezhnevets & Konouchine (2005), written from the paper, run on the CPU over the scan.
//
// Every voxel holds a label and a strength in [0, 1]. Seeds (the active label's voxels and the
// background seeds) hold strength 1; free voxels start unlabelled at 0. A voxel p is conquered by
// a neighbour q when g(|I_p - I_q|) * strength_q > strength_p, with g(x) = 1 - x / R and R the
// largest intensity difference inside the box worked on: p then takes q's label and that product
// as its strength. Seeds can never be conquered (g <= 1), so the automaton settles; each voxel
// ends with the seed whose path to it loses least strength across intensity edges.
//
// Instead of sweeping the whole box until nothing changes, the cells act one at a time, the
// strongest changed cell first (a heap of the cells whose strength rose): the automaton's fixed
// point is the same (each cell ends with the strongest product of g along a path from a seed),
// but a cell acts again only when a stronger attacker reached it, so most act once (sweeps over a
// noisy 512x512 slice visited each cell about 11 times).
//
// What is worked on: the box of the seeds grown by `margin` voxels; in 2D (as threshold fill's 2D
// option) only the background seeds' slice across `planeAxis`, each slice its own automaton (no
// step across that axis; seedPlane says which axis the seeds were painted on). Voxels of other
// labels are walls, neither conquered nor passed through. What is written: the free voxels the
// active label won take it, background seeds become background (0), every other voxel stays.
// Arrays are one value per voxel, x fastest (NiiVue's drawing grid and the scan in the same order).

export interface GrowCutRequest {
  /** The scan's intensities (scaled as shown: Hounsfield units for CT), one per voxel. */
  intensity: ArrayLike<number>
  /** The label map: object seeds are the active label's voxels, background seeds hold `background`. Written in place. */
  labels: Uint8Array
  dims: readonly [number, number, number]
  /** The label that grows. */
  active: number
  /** The value background seeds are painted with (no label: growCutSeeds.backgroundSeedValue). */
  background: number
  /** 0, 1 or 2: only the background seeds' slice(s) across that axis, each on its own (2D; seedPlane); null: through the volume (3D). */
  planeAxis: 0 | 1 | 2 | null
  /** Voxels added around the seeds' box on each side (in-plane only in 2D). Default 8. */
  margin?: number
}

/** An inclusive voxel box [x0, y0, z0, x1, y1, z1]. */
export type VoxelBox = [number, number, number, number, number, number]

export interface GrowCutResult {
  /** Voxels whose label changed (won by the active label, and background seeds cleared). */
  changed: number
  /** Free voxels the active label won. */
  grown: number
  /** Cells that acted (conquered or tried to) before nothing changed. */
  visits: number
  /** The box worked on; null when there were not both kinds of seed. */
  box: VoxelBox | null
}

/** The box around every voxel holding one of `values` (only those inside `within` when given); null when none does. */
export function seedBox(labels: Uint8Array, dims: readonly [number, number, number], values: readonly number[], within?: VoxelBox): VoxelBox | null {
  const want = new Uint8Array(256)
  for (const v of values) want[v] = 1
  const [nx, ny, nz] = dims
  const [wx0, wy0, wz0, wx1, wy1, wz1] = within ?? [0, 0, 0, nx - 1, ny - 1, nz - 1]
  let box: VoxelBox | null = null
  for (let z = wz0; z <= wz1; z++)
    for (let y = wy0; y <= wy1; y++)
      for (let x = wx0, i = x + nx * (y + ny * z); x <= wx1; x++, i++) {
        if (!want[labels[i]!]) continue
        if (!box) box = [x, y, z, x, y, z]
        else {
          if (x < box[0]) box[0] = x
          if (y < box[1]) box[1] = y
          if (z < box[2]) box[2] = z
          if (x > box[3]) box[3] = x
          if (y > box[4]) box[4] = y
          if (z > box[5]) box[5] = z
        }
      }
  return box
}

/**
 * The axis the background seeds were painted across (the one along which they all lie on one
 * slice; axial first), for a 2D grow-cut on that slice; null when they span slices (3D) or there are none.
 */
export function seedPlane(labels: Uint8Array, dims: readonly [number, number, number], background: number): 0 | 1 | 2 | null {
  const b = seedBox(labels, dims, [background])
  if (!b) return null
  for (const a of [2, 1, 0] as const) if (b[a] === b[a + 3]) return a
  return null
}

// Cell states inside the box.
const FREE = 0
const OBJECT = 1
const BACKGROUND = 2
const WALL = 3

/** Runs the grow-cut and writes its answer into `labels` (see the top of this file). */
export function growCut(req: GrowCutRequest): GrowCutResult {
  const { intensity, labels, dims, active, background, planeAxis } = req
  const margin = Math.max(0, Math.floor(req.margin ?? 8))
  const backgrounds = seedBox(labels, dims, [background])
  if (!backgrounds || active === background) return { changed: 0, grown: 0, visits: 0, box: null }
  // In 2D only the object seeds on the background seeds' slice count.
  const within: VoxelBox = [0, 0, 0, dims[0] - 1, dims[1] - 1, dims[2] - 1]
  if (planeAxis !== null) {
    within[planeAxis] = backgrounds[planeAxis]!
    within[planeAxis + 3] = backgrounds[planeAxis + 3]!
  }
  const objects = seedBox(labels, dims, [active], within)
  if (!objects) return { changed: 0, grown: 0, visits: 0, box: null }
  // The box of both kinds of seed; in 2D only the background seeds' slices (the active label may
  // already span many slices: its other slices have no background to stop it).
  const box: VoxelBox = [0, 0, 0, 0, 0, 0]
  for (let a = 0; a < 3; a++) {
    if (a === planeAxis) {
      box[a] = backgrounds[a]!
      box[a + 3] = backgrounds[a + 3]!
    } else {
      box[a] = Math.max(0, Math.min(objects[a]!, backgrounds[a]!) - margin)
      box[a + 3] = Math.min(dims[a]! - 1, Math.max(objects[a + 3]!, backgrounds[a + 3]!) + margin)
    }
  }
  const [bx, by, bz] = [box[3] - box[0] + 1, box[4] - box[1] + 1, box[5] - box[2] + 1]
  const [nx, ny] = dims
  // The box copied out with a one-voxel frame of walls around it (no bounds checks per step):
  // intensities, states and strengths, x fastest.
  const [px, py] = [bx + 2, by + 2]
  const n = px * py * (bz + 2)
  const value = new Float32Array(n)
  const state = new Uint8Array(n).fill(WALL)
  const strength = new Float32Array(n)
  const inner = (x: number, y: number, z: number) => x + 1 + px * (y + 1 + py * (z + 1))
  let lo = Infinity
  let hi = -Infinity
  let hasObject = false
  let hasBackground = false
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      let i = box[0] + nx * (box[1] + y + ny * (box[2] + z))
      let k = inner(0, y, z)
      for (let x = 0; x < bx; x++, k++, i++) {
        const v = intensity[i]!
        value[k] = v
        if (v < lo) lo = v
        if (v > hi) hi = v
        const l = labels[i]!
        if (l === 0) state[k] = FREE
        else if (l === active) {
          state[k] = OBJECT
          strength[k] = 1
          hasObject = true
        } else if (l === background) {
          state[k] = BACKGROUND
          strength[k] = 1
          hasBackground = true
        }
      }
    }
  if (!hasObject || !hasBackground) return { changed: 0, grown: 0, visits: 0, box: null }
  // g(x) = 1 - x / R; a flat box (R = 0) conquers at full strength: distance alone decides.
  const inv = hi > lo ? 1 / (hi - lo) : 0

  // The neighbours' offsets: face neighbours, none across the slice in 2D.
  const steps: number[] = []
  if (planeAxis !== 0) steps.push(-1, 1)
  if (planeAxis !== 1) steps.push(-px, px)
  if (planeAxis !== 2) steps.push(-px * py, px * py)
  const around = Int32Array.from(steps)
  const m = around.length
  // The cells waiting to act, strongest first; a cell is pushed again when its strength rises, and
  // an entry older than its cell's strength now is skipped.
  const heap = new StrengthHeap(n)
  for (let k = 0; k < n; k++) if (state[k] === OBJECT || state[k] === BACKGROUND) heap.push(k, 1)
  let visits = 0
  while (heap.size > 0) {
    const sq = heap.topStrength()
    const q = heap.pop()
    if (sq !== strength[q]) continue
    visits++
    const lq = state[q]!
    const vq = value[q]!
    // q tries to conquer each neighbour p.
    for (let j = 0; j < m; j++) {
      const p = q + around[j]!
      if (state[p] === WALL) continue
      const d = value[p]! - vq
      const won = Math.fround((1 - (d < 0 ? -d : d) * inv) * sq)
      if (won > strength[p]!) {
        strength[p] = won
        state[p] = lq
        heap.push(p, won)
      }
    }
  }

  // The answer written back: free voxels won by the object take the active label; background
  // seeds anywhere in the map become background (they are no label).
  let grown = 0
  for (let z = 0; z < bz; z++)
    for (let y = 0; y < by; y++) {
      let i = box[0] + nx * (box[1] + y + ny * (box[2] + z))
      let k = inner(0, y, z)
      for (let x = 0; x < bx; x++, k++, i++) {
        if (labels[i] === 0 && state[k] === OBJECT) {
          labels[i] = active
          grown++
        }
      }
    }
  let changed = grown
  for (let i = 0; i < labels.length; i++)
    if (labels[i] === background) {
      labels[i] = 0
      changed++
    }
  return { changed, grown, visits, box }
}

/** A binary max-heap of cells by strength (typed arrays, grown as needed). */
class StrengthHeap {
  private keys: Float32Array
  private cells: Int32Array
  size = 0
  constructor(capacity: number) {
    this.keys = new Float32Array(Math.max(16, capacity))
    this.cells = new Int32Array(Math.max(16, capacity))
  }
  push(cell: number, key: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float32Array(this.size * 2)
      keys.set(this.keys)
      const cells = new Int32Array(this.size * 2)
      cells.set(this.cells)
      this.keys = keys
      this.cells = cells
    }
    const { keys, cells } = this
    let i = this.size++
    while (i > 0) {
      const up = (i - 1) >> 1
      if (keys[up]! >= key) break
      keys[i] = keys[up]!
      cells[i] = cells[up]!
      i = up
    }
    keys[i] = key
    cells[i] = cell
  }
  topStrength(): number {
    return this.keys[0]!
  }
  /** Removes the strongest cell and returns it. */
  pop(): number {
    const { keys, cells } = this
    const top = cells[0]!
    const n = --this.size
    const key = keys[n]!
    const cell = cells[n]!
    let i = 0
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      if (c + 1 < n && keys[c + 1]! > keys[c]!) c++
      if (keys[c]! <= key) break
      keys[i] = keys[c]!
      cells[i] = cells[c]!
      i = c
    }
    keys[i] = key
    cells[i] = cell
    return top
  }
}
