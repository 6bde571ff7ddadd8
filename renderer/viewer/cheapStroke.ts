// A pen stroke in the label editor costs what it touches, not the whole volume. Measured under
// SwiftShader on a 512x512x160 scan, NiiVue answers each pen move by uploading the entire drawing
// bitmap to its 3D texture again (42 MB: ~40 ms a move, up to 100 ms) after scanning it for any
// voxel (for its smoothed-drawing option), draws the scene twice per move, and at mouse-up
// run-length encodes the whole bitmap for its own undo. makeStrokesCheap changes three things on
// one NiiVue instance:
// - the box of voxels its pen wrote since the last upload (drawPt / drawPenLine, the only writes of
//   a stroke) is kept, and the refresh that follows uploads only that box; every other refresh
//   (undo, fill, grow, load, the filled outline at mouse-up) keeps NiiVue's whole-volume path;
// - while the mouse is down on the drawing, scene draws wait for the next animation frame, so the
//   moves of one frame are drawn once;
// - NiiVue's whole-volume undo snapshots are skipped: the editor keeps its own sparse history
//   (labelEdits.ts EditHistory), and NiiVue's undo is never called.
//
// Coordinates are NiiVue's drawing grid: x fastest, dims = back.dims[1..3], as its pen indexes them.
import type { Niivue } from '@niivue/niivue'

/** An inclusive voxel box [x0, y0, z0, x1, y1, z1]. */
export type VoxelBox = [number, number, number, number, number, number]

/**
 * The box a pen mark at `points` covers: NiiVue's pen paints a square of floor(penSize / 2) voxels
 * either side of each point in the slice drawn on; the box takes that margin on every axis (a
 * little more than needed off-plane, never less), clamped to the grid. Null for no points.
 */
export function penBox(points: readonly (readonly number[])[], penSize: number, dims: readonly [number, number, number]): VoxelBox | null {
  if (points.length === 0) return null
  const half = Math.max(0, Math.floor(penSize / 2))
  const box: VoxelBox = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]
  for (const p of points) {
    for (let a = 0; a < 3; a++) {
      const v = Math.round(p[a]!)
      box[a] = Math.min(box[a]!, v - half)
      box[a + 3] = Math.max(box[a + 3]!, v + half)
    }
  }
  for (let a = 0; a < 3; a++) {
    box[a] = Math.max(0, Math.min(dims[a]! - 1, box[a]!))
    box[a + 3] = Math.max(0, Math.min(dims[a]! - 1, box[a + 3]!))
  }
  return box
}

/** The smallest box holding both (either may be null). */
export function unionBox(a: VoxelBox | null, b: VoxelBox | null): VoxelBox | null {
  if (!a) return b
  if (!b) return a
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3]), Math.max(a[4], b[4]), Math.max(a[5], b[5])]
}

/** Voxels in a box. */
export function boxVoxels(b: VoxelBox): number {
  return (b[3] - b[0] + 1) * (b[4] - b[1] + 1) * (b[5] - b[2] + 1)
}

/** Copies a box of `bitmap` (x fastest) into `out` (row by row, x fastest), the layout texSubImage3D reads. */
export function copyBox(bitmap: Uint8Array, dims: readonly [number, number, number], b: VoxelBox, out: Uint8Array): Uint8Array {
  const [nx, ny] = dims
  const w = b[3] - b[0] + 1
  let o = 0
  for (let z = b[2]; z <= b[5]; z++) {
    for (let y = b[1]; y <= b[4]; y++) {
      const from = b[0] + nx * (y + ny * z)
      out.set(bitmap.subarray(from, from + w), o)
      o += w
    }
  }
  return out
}

// NiiVue's drawing texture unit (TEXTURE_CONSTANTS.TEXTURE7_DRAW = gl.TEXTURE7).
const DRAW_TEXTURE_UNIT = 0x84c0 + 7

/** The members of a NiiVue instance this module reads and wraps (public fields, loosely typed in NiiVue). */
interface PenInternals {
  gl: WebGL2RenderingContext
  back: { dims?: number[] } | null
  drawBitmap: Uint8Array | null
  drawTexture: WebGLTexture | null
  uiData: { mousedown?: boolean }
  opts: { penSize: number; is2DSliceShader?: boolean; smoothDrawing?: number; clickToSegment?: boolean; drawingEnabled?: boolean }
  drawPt(x: number, y: number, z: number, penValue: number, drawBitmap?: Uint8Array | null): void
  drawPenLine(ptA: number[], ptB: number[], penValue: number): void
  refreshDrawing(isForceRedraw?: boolean, useClickToSegmentBitmap?: boolean): void
  drawScene(): string | void
  drawAddUndoBitmap(drawFillOverwrites?: boolean): void
}

