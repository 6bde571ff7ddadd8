// One predicted case of a review list: its label volumes and, when nnU-Net saved probabilities
// beside it (CASE.npz, --save_probabilities), its uncertainty score (shared/reviewRank.ts). Runs
// in a worker thread of the volume pool (itk-wasm blocks the thread that reads; a probability
// file of a CT is hundreds of MB of float32 to inflate and walk), one case per task.
import type { LabelVolume } from '../../shared/api'
import { uncertaintyScore } from '../../shared/reviewRank'
import { readNpzArray } from '../files/npz'
import { as3d, readVolume } from '../imaging/volume'

export interface ScoreCaseTask {
  prediction: string
  probabilities?: string
  /** Label value -> name (value 0 is background and not listed). */
  labels: { name: string; value: number }[]
  /** Region-based training: the probabilities are independent sigmoids, one per region. */
  regions: boolean
}

export interface ScoreCaseResult {
  score: number | null
  scoredVoxels: number
  volumes: LabelVolume[]
  problem?: string
}

export async function scoreCase(task: ScoreCaseTask): Promise<ScoreCaseResult> {
  const v = as3d(await readVolume(task.prediction))
  if (!v || !v.data || v.components !== 1 || v.data instanceof BigInt64Array || v.data instanceof BigUint64Array) {
    throw new Error(`The prediction ${task.prediction} is not a 3D label map of integers.`)
  }
  const seg = v.data
  const ml = v.spacing.reduce((a, b) => a * b, 1) / 1000
  const counts = new Map<number, number>()
  for (let i = 0; i < seg.length; i++) {
    const x = seg[i]!
    if (x) counts.set(x, (counts.get(x) ?? 0) + 1)
  }
  const names = new Map(task.labels.map((l) => [l.value, l.name]))
  const values = [...new Set([...task.labels.map((l) => l.value), ...counts.keys()])].filter((x) => x !== 0).sort((a, b) => a - b)
  const volumes = values.map((value) => {
    const voxels = counts.get(value) ?? 0
    return { name: names.get(value) ?? `label ${value}`, value, voxels, ml: voxels * ml }
  })
  if (!task.probabilities) return { score: null, scoredVoxels: 0, volumes }
  const p = await readNpzArray(task.probabilities, 'probabilities')
  const [nx, ny, nz] = v.size as [number, number, number]
  // nnU-Net saves C x Z x Y x X (numpy order of the SimpleITK image), i.e. X fastest like ITK's buffer.
  if (p.shape.length !== 4 || p.shape[1] !== nz || p.shape[2] !== ny || p.shape[3] !== nx) {
    return { score: null, scoredVoxels: 0, volumes, problem: `${task.probabilities} holds probabilities of shape ${p.shape.join(' x ')}, which is not this prediction's grid (${nz} x ${ny} x ${nx}): it was not saved with this prediction. Predict again with "save probabilities".` }
  }
  const r = uncertaintyScore({ probabilities: p.data, classes: p.shape[0]!, dims: [nx, ny, nz], segmentation: seg, kind: task.regions ? 'sigmoid' : 'softmax' })
  return { score: r.score, scoredVoxels: r.voxels, volumes, ...(r.empty && { problem: 'Nothing was predicted in this case: it is listed first, for a look (a missed structure, or truly absent).' }) }
}
