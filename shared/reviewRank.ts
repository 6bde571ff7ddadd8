// Which predicted case to review first (issue 21): the one the model is least sure about.
//
// The rule: the mean normalised entropy of the predicted probabilities over the predicted
// foreground and its border (the foreground dilated by one voxel, 6-connected), in 0..1.
//  - Entropy, not fold disagreement, because one rule then serves every model: a single fold (or
//    "all") has nothing to disagree with, and with several folds nnU-Net saves the MEAN of the
//    folds' probabilities, whose entropy already grows with their disagreement (entropy of the
//    mean = mean entropy + the folds' mutual information), so disagreement is counted too.
//  - Inside the foreground and its border, because the background far away is certain in every
//    case and would make every score about 0, ranking by organ size instead of doubt; the border
//    is where a corrector's brush goes.
//  - Normalised by ln(classes) (softmax) or ln 2 per channel (sigmoid, region-based training:
//    nnU-Net then saves one independent probability per region), so 1 = the model cannot choose.
//  - A case with nothing predicted scores 1: an empty prediction is either right or a missed
//    structure, and only a look tells; it is put first rather than hidden at the bottom.

export interface UncertaintyInput {
  /** Channel-major probabilities: classes x voxels (nnU-Net's C x Z x Y x X, X fastest). */
  probabilities: ArrayLike<number>
  classes: number
  /** Grid size, X fastest: [x, y, z]. */
  dims: [number, number, number]
  /** The predicted label map on the same grid (0 = background). */
  segmentation: ArrayLike<number>
  /** softmax: classes sum to 1 (label-based training); sigmoid: one probability per region. */
  kind?: 'softmax' | 'sigmoid'
}

export interface UncertaintyScore {
  /** 0 (certain) .. 1 (cannot choose). */
  score: number
  /** Voxels the mean was taken over (foreground + border). */
  voxels: number
  /** Nothing was predicted: scored 1 by rule. */
  empty: boolean
}

/** The predicted foreground dilated by one voxel along x, y and z (6-connected). */
export function foregroundAndBorder(segmentation: ArrayLike<number>, dims: [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims
  const sxy = nx * ny
  const out = new Uint8Array(nx * ny * nz)
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = z * sxy + y * nx
      for (let x = 0; x < nx; x++) {
        const i = row + x
        if (!segmentation[i]) continue
        out[i] = 1
        if (x > 0) out[i - 1] = 1
        if (x < nx - 1) out[i + 1] = 1
        if (y > 0) out[i - nx] = 1
        if (y < ny - 1) out[i + nx] = 1
        if (z > 0) out[i - sxy] = 1
        if (z < nz - 1) out[i + sxy] = 1
      }
    }
  }
  return out
}

const plogp = (p: number) => (p > 0 ? p * Math.log(p) : 0)

/** The uncertainty score of one predicted case (see the rule above). */
export function uncertaintyScore(input: UncertaintyInput): UncertaintyScore {
  const { probabilities, classes, dims, segmentation } = input
  const n = dims[0] * dims[1] * dims[2]
  if (segmentation.length !== n) throw new Error(`The prediction has ${segmentation.length} voxels, the grid ${dims.join(' x ')} has ${n}.`)
  if (probabilities.length !== classes * n) throw new Error(`The probabilities hold ${probabilities.length} values, not ${classes} classes x ${n} voxels: they were not saved with this prediction.`)
  if (classes < 1 || (input.kind !== 'sigmoid' && classes < 2)) throw new Error(`A softmax needs at least 2 classes, got ${classes}.`)
  const region = foregroundAndBorder(segmentation, dims)
  const sigmoid = input.kind === 'sigmoid'
  const norm = sigmoid ? classes * Math.LN2 : Math.log(classes)
  let sum = 0
  let voxels = 0
  for (let i = 0; i < n; i++) {
    if (!region[i]) continue
    let h = 0
    for (let c = 0; c < classes; c++) {
      const p = Math.min(1, Math.max(0, probabilities[c * n + i]!))
      h -= plogp(p)
      if (sigmoid) h -= plogp(1 - p)
    }
    sum += h / norm
    voxels++
  }
  if (voxels === 0) return { score: 1, voxels: 0, empty: true }
  return { score: sum / voxels, voxels, empty: false }
}

/** Most unsure first; cases without a score after the scored ones, by name; ties by name. Ranks from 1. */
export function rankByUncertainty<T extends { case: string; score: number | null }>(cases: readonly T[]): (T & { rank: number })[] {
  const sorted = [...cases].sort((a, b) => {
    if (a.score === null || b.score === null) return a.score === b.score ? a.case.localeCompare(b.case) : a.score === null ? 1 : -1
    return b.score - a.score || a.case.localeCompare(b.case)
  })
  return sorted.map((c, i) => ({ ...c, rank: i + 1 }))
}
