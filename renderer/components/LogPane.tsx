// A job's log, virtualised: only the rows in view are in the DOM (fixed row height), so 100k
// lines scroll as smoothly as 100. Colours come from ANSI codes; search highlights matches and
// steps through them; auto-scroll follows new lines until the user scrolls up. A tqdm bar is one
// row that updates (the job sends its redraws under one line number). The error colour is for
// lines that report an error, not for stderr: nnU-Net and tqdm write their progress there. Long
// lines wrap at the pane's width (a slice of the line per row, so the rows keep one height).
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { LogLine } from '../../shared/api'
import { benignNote } from '../../shared/logLevel'
import { parseAnsi, stripAnsi, type AnsiSegment } from '../lib/ansi'
import { findMatches, highlightParts, matchCountText, stepMatch } from '../lib/logSearch'
import { isAtBottom, scrollTopForRow, virtualWindow } from '../lib/virtualWindow'
import { useDebounced } from '../lib/useDebounced'
import { wrapRows } from '../lib/wrapRows'
import { useJobs } from '../store/jobsStore'
import { CopyButton } from './CopyButton'

export const ROW_HEIGHT = 18
/** Horizontal padding of a row (.log-row: 10px each side) and a scroll bar. */
const ROW_PADDING = 20 + 16

/** The width of one character of the log's monospace font, measured once. */
let charWidth = 0
function measureCharWidth(el: HTMLElement): number {
  if (charWidth) return charWidth
  const probe = document.createElement('span')
  probe.className = 'log-row'
  probe.style.cssText = 'position:absolute;visibility:hidden;height:auto;padding:0'
  probe.textContent = '0'.repeat(100)
  el.appendChild(probe)
  charWidth = probe.getBoundingClientRect().width / 100
  el.removeChild(probe)
  return charWidth || 7.2
}

const EMPTY: LogLine[] = []

function segmentStyle(s: AnsiSegment): { className: string; style?: { color?: string; backgroundColor?: string } } {
  const cls: string[] = []
  const style: { color?: string; backgroundColor?: string } = {}
  if (typeof s.fg === 'number') cls.push(`ansi-fg-${s.fg}`)
  else if (s.fg) style.color = s.fg
  if (typeof s.bg === 'number') cls.push(`ansi-bg-${s.bg}`)
  else if (s.bg) style.backgroundColor = s.bg
  if (s.bold) cls.push('ansi-bold')
  if (s.dim) cls.push('ansi-dim')
  if (s.italic) cls.push('ansi-italic')
  if (s.underline) cls.push('ansi-underline')
  return { className: cls.join(' '), style: style.color || style.backgroundColor ? style : undefined }
}

/** log-stderr is the error colour in the style sheet; other stderr lines look like stdout. */
export function lineClass(line: LogLine): string {
  if (line.error) return 'log-stderr log-error'
  return line.stream === 'info' ? 'log-info' : `log-stdout${line.partial ? ' log-partial' : ''}`
}

