// One prediction as a 3D Slicer segmentation: reads the label map nnU-Net wrote and writes it
// again as <name>.seg.nrrd with each label's name and colour (imaging/segNrrdWriter.ts). Runs in
// a worker of the shared pool (itk-wasm blocks the thread that reads), one file per task.
import { as3d, readVolume } from '../imaging/volume'
import { writeSegNrrd, type Segment } from '../imaging/segNrrdWriter'

export interface SlicerTask {
  prediction: string
  target: string
  segments: Segment[]
}

export async function predictionToSegNrrd(task: SlicerTask): Promise<{ target: string; bytes: number; values: number[] }> {
  const v = as3d(await readVolume(task.prediction))
  if (!v?.data) throw new Error(`${task.prediction} is not a 3D label map.`)
  let data = v.data
  if (!(data instanceof Uint8Array) && !(data instanceof Uint16Array)) {
    // nnU-Net writes uint8 label maps; anything else with integer labels that fit is narrowed.
    const n = data.length
    const max = data instanceof BigInt64Array || data instanceof BigUint64Array ? NaN : Math.max(...task.segments.map((s) => s.value), 0)
    const out = max <= 255 ? new Uint8Array(n) : new Uint16Array(n)
    for (let i = 0; i < n; i++) {
      const x = Number(data[i]!)
      if (!Number.isInteger(x) || x < 0 || x > 65535) throw new Error(`${task.prediction} holds the value ${x}, which is not a label value.`)
      out[i] = x
    }
    data = out
  }
  const bytes = await writeSegNrrd(task.target, v, data as Uint8Array | Uint16Array, task.segments)
  const values = task.segments.map((s) => s.value)
  return { target: task.target, bytes, values }
}
