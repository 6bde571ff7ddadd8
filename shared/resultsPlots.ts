// The results plots as SVG text: one drawing for the Results step and the HTML report (which must
// work offline and print, so no chart library and no canvas). Pure: data in, markup out; every
// piece of text that came from disk (label, model names) is escaped.
import type { CaseResult, EpochMetrics, FoldResult } from './api'

export const FOLD_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
export const TEST_COLOUR = '#c2185b'

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const f2 = (n: number) => (Math.round(n * 100) / 100).toString()

/** Quartiles by linear interpolation (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** A stable pseudo-random offset in [-1, 1] for a case, so the strip looks the same every time. */
function jitter(key: string): number {
  let h = 2166136261
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
  return ((h >>> 0) / 0xffffffff) * 2 - 1
}

export interface StripPlotOptions {
  title?: string
  width?: number
  height?: number
}

/**
 * Per-label per-case Dice of one model: a box (quartiles, median, whiskers to min/max) with every
 * case as a dot over it; validation cases coloured by fold, test cases in their own colour and
 * their own column beside the cross-validation one.
 */
export function diceStripPlot(cases: readonly CaseResult[], labels: readonly string[], opts: StripPlotOptions = {}): string {
  const groups: { label: string; test: boolean; items: CaseResult[] }[] = []
  for (const label of labels) {
    const cv = cases.filter((c) => c.fold !== 'test')
    const ts = cases.filter((c) => c.fold === 'test')
    if (cv.length) groups.push({ label, test: false, items: cv })
    if (ts.length) groups.push({ label, test: true, items: ts })
  }
  const width = opts.width ?? Math.max(320, 90 + groups.length * 90)
  const height = opts.height ?? 260
  const m = { l: 46, r: 12, t: opts.title ? 26 : 10, b: 44 }
  const pw = width - m.l - m.r
  const ph = height - m.t - m.b
  const y = (d: number) => m.t + (1 - d) * ph
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="plot dice-strip" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title ?? 'Dice per case')}">`]
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`)
  if (opts.title) out.push(`<text x="${m.l}" y="16" font-size="13" font-weight="600">${escapeXml(opts.title)}</text>`)
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${f2(y(t))}" y2="${f2(y(t))}" stroke="#ddd"/>`)
    out.push(`<text x="${m.l - 6}" y="${f2(y(t) + 4)}" font-size="10" text-anchor="end">${t.toFixed(2)}</text>`)
  }
  out.push(`<text x="12" y="${f2(m.t + ph / 2)}" font-size="11" transform="rotate(-90 12 ${f2(m.t + ph / 2)})" text-anchor="middle">Dice</text>`)
  const gw = groups.length ? pw / groups.length : pw
  groups.forEach((g, i) => {
    const cx = m.l + gw * (i + 0.5)
    const values = g.items.flatMap((c) => {
      const d = c.dice[g.label]
      return d === null || d === undefined ? [] : [d]
    })
    const sorted = [...values].sort((a, b) => a - b)
    const bw = Math.min(48, gw * 0.6)
    if (sorted.length) {
      const [q1, med, q3] = [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)]
      out.push(`<line x1="${f2(cx)}" x2="${f2(cx)}" y1="${f2(y(sorted[0]!))}" y2="${f2(y(sorted[sorted.length - 1]!))}" stroke="#888"/>`)
      out.push(`<rect class="box" x="${f2(cx - bw / 2)}" y="${f2(y(q3))}" width="${f2(bw)}" height="${f2(Math.max(1, y(q1) - y(q3)))}" fill="${g.test ? '#fce4ec' : '#eef3f8'}" stroke="#888"/>`)
      out.push(`<line x1="${f2(cx - bw / 2)}" x2="${f2(cx + bw / 2)}" y1="${f2(y(med))}" y2="${f2(y(med))}" stroke="#333" stroke-width="2"/>`)
    }
    for (const c of g.items) {
      const d = c.dice[g.label]
      if (d === null || d === undefined) continue
      const colour = c.fold === 'test' ? TEST_COLOUR : FOLD_COLOURS[c.fold % FOLD_COLOURS.length]!
      const x = cx + jitter(`${c.case}/${c.fold}/${c.model}`) * bw * 0.45
      out.push(`<circle class="case-dot" cx="${f2(x)}" cy="${f2(y(d))}" r="3" fill="${colour}" fill-opacity="0.8"><title>${escapeXml(`${c.case} (${c.fold === 'test' ? 'test' : `fold ${c.fold}`}): ${g.label} ${d.toFixed(4)}`)}</title></circle>`)
    }
    const missing = g.items.length - values.length
    out.push(`<text x="${f2(cx)}" y="${height - m.b + 16}" font-size="11" text-anchor="middle">${escapeXml(g.label)}</text>`)
    out.push(`<text x="${f2(cx)}" y="${height - m.b + 30}" font-size="10" text-anchor="middle" fill="${g.test ? TEST_COLOUR : '#555'}">${g.test ? 'test' : 'cross-val.'} n=${values.length}${missing ? ` (+${missing} NaN)` : ''}</text>`)
  })
  if (!groups.length) out.push(`<text x="${f2(width / 2)}" y="${f2(height / 2)}" text-anchor="middle" font-size="12" fill="#777">no scored cases yet</text>`)
  out.push('</svg>')
  return out.join('')
}

