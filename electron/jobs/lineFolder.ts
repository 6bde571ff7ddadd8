// A child's output stream as a terminal shows it: "\n" ends a line, a lone "\r" returns to the
// line's start so what follows replaces it. tqdm redraws its bar that way, ten times a second; read
// as separate lines, one prediction became 369 lines of the log. Folded, a bar is one line that
// updates while it runs and keeps its last state.

export type FoldedEmit = (text: string, final: boolean) => void

export class LineFolder {
  /** Bytes of the current line not yet ended by "\n". */
  private rest = ''
  /** What the current (redrawn) line last showed; "" until it was drawn. */
  private shown = ''
  /** The partial look emitted last, so an unchanged redraw is not sent again. */
  private lastEmitted = ''

  /**
   * Feeds a chunk. Emits each ended line once with final = true, and the current look of a line
   * being redrawn with final = false (only when it changed).
   */
  push(chunk: string, emit: FoldedEmit): void {
    let buf = this.rest + chunk
    let nl = buf.indexOf('\n')
    while (nl >= 0) {
      const view = lastDrawn(buf.slice(0, nl).replace(/\r$/, ''))
      this.shown = ''
      this.lastEmitted = ''
      emit(view, true)
      buf = buf.slice(nl + 1)
      nl = buf.indexOf('\n')
    }
    // A trailing "\r" may be the first half of "\r\n": decide when the next chunk comes.
    const cr = buf.slice(0, buf.endsWith('\r') ? -1 : undefined).lastIndexOf('\r')
    if (cr >= 0) {
      // Only the text after the last return can still show; what came before it is overwritten.
      const head = buf.slice(0, cr)
      const drawn = lastDrawn(head)
      if (drawn) this.shown = drawn
      buf = buf.slice(cr)
      const view = lastDrawn(buf.replace(/\r$/, '')) || this.shown
      if (view && view !== this.lastEmitted) {
        this.lastEmitted = view
        emit(view, false)
      }
    }
    this.rest = buf
  }

  /** The stream closed: a line without its "\n" still counts. */
  end(emit: FoldedEmit): void {
    const text = lastDrawn(this.rest.replace(/\r$/, '')) || this.shown
    if (text || this.rest) emit(text, true)
    this.rest = ''
    this.shown = ''
    this.lastEmitted = ''
  }
}

/** The text a terminal shows for a line holding carriage returns: the last non-empty part. */
function lastDrawn(line: string): string {
  const parts = line.split('\r')
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i]) return parts[i]!
  return ''
}