export interface StrokeStats {
  /** Refreshes that uploaded only the pen's box, and the voxels they sent. */
  partial: number
  partialVoxels: number
  /** Refreshes left to NiiVue (whole volume). */
  full: number
  /** Scene draws asked for during strokes, and those drawn (at most one per animation frame). */
  drawsAsked: number
  drawsDone: number
  /** Milliseconds those draws took in all and at most (NiiVue's drawScene ends with gl.finish: the GPU's part included). */
  drawMs: number
  drawMsMax: number
}

const installed = new WeakMap<object, StrokeStats>()

/**
 * Makes `niivue`'s pen strokes cheap (see the top of this file). Idempotent per instance; returns
 * counters the e2e spec and the bench read to see which path ran.
 */
export function makeStrokesCheap(niivue: Niivue): StrokeStats {
  const known = installed.get(niivue)
  if (known) return known
  const nv = niivue as unknown as PenInternals
  const stats: StrokeStats = { partial: 0, partialVoxels: 0, full: 0, drawsAsked: 0, drawsDone: 0, drawMs: 0, drawMsMax: 0 }
  installed.set(niivue, stats)
  let pending: VoxelBox | null = null
  let scratch = new Uint8Array(0)
  const dims3 = (): [number, number, number] | null => {
    const d = nv.back?.dims
    return d && d.length > 3 ? [d[1]!, d[2]!, d[3]!] : null
  }
  const drawPt = nv.drawPt.bind(nv)
  const drawPenLine = nv.drawPenLine.bind(nv)
  const refreshDrawing = nv.refreshDrawing.bind(nv)
  const drawScene = nv.drawScene.bind(nv)
  const drawAddUndoBitmap = nv.drawAddUndoBitmap.bind(nv)

  nv.drawPt = (x, y, z, penValue, target = null) => {
    drawPt(x, y, z, penValue, target)
    const d = dims3()
    // A write into another bitmap (click-to-segment's preview) is not the drawing.
    if (d && (target === null || target === nv.drawBitmap)) pending = unionBox(pending, penBox([[x, y, z]], nv.opts.penSize, d))
  }
  nv.drawPenLine = (ptA, ptB, penValue) => {
    drawPenLine(ptA, ptB, penValue)
    const d = dims3()
    if (d) pending = unionBox(pending, penBox([ptA, ptB], nv.opts.penSize, d))
  }
  nv.refreshDrawing = (isForceRedraw = true, useClickToSegmentBitmap = false) => {
    const box = pending
    pending = null
    const d = dims3()
    const bitmap = nv.drawBitmap
    const simple = !useClickToSegmentBitmap && !nv.opts.clickToSegment && !nv.opts.is2DSliceShader && !(Number(nv.opts.smoothDrawing) > 0)
    if (!box || !d || !bitmap || !nv.drawTexture || !simple || bitmap.length !== d[0] * d[1] * d[2]) {
      stats.full++
      refreshDrawing(isForceRedraw, useClickToSegmentBitmap)
      return
    }
    const n = boxVoxels(box)
    if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2))
    const data = copyBox(bitmap, d, box, scratch.subarray(0, n))
    const gl = nv.gl
    gl.activeTexture(DRAW_TEXTURE_UNIT)
    gl.bindTexture(gl.TEXTURE_3D, nv.drawTexture)
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1)
    gl.texSubImage3D(gl.TEXTURE_3D, 0, box[0], box[1], box[2], box[3] - box[0] + 1, box[4] - box[1] + 1, box[5] - box[2] + 1, gl.RED, gl.UNSIGNED_BYTE, data)
    stats.partial++
    stats.partialVoxels += n
    if (isForceRedraw) nv.drawScene()
  }

  let frame = 0
  nv.drawScene = () => {
    if (!(nv.uiData.mousedown && nv.opts.drawingEnabled)) {
      if (frame) {
        cancelAnimationFrame(frame)
        frame = 0
      }
      return drawScene()
    }
    stats.drawsAsked++
    if (!frame)
      frame = requestAnimationFrame(() => {
        frame = 0
        stats.drawsDone++
        const t0 = performance.now()
        drawScene()
        const ms = performance.now() - t0
        stats.drawMs += ms
        stats.drawMsMax = Math.max(stats.drawMsMax, ms)
      })
  }

  nv.drawAddUndoBitmap = (drawFillOverwrites = true) => {
    // Without overwriting, NiiVue merges the fill with its last snapshot: that needs its history.
    if (!drawFillOverwrites) drawAddUndoBitmap(drawFillOverwrites)
  }
  return stats
}