const LogRow = memo(function LogRow({ line, query, current }: { line: LogLine; query: string; current: boolean }) {
  const cls = `log-row ${lineClass(line)}${current ? ' log-current' : ''}`
  if (query) {
    return (
      <div className={cls} data-testid="log-row">
        {highlightParts(stripAnsi(line.text), query).map((p, i) =>
          p.hit ? (
            <mark key={i} className="log-hit">
              {p.text}
            </mark>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
      </div>
    )
  }
  const note = benignNote(line.text)
  return (
    <div className={cls} data-testid="log-row">
      {note && (
        <span className="log-note" title={note} data-testid="log-note">
          ✓{' '}
        </span>
      )}
      {parseAnsi(line.text).map((s, i) => {
        const { className, style } = segmentStyle(s)
        return className || style ? (
          <span key={i} className={className} style={style}>
            {s.text}
          </span>
        ) : (
          <span key={i}>{s.text}</span>
        )
      })}
      {note && <span className="log-note">{`  (${note})`}</span>}
    </div>
  )
})

interface Props {
  jobId: string | undefined
  /** Pixel height of the scrolling area. */
  height?: number
  emptyText?: string
}

export function LogPane({ jobId, height = 320, emptyText = 'No output yet.' }: Props) {
  const buf = useJobs((s) => (jobId ? s.logs[jobId] : undefined))
  const loadLog = useJobs((s) => s.loadLog)
  const lines = buf?.lines ?? EMPTY
  const version = buf?.version ?? 0
  const scroller = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [viewport, setViewport] = useState(height)
  /** Characters per row when long lines wrap (0: not measured yet). */
  const [cols, setCols] = useState(0)
  const [wrap, setWrap] = useState(true)
  const [autoScroll, setAutoScroll] = useState(true)
  const [query, setQuery] = useState('')
  const [current, setCurrent] = useState(-1)
  const debouncedQuery = useDebounced(query, 150)

  useEffect(() => {
    if (jobId) void loadLog(jobId).catch(() => undefined)
  }, [jobId, loadLog])

  useEffect(() => {
    const el = scroller.current
    if (!el) return
    const ro = new ResizeObserver(() => {
      setViewport(el.clientHeight)
      setCols(Math.floor((el.clientWidth - ROW_PADDING) / measureCharWidth(el)))
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  // Matches are recomputed when the query changes or lines arrive (version), not on scroll.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const matches = useMemo(() => findMatches(lines, debouncedQuery), [lines, version, debouncedQuery])
  useEffect(() => setCurrent(-1), [debouncedQuery])
  // Rows on screen: a long line takes several when wrapping.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const layout = useMemo(() => wrapRows(lines.map((l) => stripAnsi(l.text).length), wrap ? cols : 0), [lines, version, wrap, cols])

  useLayoutEffect(() => {
    const el = scroller.current
    if (el && autoScroll) {
      el.scrollTop = el.scrollHeight
      setScrollTop(el.scrollTop)
    }
  }, [version, autoScroll, jobId])

  const goTo = (direction: 1 | -1) => {
    const next = stepMatch(matches.length, current, direction)
    setCurrent(next)
    const el = scroller.current
    if (next >= 0 && el) {
      setAutoScroll(false)
      el.scrollTop = scrollTopForRow(layout.firstRow[matches[next]!] ?? matches[next]!, ROW_HEIGHT, el.scrollTop, el.clientHeight)
      setScrollTop(el.scrollTop)
    }
  }

  const onScroll = () => {
    const el = scroller.current
    if (!el) return
    setScrollTop(el.scrollTop)
    const atBottom = isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight, ROW_HEIGHT)
    if (atBottom !== autoScroll) setAutoScroll(atBottom)
  }

  const w = virtualWindow(layout.rows.length, ROW_HEIGHT, scrollTop, viewport, 12)
  const currentLine = current >= 0 ? matches[current] : undefined
  const rows = []
  for (let i = w.start; i < w.end; i++) {
    const r = layout.rows[i]!
    const line = lines[r.line]!
    // A slice of a wrapped line is plain text (its colours are those of the whole line's class).
    const shown = r.to < 0 ? line : { ...line, text: stripAnsi(line.text).slice(r.from, r.to) }
    rows.push(<LogRow key={`${line.n}:${r.from}`} line={shown} query={debouncedQuery} current={r.line === currentLine} />)
  }

  return (
    <div className="logpane" data-testid="log-pane">
      <div className="logpane-toolbar">
        <input
          type="search"
          className="logpane-search"
          placeholder="Search the log"
          aria-label="Search the log"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              goTo(e.shiftKey ? -1 : 1)
            }
          }}
          data-testid="log-search"
        />
        <span className="muted small" data-testid="log-match-count">
          {matchCountText(debouncedQuery, matches.length, current)}
        </span>
        <button type="button" className="btn btn-small" onClick={() => goTo(-1)} disabled={!matches.length} aria-label="Previous match">
          ↑
        </button>
        <button type="button" className="btn btn-small" onClick={() => goTo(1)} disabled={!matches.length} aria-label="Next match" data-testid="log-next">
          ↓
        </button>
        <span className="grow" />
        <label className="check small">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="log-wrap" />
          Wrap long lines
        </label>
        <label className="check small">
          <input type="checkbox" checked={autoScroll} onChange={(e) => setAutoScroll(e.target.checked)} data-testid="log-autoscroll" />
          Follow new lines
        </label>
        <CopyButton text={() => lines.map((l) => stripAnsi(l.text)).join('\n')} label="Copy all" />
        <CopyButton text={() => window.getSelection()?.toString() ?? ''} label="Copy selection" />
        <span className="muted small" data-testid="log-line-count">
          {lines.length.toLocaleString()} lines
        </span>
      </div>
      <div className="logpane-scroll mono" ref={scroller} onScroll={onScroll} style={{ height }} tabIndex={0} aria-label="Log output" data-testid="log-scroll">
        {lines.length === 0 ? (
          <div className="muted pad">{emptyText}</div>
        ) : (
          <div style={{ height: w.totalHeight, position: 'relative' }}>
            <div style={{ transform: `translateY(${w.offset}px)` }}>{rows}</div>
          </div>
        )}
      </div>
    </div>
  )
}
