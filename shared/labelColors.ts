// Default label colours, so a label the user has not coloured still reads well over greyscale CT.
// The one palette: the project's label rows (renderer/viewer/labelLut) and every label the service
// colours itself (previews without colours, predictions) take it by label value.
// The first entries follow ITK-SNAP's default label table (what most segmentation users already
// associate with label 1, 2, 3...); beyond it, hues step by the golden angle so neighbours differ.
import type { Rgb } from './schema'

const TABLE: Rgb[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [0, 255, 255],
  [255, 0, 255],
  [255, 239, 213],
  [0, 0, 205],
  [205, 133, 63],
  [210, 180, 140],
  [102, 205, 170],
  [0, 0, 128],
  [0, 139, 139],
  [46, 139, 87],
  [255, 228, 225],
  [106, 90, 205],
]

function hslToRgb(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))
  return [Math.round(255 * f(0)), Math.round(255 * f(8)), Math.round(255 * f(4))]
}

/** Colour of label value `index` (1 = first structure); 0 is background and black. */
export function defaultLabelColor(index: number): Rgb {
  if (index <= 0) return [0, 0, 0]
  const fixed = TABLE[index - 1]
  if (fixed) return [...fixed] as Rgb
  const hue = ((index - TABLE.length) * 137.508) % 360
  return hslToRgb(hue, 0.75, index % 2 === 0 ? 0.55 : 0.45)
}
