// One scored case's surface figures: reads its reference and prediction label maps and measures
// HD95 and NSD per label (surfaceDistance.ts) on the reference's own spacing. Runs in a worker
// thread of the volume pool (itk-wasm blocks the thread that reads), one case per task.
import type { SurfaceFigures } from '../../shared/api'
import { compareGeometry, describeDifference } from '../imaging/geometry'
import { as3d, readVolume, type Volume } from '../imaging/volume'
import { maskOf, surfaceScore } from './surfaceDistance'

export interface SurfaceTask {
  reference: string
  prediction: string
  /** Each label with the values that make it (a region: several) and its NSD tolerance in mm. */
  labels: { name: string; values: number[]; tolerance: number }[]
}

export interface SurfaceCaseResult {
  /** Label name -> figures. */
  figures: Record<string, SurfaceFigures>
  /** The reference's spacing (mm, x y z) the distances were measured on. */
  spacing: number[]
}

async function labelMap(file: string, what: string): Promise<Volume & { data: NonNullable<Volume['data']> }> {
  const v = as3d(await readVolume(file))
  if (!v || !v.data) throw new Error(`The ${what} ${file} is not a 3D volume; surface distances need a 3D label map.`)
  if (v.data instanceof BigInt64Array || v.data instanceof BigUint64Array || v.components !== 1) throw new Error(`The ${what} ${file} is a ${v.componentType} ${v.pixelType} image, not a label map of integer values.`)
  return v as Volume & { data: NonNullable<Volume['data']> }
}

/** JSON has no Infinity or NaN: an empty side is said in `empty` and the figure is null. */
export function figuresOf(s: { hd95: number; nsd: number; tolerance: number; empty?: SurfaceFigures['empty'] }): SurfaceFigures {
  const finite = (x: number) => (Number.isFinite(x) ? x : null)
  return { hd95: finite(s.hd95), nsd: finite(s.nsd), tolerance: s.tolerance, ...(s.empty && { empty: s.empty }) }
}

export async function surfaceCase(task: SurfaceTask): Promise<SurfaceCaseResult> {
  const ref = await labelMap(task.reference, 'reference')
  const pred = await labelMap(task.prediction, 'prediction')
  const differences = compareGeometry(ref, pred)
  if (differences.length) throw new Error(`The prediction ${task.prediction} is not on its reference's grid (${task.reference}): ${differences.map(describeDifference).join('; ').replaceAll('mask', 'prediction')}. Surface distances need both on one grid, as nnU-Net writes them.`)
  const size = ref.size as [number, number, number]
  const spacing = ref.spacing as [number, number, number]
  const figures: Record<string, SurfaceFigures> = {}
  for (const l of task.labels) {
    figures[l.name] = figuresOf(surfaceScore(maskOf(ref.data as ArrayLike<number>, l.values), maskOf(pred.data as ArrayLike<number>, l.values), size, spacing, l.tolerance))
  }
  return { figures, spacing: [...spacing] }
}
