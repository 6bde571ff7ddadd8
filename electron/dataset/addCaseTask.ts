// The checks of a case about to be added to a dataset (issue 21), in a worker thread of the volume
// pool (itk-wasm blocks the thread that reads): every channel and the label on the first channel's
// grid, the label's values within dataset.json's labels, and the voxels the correction added and
// removed per label against the model's prediction. Nothing is written here.
import { compareGeometry, describeDifference } from '../imaging/geometry'
import { as3d, readVolume, type Volume } from '../imaging/volume'

export interface AddCaseCheckTask {
  images: string[]
  label: string
  prediction?: string
  /** The label values dataset.json allows (0 included). */
  allowed: number[]
}

export interface AddCaseCheckResult {
  /** Each a sentence naming the file and what to do; empty when the case can be added. */
  problems: string[]
  /** Label value -> voxels in the corrected label. */
  counts: Record<number, number>
  /** Label value -> voxels added / removed against the prediction (when one was given and is on the grid). */
  changes?: Record<number, { added: number; removed: number }>
}

type Labels = NonNullable<Volume['data']>

async function read3d(file: string): Promise<Volume> {
  const v = as3d(await readVolume(file))
  if (!v || !v.data) throw new Error(`${file} is not a 3D volume.`)
  return v
}

function integerLabels(v: Volume, file: string, problems: string[]): Labels | undefined {
  const d = v.data!
  if (v.components !== 1 || d instanceof BigInt64Array || d instanceof BigUint64Array) {
    problems.push(`The label ${file} is a ${v.componentType} ${v.pixelType} image, not a label map: save it as one integer value per voxel.`)
    return undefined
  }
  if (d instanceof Float32Array || d instanceof Float64Array) {
    for (let i = 0; i < d.length; i++) {
      if (!Number.isInteger(d[i]!)) {
        problems.push(`The label ${file} holds the non-integer value ${d[i]} (voxel ${i}): a label map holds label values only. Save it as an integer label map.`)
        return undefined
      }
    }
  }
  return d
}

export async function checkAddedCase(task: AddCaseCheckTask): Promise<AddCaseCheckResult> {
  const problems: string[] = []
  const image = await read3d(task.images[0]!)
  for (const other of task.images.slice(1)) {
    const diffs = compareGeometry(image, await read3d(other))
    if (diffs.length) problems.push(`The channel ${other} is not on the grid of ${task.images[0]}: ${diffs.map(describeDifference).join('; ')}. Every channel of a case must share one grid.`)
  }
  const label = await read3d(task.label)
  const diffs = compareGeometry(image, label)
  if (diffs.length) {
    problems.push(`The label ${task.label} is not on the scan's grid (${task.images[0]}): ${diffs.map(describeDifference).join('; ')}. Save the corrected label on the scan's own grid (the editor does).`)
    return { problems, counts: {} }
  }
  const labels = integerLabels(label, task.label, problems)
  if (!labels) return { problems, counts: {} }
  const counts: Record<number, number> = {}
  for (let i = 0; i < labels.length; i++) {
    const x = Number(labels[i])
    counts[x] = (counts[x] ?? 0) + 1
  }
  const allowed = new Set(task.allowed)
  const bad = Object.keys(counts).map(Number).filter((x) => !allowed.has(x))
  if (bad.length) {
    problems.push(`The label ${task.label} holds the value${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (${bad.map((b) => counts[b]).join(', ')} voxels), which dataset.json's labels do not have (${[...allowed].sort((a, b) => a - b).join(', ')}). Relabel or erase those voxels, or add the label to the dataset first.`)
  }
  if (!task.prediction) return { problems, counts }
  const prediction = await read3d(task.prediction)
  const pd = compareGeometry(label, prediction)
  if (pd.length || !prediction.data || prediction.data instanceof BigInt64Array || prediction.data instanceof BigUint64Array) {
    problems.push(`The prediction ${task.prediction} is not on the label's grid (${pd.map(describeDifference).join('; ') || 'not a label map'}), so the voxels the correction changed cannot be counted. Give the prediction the label was corrected from.`)
    return { problems, counts }
  }
  const p = prediction.data
  const changes: Record<number, { added: number; removed: number }> = {}
  const bump = (v: number, k: 'added' | 'removed') => ((changes[v] ??= { added: 0, removed: 0 })[k] += 1)
  for (let i = 0; i < labels.length; i++) {
    const now = Number(labels[i])
    const was = Number(p[i])
    if (now === was) continue
    // A voxel moved from label a to label b is removed from a and added to b.
    if (was !== 0) bump(was, 'removed')
    if (now !== 0) bump(now, 'added')
  }
  return { problems, counts, changes }
}
