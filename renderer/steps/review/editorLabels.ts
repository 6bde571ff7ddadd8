// The labels the Review editor shows for a case: every label the model knows (the ranking's
// volumes), not only those present in this prediction, in the project's colours where it has the
// label, else the one palette's colour of the label's value. A label the model missed in this case
// (nothing of it predicted) still gets its own colour: painting it in another label's colour, as
// once happened, made a missed liver look like spleen.
import { defaultLabelColor } from '../../../shared/labelColors'
import type { Rgb } from '../../../shared/schema'

export interface EditorLabel {
  name: string
  value: number
  color: Rgb
}

export function editorLabels(present: readonly EditorLabel[], known: readonly { name: string; value: number }[], project: readonly { name: string; color: Rgb }[]): EditorLabel[] {
  const missing = known.filter((v) => !present.some((p) => p.value === v.value)).map((v) => ({ name: v.name, value: v.value, color: defaultLabelColor(v.value) }))
  return [...present, ...missing].sort((a, b) => a.value - b.value).map((l) => ({ ...l, color: project.find((p) => p.name === l.name)?.color ?? l.color }))
}
