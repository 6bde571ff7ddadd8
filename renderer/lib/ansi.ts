// ANSI escape handling for the log pane. nnU-Net, pip and tqdm colour their output and redraw
// progress bars with carriage returns; the pane shows colours (SGR) as styled spans and drops
// every other escape, so a line never shows raw "\x1b[2K" noise.

export interface AnsiStyle {
  /** 0-15 for the classic palette (CSS class ansi-fg-N), or a CSS colour for 256-colour/true colour. */
  fg?: number | string
  bg?: number | string
  bold?: boolean
  dim?: boolean
  italic?: boolean
  underline?: boolean
}

export interface AnsiSegment extends AnsiStyle {
  text: string
}

// CSI sequences (ESC [ params final), OSC sequences (ESC ] ... BEL or ESC \), and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g

/** The 256-colour cube and grey ramp above the 16 classic colours, as a CSS rgb(). */
export function xterm256(n: number): number | string {
  if (n < 16) return n
  if (n >= 232) {
    const v = 8 + (n - 232) * 10
    return `rgb(${v},${v},${v})`
  }
  const i = n - 16
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40)
  return `rgb(${step(Math.floor(i / 36))},${step(Math.floor(i / 6) % 6)},${step(i % 6)})`
}

function applySgr(style: AnsiStyle, params: number[]): AnsiStyle {
  const s: AnsiStyle = { ...style }
  if (params.length === 0) params = [0]
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!
    if (p === 0) {
      for (const k of Object.keys(s) as (keyof AnsiStyle)[]) delete s[k]
    } else if (p === 1) s.bold = true
    else if (p === 2) s.dim = true
    else if (p === 3) s.italic = true
    else if (p === 4) s.underline = true
    else if (p === 22) {
      delete s.bold
      delete s.dim
    } else if (p === 23) delete s.italic
    else if (p === 24) delete s.underline
    else if (p >= 30 && p <= 37) s.fg = p - 30
    else if (p >= 90 && p <= 97) s.fg = p - 90 + 8
    else if (p === 39) delete s.fg
    else if (p >= 40 && p <= 47) s.bg = p - 40
    else if (p >= 100 && p <= 107) s.bg = p - 100 + 8
    else if (p === 49) delete s.bg
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg'
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        s[key] = xterm256(params[i + 2]!)
        i += 2
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        s[key] = `rgb(${params[i + 2]},${params[i + 3]},${params[i + 4]})`
        i += 4
      }
    }
  }
  return s
}

/** Keeps what a terminal would show after carriage returns: the text after the last "\r". */
function afterCarriageReturn(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line
  const cr = trimmed.lastIndexOf('\r')
  return cr >= 0 ? trimmed.slice(cr + 1) : trimmed
}

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return a.fg === b.fg && a.bg === b.bg && !!a.bold === !!b.bold && !!a.dim === !!b.dim && !!a.italic === !!b.italic && !!a.underline === !!b.underline
}

/** Splits one log line into styled segments; each line starts unstyled (lines are independent). */
export function parseAnsi(line: string): AnsiSegment[] {
  const text = afterCarriageReturn(line)
  const out: AnsiSegment[] = []
  let style: AnsiStyle = {}
  let last = 0
  const push = (chunk: string) => {
    if (!chunk) return
    const prev = out[out.length - 1]
    if (prev && sameStyle(prev, style)) prev.text += chunk
    else out.push({ ...style, text: chunk })
  }
  ESCAPE.lastIndex = 0
  for (let m = ESCAPE.exec(text); m; m = ESCAPE.exec(text)) {
    push(text.slice(last, m.index))
    last = m.index + m[0].length
    if (m[2] === 'm') {
      const params = (m[1] ?? '')
        .split(';')
        .filter((x) => x !== '' && x !== '?')
        .map(Number)
      style = applySgr(style, params)
    }
  }
  push(text.slice(last))
  return out
}

/** The plain text of a line, as copied to the clipboard or searched. */
export function stripAnsi(line: string): string {
  ESCAPE.lastIndex = 0
  return afterCarriageReturn(line).replace(ESCAPE, '')
}
