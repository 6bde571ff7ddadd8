// Window/level as radiologists set it: a window width and a centre (level) in the image's units
// (HU for CT). The presets are the usual CT windows; "auto" takes the 1st to 99th percentile of
// the scan's own histogram, which suits MR and anything not in HU.

export interface WindowRange {
  min: number
  max: number
}

export interface WindowPreset {
  id: string
  name: string
  /** Width and level (centre), as Slicer and ITK-SNAP list them. */
  width: number
  level: number
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'soft-tissue', name: 'Soft tissue', width: 400, level: 40 },
  { id: 'lung', name: 'Lung', width: 1500, level: -600 },
  { id: 'bone', name: 'Bone', width: 1800, level: 400 },
  { id: 'brain', name: 'Brain', width: 80, level: 40 },
]

export function presetRange(p: Pick<WindowPreset, 'width' | 'level'>): WindowRange {
  return { min: p.level - p.width / 2, max: p.level + p.width / 2 }
}

const BINS = 4096

/**
 * The 1st to 99th percentile of the values (stored value × slope + intercept), from a histogram
 * of every voxel; null for an empty or constant image.
 */
export function autoWindow(values: ArrayLike<number>, slope = 1, intercept = 0, lowFrac = 0.01, highFrac = 0.99): WindowRange | null {
  const n = values.length
  if (n === 0) return null
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (!(hi > lo)) return null
  const hist = new Float64Array(BINS)
  const scale = (BINS - 1) / (hi - lo)
  for (let i = 0; i < n; i++) hist[Math.floor((values[i]! - lo) * scale)]!++
  const at = (frac: number) => {
    const target = frac * n
    let sum = 0
    for (let b = 0; b < BINS; b++) {
      sum += hist[b]!
      if (sum >= target) return lo + b / scale
    }
    return hi
  }
  let min = at(lowFrac)
  let max = at(highFrac)
  if (!(max > min)) [min, max] = [lo, hi]
  const a = min * slope + intercept
  const b = max * slope + intercept
  return a <= b ? { min: a, max: b } : { min: b, max: a }
}
