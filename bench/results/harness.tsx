// Bench harness: the Results step's real case table (renderer/steps/results/CaseTable with its
// sort, caseRows.ts) mounted alone with generated results: N cases x F folds x L labels, each a
// CaseResult as the service's results() returns it. Driven by bench/results/run.mjs through
// window.__bench: sort by several columns, then scroll the whole list, one change per frame, while
// requestAnimationFrame deltas and long tasks are recorded. Nothing in the app imports this file.
import { useState } from 'react'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import type { CaseResult } from '../../shared/api'
import { CaseTable } from '../../renderer/steps/results/CaseTable'
import { DEFAULT_SORT, type CaseSort } from '../../renderer/steps/results/caseRows'

let setSortFn: ((s: CaseSort) => void) | null = null
let data: { cases: CaseResult[]; labels: string[] } = { cases: [], labels: [] }

/** A deterministic pseudo-random stream (no Math.random: the same table every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function generate(cases: number, folds: number, labels: number): number {
  const r = rng(42)
  const names = Array.from({ length: labels }, (_, i) => ['liver', 'tumour', 'vessel', 'spleen', 'kidney'][i] ?? `label${i + 1}`)
  const out: CaseResult[] = []
  for (let f = 0; f < folds; f++)
    for (let c = 0; c < cases; c++) {
      const id = `case_${String(c + 1).padStart(4, '0')}`
      const dice: Record<string, number | null> = {}
      const fp: Record<string, number | null> = {}
      const fn: Record<string, number | null> = {}
      for (const n of names) {
        const absent = r() < 0.03
        dice[n] = absent ? null : Math.min(1, Math.max(0, 0.85 + (r() - 0.7) * 0.6))
        fp[n] = absent ? 0 : Math.round(r() * 50_000)
        fn[n] = absent ? 0 : Math.round(r() * 50_000)
      }
      out.push({ case: id, fold: f, model: `nnUNetTrainer__nnUNetPlans__3d_fullres`, configuration: '3d_fullres', dice, fp, fn, reference: `/r/gt/${id}.nii.gz`, prediction: `/r/fold_${f}/validation/${id}.nii.gz` })
    }
  data = { cases: out, labels: names }
  root.render(<Bench />)
  return out.length
}

function Bench() {
  const [sort, setSort] = useState<CaseSort>(DEFAULT_SORT)
  setSortFn = setSort
  return <CaseTable cases={data.cases} labels={data.labels} sort={sort} onSort={setSort} />
}

interface Measured {
  frames: number[]
  longTasks: number[]
  /** Per action, ms from the state change until the rows are in the DOM. */
  actionMs: number[]
}

const frame = () => new Promise<number>((r) => requestAnimationFrame(r))

/** Runs `actions` one per frame while recording frame deltas. */
async function measure(actions: (() => void)[]): Promise<Measured> {
  const frames: number[] = []
  const longTasks: number[] = []
  const actionMs: number[] = []
  const po = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)))
  po.observe({ type: 'longtask' })
  let running = true
  let last = performance.now()
  const raf = (t: number) => {
    frames.push(t - last)
    last = t
    if (running) requestAnimationFrame(raf)
  }
  requestAnimationFrame(raf)
  for (let i = 0; i < 5; i++) await frame()
  for (const a of actions) {
    const t0 = performance.now()
    flushSync(a)
    actionMs.push(performance.now() - t0)
    await frame()
  }
  for (let i = 0; i < 5; i++) await frame()
  running = false
  po.disconnect()
  return { frames: frames.slice(1), longTasks, actionMs }
}

async function sortTest(): Promise<Measured> {
  const l = data.labels
  const keys: CaseSort[] = [
    { key: `dice:${l[0]}`, ascending: true },
    { key: `dice:${l[0]}`, ascending: false },
    { key: `fp:${l[1] ?? l[0]}`, ascending: false },
    { key: `fn:${l[2] ?? l[0]}`, ascending: false },
    { key: 'case', ascending: true },
    { key: 'fold', ascending: true },
    { key: 'model', ascending: true },
    DEFAULT_SORT,
  ]
  return measure(keys.map((k) => () => setSortFn!(k)))
}

async function scrollTest(steps: number): Promise<Measured> {
  const el = document.querySelector<HTMLElement>('[data-testid="case-table-body"]')!
  const max = el.scrollHeight - el.clientHeight
  // A sweep down the whole list in `steps` jumps, then a stretch of wheel-sized steps.
  const actions = [...Array.from({ length: steps + 1 }, (_, i) => () => void (el.scrollTop = (max * i) / steps)), ...Array.from({ length: 120 }, (_, i) => () => void (el.scrollTop = max / 2 + i * 100))]
  // scrollTop fires the scroll event asynchronously: dispatch it so React renders in this frame.
  return measure(actions.map((a) => () => {
    a()
    el.dispatchEvent(new Event('scroll'))
  }))
}

const rowsInDom = () => document.querySelectorAll('[data-testid="case-row"]').length
const firstRow = () => document.querySelector('[data-testid="case-row"]')?.textContent ?? ''

const root = createRoot(document.getElementById('root')!)
// A property of its own (the log pane bench declares window.__bench with its own type).
;(window as unknown as { __bench: unknown }).__bench = { generate, sortTest, scrollTest, rowsInDom, firstRow }
