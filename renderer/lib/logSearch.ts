// Search in a job's log: indices of the lines that contain the query (case-insensitive, ANSI
// codes ignored), and stepping through them with wrap-around.
import { stripAnsi } from './ansi'

export function findMatches(lines: readonly { text: string }[], query: string): number[] {
  const q = query.trim().toLowerCase()
  if (!q) return []
  const out: number[] = []
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.text
    // Cheap test on the raw text first: escapes rarely split a word, and stripping every line is slow.
    if (t.toLowerCase().includes(q) || (t.includes('\x1b') && stripAnsi(t).toLowerCase().includes(q))) out.push(i)
  }
  return out
}

/** The next match position (into `matches`) after `current`, wrapping; -1 when there is none. */
export function stepMatch(matchCount: number, current: number, direction: 1 | -1): number {
  if (matchCount === 0) return -1
  if (current < 0) return direction === 1 ? 0 : matchCount - 1
  return (current + direction + matchCount) % matchCount
}

/** Splits a plain text into parts that do and do not match the query, for highlighting. */
export function highlightParts(text: string, query: string): { text: string; hit: boolean }[] {
  const q = query.trim().toLowerCase()
  if (!q) return [{ text, hit: false }]
  const lower = text.toLowerCase()
  const parts: { text: string; hit: boolean }[] = []
  let pos = 0
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > pos) parts.push({ text: text.slice(pos, i), hit: false })
    parts.push({ text: text.slice(i, i + q.length), hit: true })
    pos = i + q.length
  }
  if (pos < text.length) parts.push({ text: text.slice(pos), hit: false })
  return parts
}

/**
 * The counter beside the search field: "3 matches" until one is chosen (never "0 of 3", which
 * read as "none of them"), then "2 of 3"; '' without a query.
 */
export function matchCountText(query: string, matchCount: number, current: number): string {
  if (!query.trim()) return ''
  if (matchCount === 0) return 'no match'
  if (current < 0 || current >= matchCount) return matchCount === 1 ? '1 match' : `${matchCount.toLocaleString('en-US')} matches`
  return `${(current + 1).toLocaleString('en-US')} of ${matchCount.toLocaleString('en-US')}`
}
