// The label colour table NiiVue draws the merged label map with. Index = label value (0 is the
// background and always transparent); a hidden label keeps its colour but gets alpha 0, so
// toggling visibility never changes which value means what.
import type { Rgb } from '../../shared/schema'
import { defaultLabelColor as defaultColorOfValue } from '../../shared/labelColors'

export interface LutLabel {
  name: string
  value: number
  color: Rgb
  visible: boolean
}

/** NiiVue's ColorMap shape (R, G, B, A, I arrays plus names), as setColormapLabel expects it. */
export interface LabelColormap {
  R: number[]
  G: number[]
  B: number[]
  A: number[]
  I: number[]
  labels: string[]
}

/** A dense table from 0 to the highest label value; values without a label stay transparent. */
export function buildLabelLut(labels: readonly LutLabel[]): LabelColormap {
  const max = labels.reduce((m, l) => Math.max(m, l.value), 0)
  const lut: LabelColormap = { R: [], G: [], B: [], A: [], I: [], labels: [] }
  for (let v = 0; v <= max; v++) {
    lut.R.push(0)
    lut.G.push(0)
    lut.B.push(0)
    lut.A.push(0)
    lut.I.push(v)
    lut.labels.push(v === 0 ? 'background' : '')
  }
  for (const l of labels) {
    if (l.value <= 0 || !Number.isInteger(l.value)) continue
    lut.R[l.value] = l.color[0]
    lut.G[l.value] = l.color[1]
    lut.B[l.value] = l.color[2]
    lut.A[l.value] = l.visible ? 255 : 0
    lut.labels[l.value] = l.name
  }
  return lut
}

/** The label name for a voxel value under the cursor. */
export function labelNameFor(labels: readonly { name: string; value: number }[], value: number): string {
  if (!Number.isFinite(value)) return ''
  const v = Math.round(value)
  if (v === 0) return 'background'
  return labels.find((l) => l.value === v)?.name ?? `unknown value ${v}`
}

/**
 * The default colour of the label at list position `index` (0 = the first mask folder, which
 * becomes label value 1): the shared palette by value, the one the service gives labels it
 * colours itself (a prediction's values), so a label looks the same in Preview and in the
 * prediction view.
 */
export function defaultLabelColor(index: number): Rgb {
  return defaultColorOfValue(index + 1)
}

export function rgbToHex(c: Rgb): string {
  return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('')
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim())
  if (!m) return [0, 0, 0]
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)]
}
