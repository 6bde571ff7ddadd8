// The label editor's bookkeeping, apart from NiiVue and React: what one edit changed (a sparse
// list of voxels with their values before and after), undo and redo over as many edits as the
// user makes (NiiVue keeps a few whole-volume snapshots; a sparse step costs only what it touched),
// the region fill of one slice, and the runs the save sends (the file's own voxel order).
//
// Bitmaps here are NiiVue's drawing layer: one byte per voxel in its RAS-ordered grid (x fastest,
// dims = back.dimsRAS[1..3]). The file's order is reached through NVImage.img2RASstep/start.

/** What one edit changed: RAS-order voxel indices, ascending, with their values before and after. */
export interface EditStep {
  index: Uint32Array
  before: Uint8Array
  after: Uint8Array
}

/** The voxels where `now` differs from `was` (same length); null when nothing changed. */
export function diffBitmaps(was: Uint8Array, now: Uint8Array): EditStep | null {
  const n = Math.min(was.length, now.length)
  // Compare four voxels at a time where both arrays allow a 32-bit view: most of a volume is unchanged.
  const aligned = was.byteOffset % 4 === 0 && now.byteOffset % 4 === 0
  const words = aligned ? n >> 2 : 0
  const a32 = aligned ? new Uint32Array(was.buffer, was.byteOffset, words) : null
  const b32 = aligned ? new Uint32Array(now.buffer, now.byteOffset, words) : null
  const idx: number[] = []
  for (let w = 0; w < words; w++) {
    if (a32![w] === b32![w]) continue
    for (let i = w << 2; i < (w << 2) + 4; i++) if (was[i] !== now[i]) idx.push(i)
  }
  for (let i = words << 2; i < n; i++) if (was[i] !== now[i]) idx.push(i)
  if (idx.length === 0) return null
  const index = Uint32Array.from(idx)
  const before = new Uint8Array(index.length)
  const after = new Uint8Array(index.length)
  for (let k = 0; k < index.length; k++) {
    before[k] = was[index[k]!]!
    after[k] = now[index[k]!]!
  }
  return { index, before, after }
}

/** Writes one side of a step into a bitmap. */
export function applyStep(bitmap: Uint8Array, step: EditStep, side: 'before' | 'after'): void {
  const values = step[side]
  for (let k = 0; k < step.index.length; k++) bitmap[step.index[k]!] = values[k]!
}

/** Voxels per value (0..255) of a bitmap: one pass. */
export function valueCounts(bitmap: Uint8Array): Uint32Array {
  const per = new Uint32Array(256)
  for (let i = 0; i < bitmap.length; i++) per[bitmap[i]!]! += 1
  return per
}

/** Moves a step's voxels between values in `counts`, forward (to `after`) or back (to `before`). */
function countStep(counts: Uint32Array, step: EditStep, to: 'before' | 'after'): void {
  const from = to === 'after' ? step.before : step.after
  const into = step[to]
  for (let k = 0; k < from.length; k++) {
    counts[from[k]!]! -= 1
    counts[into[k]!]! += 1
  }
}

/**
 * Undo and redo over sparse steps. `shown` mirrors the drawing as last committed: a new edit is
 * what differs from it, so strokes NiiVue ends without telling (the mouse leaving the canvas) are
 * still caught at the next commit.
 */
export class EditHistory {
  private readonly done: EditStep[] = []
  private readonly undone: EditStep[] = []
  private shown: Uint8Array
  /** Voxels per value in the drawing as last committed, kept by each step (no pass over the volume per edit). */
  readonly counts: Uint32Array

  constructor(initial: Uint8Array) {
    this.shown = initial.slice()
    this.counts = valueCounts(initial)
  }

  /** Records what changed in `bitmap` since the last commit; false when nothing did. */
  commit(bitmap: Uint8Array): boolean {
    const step = diffBitmaps(this.shown, bitmap)
    if (!step) return false
    applyStep(this.shown, step, 'after')
    countStep(this.counts, step, 'after')
    this.done.push(step)
    this.undone.length = 0
    return true
  }

