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

/** `obj[key]` when it is obj's own key, else undefined: a count keyed by a label named "toString" on a plain object (one that came through JSON) never finds Object.prototype's member. */
export function ownValue<V>(obj: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined
}