export interface CurveOptions {
  title?: string
  width?: number
  height?: number
}

function meanDice(e: EpochMetrics): number | undefined {
  const d = (e.dice ?? []).filter((x) => Number.isFinite(x))
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : undefined
}

/**
 * The training curves of every fold of one model overlaid: train loss (solid) and validation loss
 * (dashed) on the left axis, mean pseudo Dice (dotted) on the right axis (0..1); one colour per fold.
 */
export function trainingCurvesPlot(folds: readonly Pick<FoldResult, 'fold' | 'curves'>[], opts: CurveOptions = {}): string {
  const width = opts.width ?? 520
  const height = opts.height ?? 240
  const m = { l: 50, r: 44, t: opts.title ? 26 : 10, b: 40 }
  const pw = width - m.l - m.r
  const ph = height - m.t - m.b
  const withData = folds.filter((f) => f.curves.length)
  const maxEpoch = Math.max(1, ...withData.flatMap((f) => f.curves.map((e) => e.epoch)))
  const losses = withData.flatMap((f) => f.curves.flatMap((e) => [e.trainLoss, e.valLoss])).filter((v): v is number => v !== undefined && Number.isFinite(v))
  let lo = losses.length ? Math.min(...losses) : 0
  let hi = losses.length ? Math.max(...losses) : 1
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5]
  const x = (ep: number) => m.l + (ep / maxEpoch) * pw
  const yl = (v: number) => m.t + (1 - (v - lo) / (hi - lo)) * ph
  const yd = (v: number) => m.t + (1 - v) * ph
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="plot training-curves" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title ?? 'Training curves')}">`]
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`)
  if (opts.title) out.push(`<text x="${m.l}" y="16" font-size="13" font-weight="600">${escapeXml(opts.title)}</text>`)
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4
    out.push(`<line x1="${m.l}" x2="${width - m.r}" y1="${f2(yl(v))}" y2="${f2(yl(v))}" stroke="#eee"/>`)
    out.push(`<text x="${m.l - 6}" y="${f2(yl(v) + 4)}" font-size="10" text-anchor="end">${v.toFixed(2)}</text>`)
    out.push(`<text x="${width - m.r + 6}" y="${f2(yd(i / 4) + 4)}" font-size="10">${(i / 4).toFixed(2)}</text>`)
  }
  out.push(`<text x="${f2(m.l + pw / 2)}" y="${height - 8}" font-size="11" text-anchor="middle">epoch (0 to ${maxEpoch})</text>`)
  out.push(`<text x="12" y="${f2(m.t + ph / 2)}" font-size="11" transform="rotate(-90 12 ${f2(m.t + ph / 2)})" text-anchor="middle">loss</text>`)
  out.push(`<text x="${width - 6}" y="${f2(m.t + ph / 2)}" font-size="11" transform="rotate(90 ${width - 6} ${f2(m.t + ph / 2)})" text-anchor="middle">pseudo Dice</text>`)
  const path = (pts: [number, number][]) => pts.map(([px, py], i) => `${i ? 'L' : 'M'}${f2(px)},${f2(py)}`).join('')
  for (const f of withData) {
    const colour = f.fold === 'all' ? '#000' : FOLD_COLOURS[f.fold % FOLD_COLOURS.length]!
    const series = (pick: (e: EpochMetrics) => number | undefined, yf: (v: number) => number) =>
      f.curves.flatMap((e): [number, number][] => {
        const v = pick(e)
        return v === undefined || !Number.isFinite(v) ? [] : [[x(e.epoch), yf(v)]]
      })
    const label = escapeXml(`fold ${f.fold}`)
    const tr = series((e) => e.trainLoss, yl)
    const va = series((e) => e.valLoss, yl)
    const di = series(meanDice, yd)
    const one = (pts: [number, number][], dash: string, what: string) =>
      pts.length === 1
        ? `<circle cx="${f2(pts[0]![0])}" cy="${f2(pts[0]![1])}" r="2.5" fill="${colour}"><title>${label} ${what}</title></circle>`
        : pts.length
          ? `<path class="curve" d="${path(pts)}" fill="none" stroke="${colour}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${label} ${what}</title></path>`
          : ''
    out.push(one(tr, '', 'train loss'), one(va, '5 3', 'validation loss'), one(di, '1 3', 'mean pseudo Dice'))
  }
  // Legend: folds by colour, the three line styles.
  let lx = m.l
  for (const f of withData) {
    const colour = f.fold === 'all' ? '#000' : FOLD_COLOURS[f.fold % FOLD_COLOURS.length]!
    out.push(`<rect x="${lx}" y="${height - 24}" width="10" height="3" fill="${colour}"/><text x="${lx + 13}" y="${height - 20}" font-size="10">fold ${escapeXml(String(f.fold))}</text>`)
    lx += 52
  }
  out.push(`<text x="${width - m.r}" y="${height - 20}" font-size="10" text-anchor="end">— train loss  - - val. loss  ··· pseudo Dice</text>`)
  if (!withData.length) out.push(`<text x="${f2(width / 2)}" y="${f2(height / 2)}" text-anchor="middle" font-size="12" fill="#777">no training log yet</text>`)
  out.push('</svg>')
  return out.join('')
}
