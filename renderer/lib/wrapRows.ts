// Long log lines wrap (issue 18, point 10: a long nnU-Net line ran off to the right) while the log
// stays virtualised with one fixed row height: a line longer than the pane is shown as several
// rows, each a slice of its text, so 100k lines still cost one screenful of DOM.

/** One row on screen: line `line` of the log, characters [from, to) of its plain text (to = -1: the whole line, as it is). */
export interface WrapRow {
  line: number
  from: number
  to: number
}

/**
 * The rows for lines of the given plain-text lengths at `cols` characters per row, and the first
 * row of each line (where search jumps to). cols < 1, or no wrapping: one row per line.
 */
export function wrapRows(lengths: readonly number[], cols: number): { rows: WrapRow[]; firstRow: number[] } {
  const rows: WrapRow[] = []
  const firstRow: number[] = new Array<number>(lengths.length)
  const width = Math.floor(cols)
  for (let i = 0; i < lengths.length; i++) {
    firstRow[i] = rows.length
    const n = lengths[i]!
    if (width < 1 || n <= width) {
      rows.push({ line: i, from: 0, to: -1 })
      continue
    }
    for (let from = 0; from < n; from += width) rows.push({ line: i, from, to: Math.min(n, from + width) })
  }
  return { rows, firstRow }
}
