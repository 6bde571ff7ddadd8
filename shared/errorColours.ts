// Colours for the error viewer's false positives and false negatives, one pair per label, chosen
// so that none is close to a label colour or to another error colour. Fixed error colours
// clashed: false positives were yellow like a yellow label, and every label's false negatives
// merged into one cyan. Greedy farthest-point choice from saturated candidates (greys are out:
// they vanish in CT), measured with the "redmean" approximation of perceived colour distance.
import type { Rgb } from './schema'

/** Perceived distance between two colours (redmean weighting of RGB; 0 same .. ~765 black-white). */
export function colourDistance(a: Rgb, b: Rgb): number {
  const r = (a[0] + b[0]) / 2
  const dr = a[0] - b[0]
  const dg = a[1] - b[1]
  const db = a[2] - b[2]
  return Math.sqrt((2 + r / 256) * dr * dr + 4 * dg * dg + (2 + (255 - r) / 256) * db * db)
}

function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h / 60) % 6
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))))
  }
  return [f(5), f(3), f(1)]
}

/** Saturated hues in steps of 15°, bright and darker, plus white: what an error may be drawn in. */
const CANDIDATES: Rgb[] = [
  [255, 255, 255],
  ...[1, 0.55].flatMap((s) => [1, 0.7].flatMap((v) => Array.from({ length: 24 }, (_, i) => hsv(i * 15, s, v)))),
]

/**
 * `n` colours, each as far as possible from every colour in `taken` and from those chosen before
 * it (deterministic: the same label colours give the same error colours).
 */
export function distinctColours(taken: readonly Rgb[], n: number): Rgb[] {
  const used = [...taken]
  const out: Rgb[] = []
  for (let k = 0; k < n; k++) {
    let best = CANDIDATES[0]!
    let bestD = -1
    for (const c of CANDIDATES) {
      const d = used.length ? Math.min(...used.map((u) => colourDistance(c, u))) : Infinity
      if (d > bestD) {
        bestD = d
        best = c
      }
    }
    out.push([...best] as Rgb)
    used.push(best)
  }
  return out
}

/** Per label (in order): its false-positive and false-negative colours, clear of `labelColours` and of each other. */
export function errorColours(labelColours: readonly Rgb[]): { fp: Rgb; fn: Rgb }[] {
  const picked = distinctColours(labelColours, labelColours.length * 2)
  return labelColours.map((_, k) => ({ fp: picked[2 * k]!, fn: picked[2 * k + 1]! }))
}
