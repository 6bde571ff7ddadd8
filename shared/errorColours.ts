// Colours for the error viewer's false positives and false negatives, one pair per label, chosen
// so that none is close to a label colour, to another error colour, or to grey. Fixed error
// colours clashed: false positives were yellow like a yellow label, and every label's false
// negatives merged into one cyan. A first per-label choice measured in "redmean" RGB still clashed
// in a walkthrough (issue 18): liver's false positives came out white (a blank swatch, and bone on
// CT) and spleen's false negatives a light green (150,255,115) beside a pure green. So colours are
// measured in CIELAB, where a distance is about what the eye sees, and white, black and greys are
// not candidates at all: an error colour keeps a chroma (distance from the grey axis) of at least
// MIN_CHROMA and a lightness of at least MIN_LIGHTNESS (a dark colour vanishes in a dark CT).
import type { Rgb } from './schema'

/** CIELAB of an sRGB colour (D65 white). */
export function rgbToLab(c: Rgb): [number, number, number] {
  const lin = (v: number) => {
    const s = v / 255
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  const [r, g, b] = [lin(c[0]), lin(c[1]), lin(c[2])]
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116)
  const [fx, fy, fz] = [f(x), f(y), f(z)]
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]
}

/** Perceived distance between two colours: CIE76 ΔE in CIELAB (0 same; about 2.3 just noticeable; black-white 100). */
export function colourDistance(a: Rgb, b: Rgb): number {
  const p = rgbToLab(a)
  const q = rgbToLab(b)
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])
}

/** Distance from the grey axis (CIELAB chroma): 0 for white, black and every grey. */
export function chroma(c: Rgb): number {
  const [, a, b] = rgbToLab(c)
  return Math.hypot(a, b)
}

/** CIELAB lightness, 0 black .. 100 white. */
export const lightness = (c: Rgb): number => rgbToLab(c)[0]

/** An error colour is at least this far from grey: no white, black or grey that CT shows itself. */
export const MIN_CHROMA = 55
/** And at least this light: dark blue or brown disappears over air and soft tissue. */
export const MIN_LIGHTNESS = 40

function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h / 60) % 6
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))))
  }
  return [f(5), f(3), f(1)]
}

/** Saturated hues in steps of 10°, at two saturations and two brightnesses, clear of grey. */
const CANDIDATES: Rgb[] = [1, 0.7]
  .flatMap((s) => [1, 0.8].flatMap((v) => Array.from({ length: 36 }, (_, i) => hsv(i * 10, s, v))))
  .filter((c) => chroma(c) >= MIN_CHROMA && lightness(c) >= MIN_LIGHTNESS)

/**
 * `n` colours, each as far as possible (CIELAB) from every colour in `taken` and from those chosen
 * before it (deterministic: the same label colours give the same error colours).
 */
export function distinctColours(taken: readonly Rgb[], n: number): Rgb[] {
  const used = taken.map(rgbToLab)
  const out: Rgb[] = []
  for (let k = 0; k < n; k++) {
    let best = CANDIDATES[0]!
    let bestD = -1
    for (const c of CANDIDATES) {
      const p = rgbToLab(c)
      let d = Infinity
      for (const u of used) d = Math.min(d, Math.hypot(p[0] - u[0], p[1] - u[1], p[2] - u[2]))
      if (d > bestD) {
        bestD = d
        best = c
      }
    }
    out.push([...best] as Rgb)
    used.push(rgbToLab(best))
  }
  return out
}

/** Per label (in order): its false-positive and false-negative colours, clear of `labelColours`, of each other and of grey. */
export function errorColours(labelColours: readonly Rgb[]): { fp: Rgb; fn: Rgb }[] {
  const picked = distinctColours(labelColours, labelColours.length * 2)
  return labelColours.map((_, k) => ({ fp: picked[2 * k]!, fn: picked[2 * k + 1]! }))
}
