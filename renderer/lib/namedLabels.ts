// A trained dataset's labels as the app shows them everywhere (curves, results card, prediction
// overlay): the names from its dataset.json, in the colour the project gave the label of that name,
// else the app's default colour of its value, the one Preview used.
import type { Rgb } from '../../shared/schema'
import { defaultLabelColor as defaultColorOfValue } from '../../shared/labelColors'
import type { CurveLabel } from './chartMath'
import { rgbToHex } from '../viewer/labelLut'

export interface NamedLabel extends CurveLabel {
  rgb: Rgb
}

export function namedLabels(datasetLabels: readonly { name: string; value: number }[] | undefined, projectLabels: readonly { name: string; color: Rgb }[]): NamedLabel[] {
  return (datasetLabels ?? []).map((l) => {
    const rgb = projectLabels.find((p) => p.name === l.name)?.color ?? defaultColorOfValue(l.value)
    return { name: l.name, value: l.value, rgb, color: rgbToHex(rgb) }
  })
}
