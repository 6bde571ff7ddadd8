// Nested masks -> nnU-Net v2 region-based training (documentation/region_based_training.md).
// When one structure lies inside another (a tumor in its organ, a false lumen in the aorta), the
// merged label map keeps the inner one's value where they overlap, and nnU-Net can learn the
// outer structure as the region {outer, inner} and the inner one as {inner}: dataset.json's
// labels map to lists ("aorta": [1, 2], "aorta_false_lumen": 2) plus regions_class_order. That
// only describes the masks truthfully when the inner one really lies inside the outer one. A
// partial overlap (each sticks out of the other) cannot be a region pair: a voxel of the merged
// map holds one value (nnU-Net issues #2417, #2900).
//
// Pure: works on the per-case overlap counts the Check step and prepare already compute.
import { dict, ownValue } from './dict'

/** Voxels shared by two masks of one case (a is the earlier label, b the later). */
export interface OverlapPair {
  a: string
  b: string
  voxels: number
}

/** One structure lying (almost) wholly inside another, summed over the cases. */
export interface Nesting {
  inner: string
  outer: string
  /** Inner voxels inside the outer mask. */
  inside: number
  /** All inner voxels (its own masks, before merging). */
  total: number
}

/** Two masks that overlap without either lying inside the other. */
export interface PartialOverlap {
  a: string
  b: string
  voxels: number
  aTotal: number
  bTotal: number
}

export interface RegionAnalysis {
  /** Nested pairs whose inner label comes later (wins in the merge): usable as regions. */
  nested: Nesting[]
  /** Nested pairs whose inner label comes first: the outer mask overwrites it; move it after the outer one. */
  misordered: Nesting[]
  partial: PartialOverlap[]
  /** dataset.json labels for region training (background first, key order = label order), when possible. */
  labels?: Record<string, number | number[]>
  regionsClassOrder?: number[]
  /** Why region training is not possible for these masks, when it is not. */
  refusal?: string
}

/**
 * Share of the inner structure's voxels that may lie outside the outer one and still count as
 * nested: annotations of a lesion and its organ are drawn separately and rarely agree at the
 * border. 10 % keeps TotalSegmentator's aorta false lumen (7.5 % outside the aorta) a
 * "nearly nested" pair, while two organs that merely touch stay far from it.
 */
export const DEFAULT_NESTING_TOLERANCE = 0.1

/** Per-case data the analysis needs (a CaseReport has these fields). */
export interface CaseOverlaps {
  /** A failed case ('error') is left out: its masks were counted but never merged, so its overlaps are unknown. */
  status?: 'ok' | 'warning' | 'error'
  rawVoxelCounts?: Record<string, number>
  overlapPairs?: OverlapPair[]
}

/** A label whose mask has voxels but none are left in the merged map: the later labels cover all of it. */
export interface WipedOutLabel {
  name: string
  /** Its mask's voxels. */
  voxels: number
  /** The later labels that share its voxels (they win in the merge). */
  by: string[]
}

/**
 * Labels of one case that end with 0 voxels after merging although their masks have some: the
 * label order (later wins) hid them under later labels (tumor before liver: "tumor 1,185 / 0").
 */
export function wipedOutLabels(labelNames: readonly string[], raw: Record<string, number>, merged: Record<string, number>, pairs: readonly OverlapPair[] = []): WipedOutLabel[] {
  return labelNames
    .filter((n) => (ownValue(raw, n) ?? 0) > 0 && (ownValue(merged, n) ?? 0) === 0)
    .map((n) => ({ name: n, voxels: ownValue(raw, n)!, by: pairs.filter((p) => p.a === n && p.voxels > 0).map((p) => p.b) }))
}

