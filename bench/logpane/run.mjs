// Benchmark: 100k log lines appended at full speed into the app's LogPane, in headless Chromium.
//
//   node bench/logpane/run.mjs [--lines 100000] [--batch 1000] [--interval 0] [--runs 3] [--json bench/out/logpane.json]
//
// The page (bench/logpane/harness.tsx, built here with esbuild in production mode) mounts the real
// LogPane + jobs store and feeds lines through the store's handleEvent({type:'log'}), the path the
// Api's event stream takes: the events are serialised beforehand and each is JSON.parse'd in its
// own task (as renderer/api.ts does per server-sent event), then handed to the store. --interval 0 = every batch in its own task, back to back (full speed);
// --interval 50 = one batch per 50 ms, like the job manager's flush. Measured in the page:
// requestAnimationFrame deltas (the longest is the "longest frame"), PerformanceObserver long
// tasks, time until the last line's row is drawn; JS heap from the DevTools protocol
// (Performance.getMetrics) before, after, and after a forced GC. Then a scroll sweep over the
// 100k lines (one jump per frame) for scroll frame times.
/* global window, document */ // used only inside page.evaluate callbacks, which run in the page
import console from 'node:console'
import { build } from 'esbuild'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { launch, jsHeap, serveDir } from '../lib/browser.mjs'
import { machineLoad, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '0' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string', default: join(repoRoot, 'bench', 'out', 'logpane.json') },
  },
})
const total = Number(opt.lines)
const batch = Number(opt.batch)
const interval = Number(opt.interval)
const SMOOTH_MS = 50 // a frame over 50 ms is a "long task" (RAIL); used as the smoothness bar

// ---- build the harness page ---------------------------------------------------------------------
const outDir = join(repoRoot, 'bench', 'out', 'logpane-page')
mkdirSync(outDir, { recursive: true })
const appCss = join(repoRoot, 'renderer', 'styles.css')
const entry = join(outDir, 'entry.tsx')
writeFileSync(entry, `${existsSync(appCss) ? `import ${JSON.stringify(appCss)}\n` : ''}import ${JSON.stringify(join(repoRoot, 'bench/logpane/harness.tsx'))}\n`)
await build({
  entryPoints: { harness: entry },
  bundle: true,
  outdir: outDir,
  format: 'esm',
  jsx: 'automatic',
  minify: true,
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.woff2': 'file', '.woff': 'file', '.svg': 'file', '.png': 'file' },
  logLevel: 'warning',
})
writeFileSync(join(outDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>LogPane bench</title>
${existsSync(join(outDir, 'harness.css')) ? '<link rel="stylesheet" href="harness.css">' : ''}
<style>body{margin:0;width:1280px} .logpane-scroll{overflow:auto;position:relative}</style></head>
<body><div id="root"></div><script type="module" src="harness.js"></script></body></html>`)
console.log(`harness: real LogPane + jobs store, esbuild production bundle${existsSync(appCss) ? ' + renderer/styles.css' : ' (renderer/styles.css not found: minimal CSS)'}`)

// ---- run ----------------------------------------------------------------------------------------
const server = await serveDir(outDir)
const browser = await launch()
console.log(`chromium ${browser.version()}; ${total} lines, batches of ${batch}, ${interval ? `one per ${interval} ms` : 'back to back (full speed)'}`)
const load0 = machineLoad()
const results = []
try {
  for (let i = 1; i <= Number(opt.runs); i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.waitForFunction(() => window.__bench && document.querySelector('[data-testid="log-pane"]'), null, { timeout: 15000 })
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const before = await jsHeap(cdp, { gc: true })
    await page.evaluate(([t, b]) => window.__bench.prepare(t, b), [total, batch]) // serialise the events (not measured)
    await cdp.send('HeapProfiler.collectGarbage')
    const r = await page.evaluate((iv) => window.__bench.feed(iv), interval)
    const after = await jsHeap(cdp)
    const afterGc = await jsHeap(cdp, { gc: true })
    const count = await page.evaluate(() => window.__bench.lines())
    const shown = await page.getByTestId('log-line-count').textContent()
    const scroll = await page.evaluate(() => window.__bench.scrollTest(60))
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
    if (count !== total) throw new Error(`the store holds ${count} lines, expected ${total}`)
    const frames = r.frames.slice(1)
    const sorted = [...frames].sort((a, b) => a - b)
    const res = {
      run: i,
      feedMs: r.feedMs,
      drawnMs: r.drawnMs,
      longestFrameMs: Math.max(...frames),
      p95FrameMs: sorted[Math.floor(sorted.length * 0.95)],
      frames: frames.length,
      framesOver50: frames.filter((f) => f > SMOOTH_MS).length,
      longTasks: r.longTasks.length,
      longestTaskMs: r.longTasks.length ? Math.max(...r.longTasks) : 0,
      scrollLongestFrameMs: Math.max(...scroll),
      scrollMedianFrameMs: median(scroll),
      heapBeforeMB: before.usedMB,
      heapAfterMB: after.usedMB,
      heapAfterGcMB: afterGc.usedMB,
      domNodes: afterGc.domNodes,
      lineCountText: shown?.trim(),
      lastRow: r.lastRowText.slice(0, 60),
    }
    results.push(res)
    console.log(`  run ${i}: fed in ${res.feedMs.toFixed(0)} ms, last line drawn at ${res.drawnMs.toFixed(0)} ms, longest frame ${res.longestFrameMs.toFixed(1)} ms, heap ${res.heapAfterGcMB.toFixed(1)} MB after GC ("${res.lineCountText}")`)
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
}
const load1 = machineLoad()

const col = (k, d = 1) => results.map((r) => r[k].toFixed(d))
console.log('')
console.log(table(['run', 'feed ms', 'drawn ms', 'longest frame ms', 'p95 frame ms', 'frames>50ms', 'long tasks', 'longest task ms', 'scroll longest ms', 'heap before MB', 'heap after MB', 'heap after GC MB', 'DOM nodes'],
  results.map((r, i) => [r.run, col('feedMs', 0)[i], col('drawnMs', 0)[i], col('longestFrameMs')[i], col('p95FrameMs')[i], r.framesOver50, r.longTasks, col('longestTaskMs')[i],
    col('scrollLongestFrameMs')[i], col('heapBeforeMB')[i], col('heapAfterMB')[i], col('heapAfterGcMB')[i], r.domNodes])))
const worst = Math.max(...results.map((r) => r.longestFrameMs))
const medLongest = median(results.map((r) => r.longestFrameMs))
console.log(`\nlongest frame while appending ${total} lines: median of runs ${medLongest.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (bar: ${SMOOTH_MS} ms) ${worst <= SMOOTH_MS ? 'PASS' : 'FAIL'}`)
console.log(`JS heap after ${total} lines (after GC): median ${median(results.map((r) => r.heapAfterGcMB)).toFixed(1)} MB`)
console.log(`machine load: before ${load0.loadavg.join(' ')}, after ${load1.loadavg.join(' ')} (${load0.cores} cores)`)
mkdirSync(join(opt.json, '..'), { recursive: true })
writeFileSync(opt.json, JSON.stringify({ when: new Date().toISOString(), total, batch, interval, machine: { before: load0, after: load1 }, results }, null, 1))
console.log(`wrote ${opt.json}`)
