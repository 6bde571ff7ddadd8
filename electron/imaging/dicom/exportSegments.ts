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