/** The warning of one wiped-out label, naming the order that caused it and how to change it. */
export function describeWipedOut(w: WipedOutLabel, labelNames: readonly string[]): { text: string; hint: string } {
  const by = w.by.length ? w.by : labelNames.slice(labelNames.indexOf(w.name) + 1)
  const last = by[by.length - 1] ?? 'the later labels'
  return {
    text: `"${w.name}" has ${w.voxels.toLocaleString('en-US')} voxels in its mask but none in the merged label map: ${by.map((b) => `"${b}"`).join(' and ')} ${by.length === 1 ? 'comes' : 'come'} later in the label order (${labelNames.join(' < ')}; later wins) and ${by.length === 1 ? 'covers' : 'cover'} all of it.`,
    hint: `Move "${w.name}" after "${last}" in the Labels step (on the command line: --label ${last}=DIR before --label ${w.name}=DIR), so the structure that lies inside the other is kept.`,
  }
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`

/** "aorta_false_lumen lies inside aorta: 33451 of its 36170 voxels (92.5 %); 2719 lie outside it, ..." */
export function describeNesting(n: Nesting): string {
  const outside = n.total - n.inside
  const head = `${n.inner} lies ${outside === 0 ? 'wholly' : 'almost wholly'} inside ${n.outer}: ${n.inside} of its ${n.total} voxels (${pct(n.inside / n.total)})`
  return outside === 0 ? `${head}.` : `${head}; ${outside} lie outside it, and trained as nested regions they count as ${n.outer} too.`
}

export function describePartial(p: PartialOverlap): string {
  return (
    `${p.a} and ${p.b} overlap in ${p.voxels} voxels (${pct(p.voxels / Math.max(1, p.aTotal))} of ${p.a}, ${pct(p.voxels / Math.max(1, p.bTotal))} of ${p.b}), ` +
    `but neither lies inside the other: they cannot be a region pair (a voxel of the label map holds one value; there ${p.b} wins as before).`
  )
}

/**
 * Sums the per-case overlaps, decides which pairs nest (within `tolerance`), and builds the
 * region labels: each label's region is its own value plus the values of the labels nested in it.
 */
export function analyzeRegions(labelNames: readonly string[], cases: readonly CaseOverlaps[], tolerance = DEFAULT_NESTING_TOLERANCE): RegionAnalysis {
  const totals = new Map<string, number>(labelNames.map((n) => [n, 0]))
  const shared = new Map<string, number>()
  const key = (a: string, b: string) => `${a}\0${b}`
  for (const c of cases) {
    // A failed case's masks were counted but never merged (no overlap pairs): counting its voxels
    // would make "tumor 100 % inside liver" read 83 % and refuse regions for one broken file.
    if (c.status === 'error') continue
    for (const n of labelNames) totals.set(n, totals.get(n)! + (ownValue(c.rawVoxelCounts, n) ?? 0))
    for (const p of c.overlapPairs ?? []) shared.set(key(p.a, p.b), (shared.get(key(p.a, p.b)) ?? 0) + p.voxels)
  }
  const value = (n: string) => labelNames.indexOf(n) + 1
  const nested: Nesting[] = []
  const misordered: Nesting[] = []
  const partial: PartialOverlap[] = []
  for (let i = 0; i < labelNames.length; i++) {
    for (let j = i + 1; j < labelNames.length; j++) {
      const a = labelNames[i]!
      const b = labelNames[j]!
      const voxels = (shared.get(key(a, b)) ?? 0) + (shared.get(key(b, a)) ?? 0)
      if (voxels === 0) continue
      const aTotal = totals.get(a)!
      const bTotal = totals.get(b)!
      const bInA = bTotal ? voxels / bTotal : 0
      const aInB = aTotal ? voxels / aTotal : 0
      // The smaller share of the inner one outside wins; a tie (identical masks) nests b in a.
      if (bInA >= 1 - tolerance && bInA >= aInB) nested.push({ inner: b, outer: a, inside: voxels, total: bTotal })
      else if (aInB >= 1 - tolerance) misordered.push({ inner: a, outer: b, inside: voxels, total: aTotal })
      else partial.push({ a, b, voxels, aTotal, bTotal })
    }
  }
  const result: RegionAnalysis = { nested, misordered, partial }
  if (misordered.length) {
    const m = misordered[0]!
    result.refusal = `${m.inner} lies inside ${m.outer} but comes before it in the label order, so ${m.outer} overwrites it where they overlap: move ${m.inner} after ${m.outer} (Labels step, or the order of --label) to train them as nested regions.`
    return result
  }
  if (!nested.length) {
    result.refusal = partial.length
      ? `No mask lies inside another: ${partial.map(describePartial).join(' ')}`
      : 'No masks overlap, so there are no nested regions: train on the labels as they are.'
    return result
  }
  // Keyed by the user's label names: prototype-free, so a label named __proto__ is kept (shared/dict.ts).
  const labels = dict<number | number[]>([['background', 0]])
  for (const n of labelNames) {
    const inner = nested.filter((x) => x.outer === n).map((x) => value(x.inner))
    labels[n] = inner.length ? [value(n), ...inner].sort((x, y) => x - y) : value(n)
  }
  result.labels = labels
  // One entry per region, in the labels' key order: the value written back for it. Inner labels
  // come later and so overwrite their outer region when nnU-Net turns regions into a label map.
  result.regionsClassOrder = labelNames.map(value)
  return result
}

/** The regions in one line: "aorta = aorta + aorta_false_lumen; aorta_false_lumen". */
export function describeRegions(labelNames: readonly string[], a: RegionAnalysis): string {
  if (!a.labels) return ''
  return labelNames
    .map((n) => {
      const r = ownValue(a.labels, n)
      return Array.isArray(r) ? `${n} = ${r.map((v) => labelNames[v - 1]).join(' + ')}` : n
    })
    .join('; ')
}
