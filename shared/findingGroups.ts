// The same message about many cases is one line with the list of cases, not one line per case
// ("the later label wins" for every case of a dataset whose masks overlap by design). Used by the
// Check report and wherever case findings are listed together.
import type { Finding } from './api'

export interface FindingGroup {
  /** The first case's finding (its file, hint and severity stand for the group). */
  finding: Finding
  /** The text with the case's own name and numbers taken out, when the group has several cases. */
  summary: string
  caseKeys: string[]
}

const LISTED = 8

/** Text without what differs per case: its quoted key, its file, its counts. */
function shape(text: string, caseKey: string, file?: string): string {
  // The key only where it stands as a word: case "a" must not blank the a's of "aorta".
  const esc = caseKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  let t = file ? text.split(file).join('…') : text
  t = t.replace(new RegExp(`(?<![\\w.-])${esc}(?![\\w.-])`, 'g'), '…')
  return t.replace(/\d[\d,.]*/g, '#')
}

/** Groups the findings of every case by code and shape, in first-seen order. */
export function groupCaseFindings(cases: readonly { caseKey: string; findings: readonly Finding[] }[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>()
  for (const c of cases) {
    for (const f of c.findings) {
      const key = `${f.severity}|${f.code}|${shape(f.text, c.caseKey, f.file)}`
      const g = groups.get(key)
      if (g) {
        if (!g.caseKeys.includes(c.caseKey)) g.caseKeys.push(c.caseKey)
      } else groups.set(key, { finding: f, summary: f.text, caseKeys: [c.caseKey] })
    }
  }
  for (const g of groups.values()) if (g.caseKeys.length > 1) g.summary = summarise(g)
  return [...groups.values()]
}

function summarise(g: FindingGroup): string {
  const first = g.caseKeys[0]!
  // Drop the leading count ("1234 voxels are ...") that differs per case; keep the rule itself.
  const text = g.finding.text.split(`Case "${first}"`).join('The case').split(`case "${first}"`).join('the case').replace(/^\d[\d,.]* voxels? (is|are) /, 'Voxels are ')
  return `${text} In ${g.caseKeys.length} cases: ${listCases(g.caseKeys)}.`
}

/** "a, b, c" or "a, b, … and 12 more". */
export function listCases(keys: readonly string[]): string {
  if (keys.length <= LISTED) return keys.join(', ')
  return `${keys.slice(0, LISTED).join(', ')}, … and ${keys.length - LISTED} more`
}
