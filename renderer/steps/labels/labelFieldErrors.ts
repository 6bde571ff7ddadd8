// What is wrong with each label name, said at its field: the service's own rules
// (shared/layout checkLabelNames) applied to one name, plus a duplicate of an earlier row.
import { checkLabelNames } from '../../../shared/layout'

export function labelFieldErrors(names: readonly string[]): (string | null)[] {
  const firstRow = new Map<string, number>()
  return names.map((n, i) => {
    if (!n.trim()) return 'Give this label a name, e.g. organ.'
    const own = checkLabelNames([n])[0]
    if (own) return own.text
    const key = n.trim().toLowerCase()
    const earlier = firstRow.get(key)
    if (earlier === undefined) {
      firstRow.set(key, i)
      return null
    }
    return `Label ${earlier + 1} is already called "${names[earlier]!.trim()}": each label needs its own name.`
  })
}
