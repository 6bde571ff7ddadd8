// Cases grouped by patient, so that several scans of one patient never sit on both sides of a
// split (nnU-Net issues #1871, #2060, #2872; nnU-Net's own answer is a hand-written
// splits_final.json). Groups come from a regular expression on the source file name (its first
// capture group, or the whole match) or from a CSV of "case,group". Used for the held-out test
// split at prepare time and for the cross-validation folds written after planning.

export type Groups = Map<string, string[]>

export interface GroupResult {
  /** Group -> case keys, in first-seen order. */
  groups: Groups
  /** Case keys the pattern did not match: each is a group of its own. */
  unmatched: string[]
  error?: string
}

/** The group of one key under `pattern`, or null when it does not match. */
export function groupOfKey(key: string, pattern: RegExp): string | null {
  const m = pattern.exec(key)
  if (!m) return null
  return m[1] ?? m[0]
}

/** Compiles a user's pattern, or says why it cannot be used. */
export function compileGroupPattern(text: string): RegExp | { error: string } {
  try {
    return new RegExp(text)
  } catch (err) {
    return { error: `Not a valid regular expression: ${(err as Error).message}` }
  }
}

/** Groups case keys by `pattern` (text); unmatched keys are groups of their own. */
export function groupByPattern(keys: readonly string[], patternText: string): GroupResult {
  const pattern = compileGroupPattern(patternText)
  if (!(pattern instanceof RegExp)) return { groups: new Map(), unmatched: [...keys], error: pattern.error }
  const groups: Groups = new Map()
  const unmatched: string[] = []
  for (const k of keys) {
    const g = groupOfKey(k, pattern)
    if (g === null) unmatched.push(k)
    const name = g ?? k
    groups.set(name, [...(groups.get(name) ?? []), k])
  }
  return { groups, unmatched }
}

/** "case,group" lines (a header line "case,group" is skipped) -> case -> group. */
export function parseGroupsCsv(text: string): Record<string, string> | { error: string } {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)
  for (const [i, line] of lines.entries()) {
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'))
    if (i === 0 && /^case/i.test(cells[0] ?? '') && /^(group|patient)/i.test(cells[1] ?? '')) continue
    if (cells.length < 2 || !cells[0] || !cells[1]) return { error: `Line ${i + 1} ("${line}") is not "case,group".` }
    out[cells[0]] = cells[1]
  }
  return out
}

/** Group per case key from a request's grouping (a pattern, else explicit groups), or undefined when none is given. */
export function groupsOfKeys(keys: readonly string[], spec: { groupPattern?: string; groups?: Record<string, string> }): string[] | undefined {
  if (spec.groupPattern) {
    const pattern = compileGroupPattern(spec.groupPattern)
    if (!(pattern instanceof RegExp)) return undefined
    return keys.map((k) => groupOfKey(k, pattern) ?? k)
  }
  if (spec.groups) return keys.map((k) => spec.groups![k] ?? k)
  return undefined
}

/** nnU-Net's splits_final.json: one { train, val } per fold. */
export type NnunetSplits = { train: string[]; val: string[] }[]

/**
 * `folds` folds over whole groups: the largest groups first, each into the fold with the fewest
 * validation cases so far (ties: the lower fold), so folds differ by at most one group's size.
 * Deterministic: the same groups always give the same folds.
 */
