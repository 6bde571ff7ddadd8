// Objects keyed by what a user typed (label, region, ROI and case names) are dictionaries without a
// prototype: a label named "__proto__" is an own key like any other (on a plain object its
// assignment would set the prototype and the label would vanish from dataset.json), and
// "constructor" or "toString" never find Object.prototype's members.

/** A prototype-free dictionary, filled from `entries` (later wins). */
export function dict<V>(entries: Iterable<readonly [string, V]> = []): Record<string, V> {
  const out = Object.create(null) as Record<string, V>
  for (const [k, v] of entries) out[k] = v
  return out
}
