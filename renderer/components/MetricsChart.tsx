// A small line chart for training curves (loss, Dice) drawn as SVG: no chart library, readable
// axes, a legend, and a title that says what is plotted.
import type { Series } from '../lib/chartMath'
import { domainOf, linePath, scale } from '../lib/chartMath'

const COLORS = ['#3b82c4', '#d9822b', '#2f9e6e', '#9b59b6', '#c0392b', '#7f8c8d']
const W = 360
const H = 170
const PAD = { left: 44, right: 10, top: 10, bottom: 26 }
/** Width of one tick-label character at the 10 px tick font (digits are about 0.6 em). */
const TICK_CHAR = 6.2

interface Props {
  title: string
  series: Series[]
  /** Fixed y range (Dice is 0..1); otherwise from the data. */
  yDomain?: { min: number; max: number }
  testId?: string
}

function ticks(min: number, max: number, n: number): number[] {
  const out: number[] = []
  for (let i = 0; i <= n; i++) out.push(min + ((max - min) * i) / n)
  return out
}

/** Tick labels with as many digits as the range needs (a learning rate of 0.00998 is not "0.01"). */
function tickText(t: number, d: { min: number; max: number }): string {
  if (Math.abs(t) >= 100) return t.toFixed(0)
  const span = Math.abs(d.max - d.min)
  return span > 0 && span < 0.05 ? t.toPrecision(3) : t.toFixed(2)
}

export function MetricsChart({ title, series, yDomain, testId }: Props) {
  const drawn = series.filter((s) => s.points.length > 0)
  // Epochs are whole numbers: the x axis runs from the first to the last one drawn, unpadded.
  const xs = drawn.flatMap((s) => s.points.map((p) => p.x))
  const xMin = xs.length ? Math.min(...xs) : 0
  const xDomain = { min: xMin, max: Math.max(xMin + 1, xs.length ? Math.max(...xs) : 1) }
  const yd = yDomain ?? domainOf(drawn, (p) => p.y, { min: 0, max: 1 })
  const yTicks = ticks(yd.min, yd.max, 4).map((t) => ({ t, text: tickText(t, yd) }))
  // The plot starts where the longest y label ends: a learning rate of 0.00896 must not lose its "0".
  const left = Math.max(PAD.left, 10 + TICK_CHAR * Math.max(...yTicks.map((y) => y.text.length)))
  const w = W - left - PAD.right
  const h = H - PAD.top - PAD.bottom
  const points = drawn.reduce((n, s) => n + s.points.length, 0)
  return (
    <figure className="chart" data-testid={testId} data-points={points}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${points} points`}>
        <g transform={`translate(${left},${PAD.top})`}>
          {yTicks.map(({ t, text }) => {
            const y = scale(t, yd, h, 0)
            return (
              <g key={t}>
                <line x1={0} x2={w} y1={y} y2={y} className="chart-grid" />
                <text x={-6} y={y + 3} textAnchor="end" className="chart-tick">
                  {text}
                </text>
              </g>
            )
          })}
          {ticks(xDomain.min, xDomain.max, Math.min(5, xDomain.max - xDomain.min)).map((t) => (
            <text key={t} x={scale(t, xDomain, 0, w)} y={h + 16} textAnchor="middle" className="chart-tick">
              {Math.round(t)}
            </text>
          ))}
          <line x1={0} x2={w} y1={h} y2={h} className="chart-axis" />
          {drawn.map((s, i) => (
            <g key={s.name}>
              <path d={linePath(s.points, xDomain, yd, w, h)} fill="none" stroke={s.color ?? COLORS[i % COLORS.length]} strokeWidth={i === 0 ? 2 : 1.5} data-series={s.name} />
              {s.points.length === 1 && <circle cx={scale(s.points[0]!.x, xDomain, 0, w)} cy={scale(s.points[0]!.y, yd, h, 0)} r={3} fill={s.color ?? COLORS[i % COLORS.length]} />}
            </g>
          ))}
        </g>
      </svg>
      <div className="chart-legend">
        {drawn.length === 0 && <span className="muted small">Waiting for the first epoch…</span>}
        {drawn.map((s, i) => (
          <span key={s.name} className="small" data-testid="chart-legend-item">
            <span className="swatch" style={{ background: s.color ?? COLORS[i % COLORS.length] }} /> {s.name}
          </span>
        ))}
        <span className="muted small">x: epoch</span>
      </div>
    </figure>
  )
}
