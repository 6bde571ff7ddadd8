// What an exported SEG or RTSTRUCT says about each structure and about the model that made it:
// the segment / ROI per label value with its name and colour, and the algorithm identification
// (nnU-Net, its version, the dataset, configuration, trainer, plans and folds).
import type { Rgb } from '../../../shared/schema'
import { defaultLabelColor } from '../../../shared/labelColors'

export interface ExportSegment {
  /** The label value in the label map. */
  value: number
  name: string
  colour: Rgb
}

export interface ExportAlgorithm {
  /** nnU-Net's version (nnunetv2 / nnunet package); '' when unknown. */
  version: string
  dataset?: string
  configuration?: string
  trainer?: string
  plans?: string
  folds?: (number | 'all')[]
  checkpoint?: string
  /** The model's answer corrected by hand in the label editor: a SEG says SEMIAUTOMATIC. */
  corrected?: boolean
}

/** The segments of a label map: named ones first (dataset.json), then any other value found, as "label N". */
export function exportSegments(named: readonly { name: string; value: number }[], valuesPresent: Iterable<number>, colours: Readonly<Record<string, Rgb>> = {}): ExportSegment[] {
  const byValue = new Map<number, ExportSegment>()
  for (const l of named) if (l.value > 0 && !byValue.has(l.value)) byValue.set(l.value, { value: l.value, name: l.name, colour: colours[l.name] ?? defaultLabelColor(l.value) })
  for (const v of valuesPresent) if (v > 0 && !byValue.has(v)) byValue.set(v, { value: v, name: `label ${v}`, colour: defaultLabelColor(v) })
  return [...byValue.values()].sort((a, b) => a.value - b.value)
}

/** Algorithm parameters as one text: "dataset=Dataset001_X; configuration=3d_fullres; ...". */
export function algorithmParameters(a: ExportAlgorithm): string {
  const parts: [string, string | undefined][] = [
    ['dataset', a.dataset],
    ['configuration', a.configuration],
    ['trainer', a.trainer],
    ['plans', a.plans],
    ['folds', a.folds?.join(',')],
    ['checkpoint', a.checkpoint],
  ]
  return parts.filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join('; ')
}

export const ALGORITHM_NAME = 'nnU-Net'

/**
 * sRGB (0-255) as DICOM's scaled CIELab (RecommendedDisplayCIELabValue: L* 0..100 and a*, b*
 * -128..127 each mapped to 0..65535). The conversion is the one PixelMed, dcmqi (3D Slicer) and
 * highdicom use, sRGB -> XYZ -> L*a*b* relative to the D65 white, so those readers show the
 * segment in the label's own colour (dcmjs 0.52 adapts to D50 instead: its red reads back as
 * (255, 5, 0), its green as (72, 253, 26) there).
 */
export function rgbToDicomLab(rgb: readonly number[]): [number, number, number] {
  const lin = rgb.map((v) => {
    const c = Math.min(255, Math.max(0, v)) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  const [r, g, b] = lin as [number, number, number]
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29)
  const L = 116 * f(y) - 16
  const A = 500 * (f(x) - f(y))
  const B = 200 * (f(y) - f(z))
  const scale = (v: number, lo: number, hi: number) => Math.round(Math.min(65535, Math.max(0, ((v - lo) / (hi - lo)) * 65535)))
  return [scale(L, 0, 100), scale(A, -128, 127), scale(B, -128, 127)]
}