export function groupedFolds(caseGroups: Record<string, string>, folds: number): NnunetSplits {
  const byGroup = new Map<string, string[]>()
  for (const [c, g] of Object.entries(caseGroups).sort(([a], [b]) => a.localeCompare(b))) byGroup.set(g, [...(byGroup.get(g) ?? []), c])
  const ordered = [...byGroup.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
  const val: string[][] = Array.from({ length: folds }, () => [])
  for (const [, cases] of ordered) {
    let best = 0
    for (let f = 1; f < folds; f++) if (val[f]!.length < val[best]!.length) best = f
    val[best]!.push(...cases)
  }
  const all = Object.keys(caseGroups).sort()
  return val.map((v) => {
    const inVal = new Set(v)
    return { train: all.filter((c) => !inVal.has(c)), val: [...v].sort() }
  })
}

/** Groups that have cases on both sides of some fold: "patient-3 in fold 2 (train: a, val: b)". */
export function leakingGroups(splits: NnunetSplits, caseGroups: Record<string, string>): string[] {
  const out: string[] = []
  splits.forEach((s, f) => {
    const trainGroups = new Map<string, string[]>()
    for (const c of s.train) if (caseGroups[c] !== undefined) trainGroups.set(caseGroups[c]!, [...(trainGroups.get(caseGroups[c]!) ?? []), c])
    const seen = new Set<string>()
    for (const c of s.val) {
      const g = caseGroups[c]
      if (g === undefined || seen.has(g) || !trainGroups.has(g)) continue
      seen.add(g)
      out.push(`${g} in fold ${f} (train: ${trainGroups.get(g)!.join(', ')}; validation: ${s.val.filter((v) => caseGroups[v] === g).join(', ')})`)
    }
  })
  return out
}

/** A grouping that cannot be used (a bad pattern), as findings for the request check. */
export function groupFindings(spec: { groupPattern?: string }): { severity: 'error'; code: string; text: string; hint: string }[] {
  if (!spec.groupPattern) return []
  const p = compileGroupPattern(spec.groupPattern)
  return p instanceof RegExp ? [] : [{ severity: 'error', code: 'bad-group-pattern', text: `The patient pattern "${spec.groupPattern}" cannot be used. ${p.error}`, hint: 'Give a regular expression whose first group is the patient, e.g. ^(patient\\d+)_'}]
}

/** The file prepare writes beside dataset.json: case id -> group (nnU-Net ignores it). */
export const CASE_GROUPS_FILE = 'case_groups.json'

/**
 * What a test set loses to cases that fail (Write) or failed the check (Output): the split is
 * kept, so a case fixed later goes back to the test set instead of renumbering the others.
 */
export function testSetLoss(lost: readonly string[], planned: number, when: 'written' | 'planned'): string {
  const left = planned - lost.length
  const cases = lost.length === 1 ? `${lost[0]}` : `${lost.slice(0, 5).join(', ')}${lost.length > 5 ? ', …' : ''}`
  const them = lost.length === 1 ? 'it' : 'them'
  const head = when === 'written' ? `The test set lost ${cases} (failed)` : `${cases} ${lost.length === 1 ? 'is a test case' : 'are test cases'} and failed the check`
  const will = when === 'planned' ? 'will ' : ''
  const rest = left === 0 ? `imagesTs and labelsTs ${will}stay empty` : `imagesTs ${when === 'planned' ? 'will hold' : 'holds'} ${left} of ${planned} test cases`
  return `${head}: ${rest}. Fix ${them} and write again (${lost.length === 1 ? 'it goes' : 'they go'} back to the test set)${when === 'planned' ? ', or before the first write choose another seed or test count' : ''}.`
}

/** nnU-Net's own cross-validation: 5 folds, made at the first training when no splits_final.json exists. */
export const NNUNET_FOLDS = 5

/**
 * Why nnU-Net's 5 folds cannot work for this many training cases, and what to do, or undefined
 * when they can. Said at Output (before writing) and at Plan (with "write N folds"), so the first
 * training does not fail with nnU-Net's "fewer than 5 training cases".
 */
export function tooFewForFolds(trainingCases: number): { folds: number; text: string } | undefined {
  if (trainingCases >= NNUNET_FOLDS) return undefined
  if (trainingCases < 2) return { folds: 0, text: `${trainingCases} training case${trainingCases === 1 ? '' : 's'}: nnU-Net needs at least 2 to split into training and validation (5 for its own 5 folds). Add cases or lower the test count.` }
  return {
    folds: trainingCases,
    text: `${trainingCases} training cases: nnU-Net's own 5-fold cross-validation needs at least 5 and stops at the first training. At Plan, write a splits file with ${trainingCases} folds (nnunet-wizard splits -d ID --write --folds ${trainingCases}), or lower the test count.`,
  }
}
