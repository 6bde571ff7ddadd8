// The label editor's region tools on one NiiVue instance: where a click landed (the voxel and the
// slice's axis), the threshold fill from a seed (shared/thresholdFill.ts) and the grow-cut from
// seeds (shared/growCut.ts, on the CPU: NiiVue's GPU drawGrowCut took ~70 s under SwiftShader on
// a 122x101x30 CT, blocking the page, and came out striped). Each changes NiiVue's
// drawing bitmap in place and redraws; the editor then commits the change to its undo history.
import type { Niivue } from '@niivue/niivue'
import { growCut, seedPlane } from '../../shared/growCut'
import { growCutProblem } from '../../shared/growCutSeeds'
import { scaledIntensities, thresholdFill } from '../../shared/thresholdFill'

type Dims = [number, number, number]

/** The drawing grid (NiiVue's RAS-ordered dims). */
export function drawDims(n: Niivue): Dims | null {
  const d = n.back?.dimsRAS
  return d && d.length > 3 ? [d[1]!, d[2]!, d[3]!] : null
}

/** The voxel under a click on a 2D tile, and the axis its slice holds (0 sagittal, 1 coronal, 2 axial); null off the slices. */
export function clickedVoxel(n: Niivue, canvas: HTMLCanvasElement, clientX: number, clientY: number): { voxel: Dims; axis: 0 | 1 | 2 } | null {
  const rect = canvas.getBoundingClientRect()
  const dpr = n.uiData.dpr ?? window.devicePixelRatio
  const x = (clientX - rect.left) * dpr
  const y = (clientY - rect.top) * dpr
  const tile = n.screenSlices.find((t) => {
    const [l, tp, w, h] = t.leftTopWidthHeight
    return x >= l! && x <= l! + w! && y >= tp! && y <= tp! + h!
  })
  if (!tile || tile.axCorSag > 2) return null
  const frac = n.canvasPos2frac([x, y])
  if (frac[0]! < 0) return null
  const v = n.frac2vox(frac)
  return { voxel: [v[0]!, v[1]!, v[2]!], axis: (2 - tile.axCorSag) as 0 | 1 | 2 }
}

// The scan's values in the drawing's order, as shown (scaled), kept per loaded volume.
const intensityCache = new WeakMap<object, ArrayLike<number>>()

/** The scan's intensities in the drawing's order (NIfTI scaling applied). */
export function scanIntensities(n: Niivue): ArrayLike<number> | null {
  const back = n.back
  if (!back?.img) return null
  const known = intensityCache.get(back)
  if (known) return known
  const got = scaledIntensities(back.img2RAS() as ArrayLike<number>, Number(back.hdr?.scl_slope), Number(back.hdr?.scl_inter))
  intensityCache.set(back, got)
  return got
}

/** The scan's value at a drawing voxel. */
export function intensityAt(n: Niivue, v: Dims): number | null {
  const d = drawDims(n)
  const img = scanIntensities(n)
  if (!d || !img) return null
  return img[v[0] + d[0] * (v[1] + d[1] * v[2])] ?? null
}

export interface ThresholdOptions {
  lo: number
  hi: number
  value: number
  /** true: the clicked slice only; false: through the volume. */
  is2D: boolean
}

/** Fills from a clicked voxel; returns the voxels changed. */
export function thresholdFillAt(n: Niivue, click: { voxel: Dims; axis: 0 | 1 | 2 }, o: ThresholdOptions): number {
  const d = drawDims(n)
  const img = scanIntensities(n)
  const bmp = n.drawBitmap
  if (!d || !img || !bmp) return 0
  const filled = thresholdFill({ intensity: img, labels: bmp, dims: d, seed: click.voxel, lo: o.lo, hi: o.hi, value: o.value, planeAxis: o.is2D ? click.axis : null })
  if (filled > 0) {
    n.refreshDrawing(true)
    n.drawScene()
  }
  return filled
}

/**
 * The grow-cut from the seeds in the drawing (object: the active label; background: `seed`): on
 * the background seeds' slice when they lie on one (2D), else through their box (3D). Returns the
 * voxels changed and whether it ran in 2D, or why it could not run.
 */
export function growCutFromSeeds(n: Niivue, active: number, seed: number): { changed: number; grown: number; is2D: boolean } | { problem: string } {
  const d = drawDims(n)
  const img = scanIntensities(n)
  const bmp = n.drawBitmap
  if (!d || !img || !bmp) return { problem: 'The case is not loaded yet.' }
  const problem = growCutProblem(bmp, active, seed)
  if (problem) return { problem }
  const planeAxis = seedPlane(bmp, d, seed)
  const r = growCut({ intensity: img, labels: bmp, dims: d, active, background: seed, planeAxis })
  if (!r.box) return { problem: "Paint a seed inside the structure with the active label on the background seeds' slice first." }
  if (r.changed > 0) {
    n.refreshDrawing(true)
    n.drawScene()
  }
  return { changed: r.changed, grown: r.grown, is2D: planeAxis !== null }
}