  /** Takes the last edit back out of `bitmap` (after committing any pending stroke); false when there is none. */
  undo(bitmap: Uint8Array): boolean {
    this.commit(bitmap)
    const step = this.done.pop()
    if (!step) return false
    applyStep(bitmap, step, 'before')
    applyStep(this.shown, step, 'before')
    countStep(this.counts, step, 'before')
    this.undone.push(step)
    return true
  }

  redo(bitmap: Uint8Array): boolean {
    const step = this.undone.pop()
    if (!step) return false
    applyStep(bitmap, step, 'after')
    applyStep(this.shown, step, 'after')
    countStep(this.counts, step, 'after')
    this.done.push(step)
    return true
  }

  get canUndo(): boolean {
    return this.done.length > 0
  }

  get canRedo(): boolean {
    return this.undone.length > 0
  }

  get steps(): number {
    return this.done.length
  }
}

/** How a RAS-ordered drawing maps onto the file's voxel order (NVImage dimsRAS, img2RASstep, img2RASstart). */
export interface RasLayout {
  dims: [number, number, number]
  step: [number, number, number]
  start: [number, number, number]
}

/** The file-order index of RAS-order index `i`. */
export function nativeIndex(layout: RasLayout, i: number): number {
  const [nx, ny] = layout.dims
  const x = i % nx
  const y = Math.floor(i / nx) % ny
  const z = Math.floor(i / (nx * ny))
  return layout.start[0] + layout.start[1] + layout.start[2] + x * layout.step[0] + y * layout.step[1] + z * layout.step[2]
}

export interface ChangeRun {
  start: number
  length: number
  value: number
}

/** The voxels where `now` differs from `original`, as runs in the file's order (what saveLabelEdit takes). */
export function changeRuns(original: Uint8Array, now: Uint8Array, layout: RasLayout): ChangeRun[] {
  const step = diffBitmaps(original, now)
  if (!step) return []
  const order = Array.from(step.index, (i, k) => ({ at: nativeIndex(layout, i), value: step.after[k]! }))
  order.sort((a, b) => a.at - b.at)
  const runs: ChangeRun[] = []
  for (const { at, value } of order) {
    const last = runs[runs.length - 1]
    if (last && last.start + last.length === at && last.value === value) last.length++
    else runs.push({ start: at, length: 1, value })
  }
  return runs
}

/** Runs as the request carries them: base64 of little-endian uint32 triples. */
export function encodeRuns(runs: readonly ChangeRun[]): string {
  const bytes = new Uint8Array(runs.length * 12)
  const view = new DataView(bytes.buffer)
  runs.forEach((r, k) => {
    view.setUint32(k * 12, r.start, true)
    view.setUint32(k * 12 + 4, r.length, true)
    view.setUint32(k * 12 + 8, r.value, true)
  })
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

/**
 * Fills the 4-connected region of the seed's value on one slice (axis 0, 1 or 2 held at the
 * seed's coordinate) with `value`: a closed outline drawn with the pen is filled by clicking
 * inside it, as ITK-SNAP's and Slicer's fill do. Returns the voxels filled.
 */
export function fillSliceRegion(bitmap: Uint8Array, dims: [number, number, number], seed: [number, number, number], axis: 0 | 1 | 2, value: number): number {
  const [nx, ny] = dims
  const at = (x: number, y: number, z: number) => x + nx * (y + ny * z)
  const target = bitmap[at(...seed)]
  if (target === undefined || target === value) return 0
  // The two in-plane axes.
  const [u, v] = ([0, 1, 2] as const).filter((a) => a !== axis) as [0 | 1 | 2, 0 | 1 | 2]
  const stack: [number, number, number][] = [seed]
  let filled = 0
  while (stack.length) {
    const p = stack.pop()!
    const i = at(...p)
    if (bitmap[i] !== target) continue
    bitmap[i] = value
    filled++
    for (const [a, d] of [
      [u, 1],
      [u, -1],
      [v, 1],
      [v, -1],
    ] as const) {
      const q: [number, number, number] = [p[0], p[1], p[2]]
      q[a] += d
      if (q[a] >= 0 && q[a] < dims[a]) stack.push(q)
    }
  }
  return filled
}
