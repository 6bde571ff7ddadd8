// Does each label lie in the body? On CT the body is everything above about -500 HU (air is
// -1000, lung parenchyma about -850, soft tissue near 0), so a mask drawn on its image sits almost
// entirely above it, while a mask flipped or taken from another scan spills into the air around
// the patient. Only the share is measured here; outliers.ts decides what is unusual.
import type { VoxelArray } from '../imaging/volume'
import { dict } from '../../shared/dict'

/** Body threshold in HU. */
export const BODY_HU = -500
/** An image whose darkest voxel is above this holds no air: not CT in HU, nothing is measured. */
const AIR_HU = -900

/**
 * Per label value 1..labelCount, the share of its voxels where the image is above BODY_HU, or
 * null when the image does not look like CT in HU. One pass over both arrays.
 */
export function inBodyShares(image: VoxelArray, label: Uint8Array | Uint16Array, labelCount: number): (number | null)[] | null {
  if (image instanceof BigInt64Array || image instanceof BigUint64Array || image instanceof Uint8Array || image instanceof Uint16Array || image instanceof Uint32Array) return null
  if (image.length !== label.length) return null
  const total = new Float64Array(labelCount + 1)
  const inside = new Float64Array(labelCount + 1)
  let min = Infinity
  for (let i = 0; i < image.length; i++) {
    const v = image[i] as number
    if (v < min) min = v
    const k = label[i]!
    if (k !== 0 && k <= labelCount) {
      total[k]!++
      if (v > BODY_HU) inside[k]!++
    }
  }
  if (!(min <= AIR_HU)) return null
  const out: (number | null)[] = []
  for (let k = 1; k <= labelCount; k++) out.push(total[k]! > 0 ? inside[k]! / total[k]! : null)
  return out
}

/** The report's inBody field: label name -> share, for labels with voxels. */
export function inBodyByName(image: VoxelArray | null, label: Uint8Array | Uint16Array | null, labelNames: string[]): Record<string, number> | undefined {
  if (!image || !label) return undefined
  const shares = inBodyShares(image, label, labelNames.length)
  if (!shares) return undefined
  // Keyed by label names (user text): no prototype (shared/dict.ts).
  const out = dict<number>()
  labelNames.forEach((n, k) => {
    const s = shares[k]
    if (s !== null && s !== undefined) out[n] = s
  })
  return out
}
