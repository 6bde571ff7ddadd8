// Benchmark: the Results step's per-case table with 1,000 cases x 5 folds x 3 labels (5,000 rows),
// in headless Chromium: the longest frame while sorting by several columns and while scrolling
// the whole list (issue 11: "per-case tables stay responsive").
//
//   node bench/results/run.mjs [--cases 1000] [--folds 5] [--labels 3] [--runs 3] [--json bench/out/results.json]
//
// The page (bench/results/harness.tsx, built here with esbuild in production mode, with the app's
// styles) mounts the real CaseTable with generated CaseResults; each sort or scroll step is one
// state change flushed synchronously and followed by a frame. Measured in the page:
// requestAnimationFrame deltas (the longest is the "longest frame"), PerformanceObserver long tasks,
// and the time each sort takes to render.
/* global window */ // used only inside page.evaluate callbacks, which run in the page
import console from 'node:console'
import { build } from 'esbuild'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { launch, serveDir } from '../lib/browser.mjs'
import { machineLoad, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    folds: { type: 'string', default: '5' },
    labels: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string', default: join(repoRoot, 'bench', 'out', 'results.json') },
  },
})
const SMOOTH_MS = 50 // a frame over 50 ms is a "long task" (RAIL): the bar for "responsive"

const outDir = join(repoRoot, 'bench', 'out', 'results-page')
mkdirSync(outDir, { recursive: true })
const appCss = join(repoRoot, 'renderer', 'styles.css')
const entry = join(outDir, 'entry.tsx')
writeFileSync(entry, `${existsSync(appCss) ? `import ${JSON.stringify(appCss)}\n` : ''}import ${JSON.stringify(join(repoRoot, 'bench/results/harness.tsx'))}\n`)
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
writeFileSync(join(outDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>Results table bench</title>
${existsSync(join(outDir, 'harness.css')) ? '<link rel="stylesheet" href="harness.css">' : ''}
<style>body{margin:0;width:1280px}</style></head><body><div id="root"></div><script type="module" src="harness.js"></script></body></html>`)

const server = await serveDir(outDir)
const browser = await launch()
const n = Number(opt.cases) * Number(opt.folds)
console.log(`chromium ${browser.version()}; ${opt.cases} cases x ${opt.folds} folds x ${opt.labels} labels = ${n} rows`)
const load0 = machineLoad()
const results = []
try {
  for (let i = 1; i <= Number(opt.runs); i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(server.url)
    await page.waitForFunction(() => window.__bench, null, { timeout: 15000 })
    const rows = await page.evaluate(([c, f, l]) => window.__bench.generate(c, f, l), [Number(opt.cases), Number(opt.folds), Number(opt.labels)])
    await page.waitForFunction(() => window.__bench.rowsInDom() > 0)
    const sort = await page.evaluate(() => window.__bench.sortTest())
    const scroll = await page.evaluate(() => window.__bench.scrollTest(60))
    const inDom = await page.evaluate(() => window.__bench.rowsInDom())
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
    if (rows !== n) throw new Error(`generated ${rows} rows, expected ${n}`)
    const res = {
      run: i,
      rows,
      rowsInDom: inDom,
      sortLongestFrameMs: Math.max(...sort.frames),
      sortMedianActionMs: median(sort.actionMs),
      sortLongestActionMs: Math.max(...sort.actionMs),
      scrollLongestFrameMs: Math.max(...scroll.frames),
      scrollMedianFrameMs: median(scroll.frames),
      scrollMaxRenderMs: Math.max(...scroll.actionMs),
      longTasks: sort.longTasks.length + scroll.longTasks.length,
    }
    results.push(res)
    console.log(`  run ${i}: sort longest frame ${res.sortLongestFrameMs.toFixed(1)} ms (a sort renders in ${res.sortMedianActionMs.toFixed(1)} ms median), scroll longest frame ${res.scrollLongestFrameMs.toFixed(1)} ms, ${inDom} rows in the DOM`)
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
}
const load1 = machineLoad()
console.log('')
console.log(table(['run', 'rows', 'rows in DOM', 'sort longest frame ms', 'sort render median ms', 'sort render max ms', 'scroll longest frame ms', 'scroll median frame ms', 'scroll render max ms', 'long tasks'],
  results.map((r) => [r.run, r.rows, r.rowsInDom, r.sortLongestFrameMs.toFixed(1), r.sortMedianActionMs.toFixed(1), r.sortLongestActionMs.toFixed(1), r.scrollLongestFrameMs.toFixed(1), r.scrollMedianFrameMs.toFixed(1), r.scrollMaxRenderMs.toFixed(1), r.longTasks])))
const worst = Math.max(...results.flatMap((r) => [r.sortLongestFrameMs, r.scrollLongestFrameMs]))
console.log(`\nlongest frame while sorting and scrolling ${n} rows: worst ${worst.toFixed(1)} ms (bar: ${SMOOTH_MS} ms) ${worst <= SMOOTH_MS ? 'PASS' : 'FAIL'}`)
console.log(`machine load: before ${load0.loadavg.join(' ')}, after ${load1.loadavg.join(' ')} (${load0.cores} cores)`)
mkdirSync(join(opt.json, '..'), { recursive: true })
writeFileSync(opt.json, JSON.stringify({ when: new Date().toISOString(), cases: Number(opt.cases), folds: Number(opt.folds), labels: Number(opt.labels), machine: { before: load0, after: load1 }, results }, null, 1))
console.log(`wrote ${opt.json}`)
