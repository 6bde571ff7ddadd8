// Bench harness: the app's real LogPane component and real jobs store (renderer/components/LogPane,
// renderer/store/jobsStore), mounted alone in a page, fed log lines through the store's
// handleEvent({type:'log'}) exactly as the Api's event stream feeds it (each event JSON.parse'd
// from its serialised form first, like renderer/api.ts does for server-sent events). Built by bench/logpane/run.mjs
// with esbuild; nothing in the app imports this file.
import { createRoot } from 'react-dom/client'
import type { LogLine } from '../../shared/api'
import { LogPane } from '../../renderer/components/LogPane'
import { useJobs } from '../../renderer/store/jobsStore'

const JOB = 'bench-logpane'

// A job that exists and has its (empty) history loaded, so the pane never calls the Api.
useJobs.setState({
  jobs: { [JOB]: { id: JOB, kind: 'train', title: 'bench', state: 'running', createdAt: Date.now(), logLines: 0 } },
  logs: { [JOB]: { lines: [], version: 0, historyLoaded: true } },
})

const EPOCH = 1_764_200_000_000
/** nnU-Net-like training output: timestamps, losses, some ANSI-coloured and some stderr lines. */
function makeLine(n: number): LogLine {
  const ts = new Date(EPOCH + n * 37).toISOString().replace('T', ' ').replace('Z', '')
  const e = Math.floor(n / 500)
  switch (n % 10) {
    case 0:
      return { n, stream: 'stdout', text: `${ts}: Epoch ${e}` }
    case 1:
      return { n, stream: 'stdout', text: `${ts}: Current learning rate: ${(0.01 * (1 - e / 1000) ** 0.9).toFixed(5)}` }
    case 2:
      return { n, stream: 'stdout', text: `${ts}: train_loss ${(-0.3 - (n % 977) / 2000).toFixed(4)}` }
    case 3:
      return { n, stream: 'stdout', text: `${ts}: val_loss ${(-0.25 - (n % 811) / 2100).toFixed(4)}` }
    case 4:
      return { n, stream: 'stdout', text: `${ts}: Pseudo dice [${((n % 89) / 100).toFixed(4)}, ${((n % 61) / 100).toFixed(4)}]` }
    case 5:
      return { n, stream: 'stdout', text: `${ts}: Epoch time: ${(40 + (n % 13) / 7).toFixed(2)} s` }
    case 6:
      return { n, stream: 'stdout', text: `\u001b[32m${ts}\u001b[0m: Yayy! New best EMA pseudo Dice: \u001b[1m${((n % 97) / 100).toFixed(4)}\u001b[0m` }
    case 7:
      return { n, stream: 'stderr', text: `${Math.round((n % 250) / 2.5)}%|\u001b[34m${'█'.repeat((n % 250) / 25)}\u001b[0m| ${n % 250}/250 [00:${String(n % 60).padStart(2, '0')}<00:12, 19.8it/s]` }
    case 8:
      return { n, stream: 'stderr', text: `/opt/venv/lib/python3.11/site-packages/torch/optim/lr_scheduler.py:${n % 300}: UserWarning: a warning that repeats` }
    default:
      return { n, stream: 'stdout', text: `${ts}: line ${n} of a long run with some more text to make it about a hundred characters wide` }
  }
}

interface FeedResult {
  total: number
  batch: number
  intervalMs: number
  feedMs: number
  drawnMs: number
  frames: number[]
  longTasks: number[]
  lastRowText: string
}

let events: string[] | null = null
let prepared = { total: 0, batch: 0 }

/**
 * Serialise the log events up front (not measured): each later gets JSON.parse'd in its own task
 * before handleEvent, as renderer/api.ts does with every server-sent event.
 */
function prepare(total: number, batch: number): number {
  events = []
  for (let n = 0; n < total; ) {
    const lines: LogLine[] = []
    for (let i = 0; i < batch && n < total; i++) lines.push(makeLine(n++))
    events.push(JSON.stringify({ type: 'log', jobId: JOB, lines }))
  }
  prepared = { total, batch }
  return events.length
}

/** Append the prepared lines (see prepare); back to back (intervalMs 0, each batch its own task) or every intervalMs. */
async function feed(intervalMs: number): Promise<FeedResult> {
  const { total, batch } = prepared
  let evs: string[] | null = events
  const frames: number[] = []
  const longTasks: number[] = []
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
  await new Promise((r) => setTimeout(r, 200)) // a few idle frames first
  const t0 = performance.now()
  let k = 0
  const handle = useJobs.getState().handleEvent
  await new Promise<void>((resolve) => {
    const ch = new MessageChannel()
    const step = () => {
      handle(JSON.parse(evs![k++]!))
      if (k >= evs!.length) {
        ch.port1.onmessage = null
        ch.port1.close()
        ch.port2.close()
        evs = events = null // only the store keeps the lines
        resolve()
      }
      else if (intervalMs > 0) setTimeout(step, intervalMs)
      else ch.port2.postMessage(0)
    }
    ch.port1.onmessage = step
    step()
  })
  const feedMs = performance.now() - t0
  // drawn: the row of the last line is in the DOM (auto-scroll follows) and a frame has passed
  const want = `line ${total - 1} `
  const lastText = makeLine(total - 1).text
  let drawnMs = NaN
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => requestAnimationFrame(r))
    const rows = document.querySelectorAll('[data-testid="log-row"]')
    const lastRow = rows[rows.length - 1]?.textContent ?? ''
    if (lastRow.includes(want) || lastRow === lastText.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), '')) {
      drawnMs = performance.now() - t0
      break
    }
  }
  await new Promise((r) => setTimeout(r, 300)) // settle frames
  running = false
  po.disconnect()
  const rows = document.querySelectorAll('[data-testid="log-row"]')
  return { total, batch, intervalMs, feedMs, drawnMs, frames, longTasks, lastRowText: rows[rows.length - 1]?.textContent ?? '' }
}

/** Scroll the pane from bottom to top in `steps` jumps, one per frame; returns the frame deltas. */
async function scrollTest(steps: number): Promise<number[]> {
  const el = document.querySelector<HTMLElement>('[data-testid="log-scroll"]')!
  const frames: number[] = []
  let last = performance.now()
  for (let i = 0; i <= steps; i++) {
    el.scrollTop = el.scrollHeight * (1 - i / steps)
    await new Promise((r) => requestAnimationFrame(r))
    const t = performance.now()
    frames.push(t - last)
    last = t
  }
  return frames.slice(1)
}

declare global {
  interface Window {
    __bench: { prepare: typeof prepare; feed: typeof feed; scrollTest: typeof scrollTest; lines: () => number }
  }
}
window.__bench = { prepare, feed, scrollTest, lines: () => useJobs.getState().logs[JOB]?.lines.length ?? 0 }

createRoot(document.getElementById('root')!).render(<LogPane jobId={JOB} height={480} />)
