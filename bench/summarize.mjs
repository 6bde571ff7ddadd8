// Prints a Markdown summary of the last results in bench/out/*.json (what each run.mjs wrote).
//   node bench/summarize.mjs > somewhere.md
import console from 'node:console'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, repoRoot } from './lib/common.mjs'

const out = join(repoRoot, 'bench', 'out')
const read = (n) => (existsSync(join(out, `${n}.json`)) ? JSON.parse(readFileSync(join(out, `${n}.json`), 'utf8')) : null)
const load = (m) => (m ? `load average ${m.before.loadavg.join('/')} before, ${m.after.loadavg.join('/')} after (${m.before.cores} cores)` : '')
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')

const p = read('prepare')
if (p) {
  const s = p.summary
  console.log(`## prepare (${p.when})\n`)
  console.log(`${p.cases} cases ${p.size}, test ${p.testCount}, ${p.runs.ours?.length ?? 0} runs each; ${load(p.machine)}\n`)
  console.log('| | median wall s | min–max s | median CPU s | peak RSS MB |\n|---|---|---|---|---|')
  for (const [k, label] of [['ours', 'nnunet-wizard prepare'], ['ref', 'seed_convert.py (reference)']])
    if (s[k]) console.log(`| ${label} | ${f(s[k].medianWallS, 2)} | ${f(s[k].minWallS, 2)}–${f(s[k].maxWallS, 2)} | ${f(s[k].medianCpuS, 1)} | ${f(s[k].peakRssKb / 1024)} |`)
  if (p.verdict.speedup) console.log(`\nspeed-up ${f(p.verdict.speedup.value, 2)}x (target ≥ ${p.verdict.speedup.target}x): ${p.verdict.speedup.pass ? 'PASS' : 'FAIL'}`)
  if (p.verdict.peakRss) console.log(`peak RSS ${f(p.verdict.peakRss.valueKb / 1024)} MB (target < 1536 MB): ${p.verdict.peakRss.pass ? 'PASS' : 'FAIL'}\n`)
}
const v = read('preview')
if (v) {
  console.log(`## preview (${v.when})\n\n${v.runs.length} runs; ${load(v.machine)}\n`)
  console.log('| | median ms |\n|---|---|')
  for (const k of ['fcpMs', 'aorta', 'large', 'aorta 2nd', 'large 2nd']) console.log(`| ${k === 'fcpMs' ? 'first contentful paint' : k} | ${f(median(v.runs.map((r) => r[k])))} |`)
  for (const [k, x] of Object.entries(v.verdict)) console.log(`\n${k}: ${f(x.medianMs)} ms (target < ${x.targetMs} ms): ${x.pass ? 'PASS' : 'FAIL'}`)
  console.log('')
}
const l = read('logpane')
if (l) {
  console.log(`## logpane (${l.when})\n\n${l.total} lines, batches of ${l.batch}, interval ${l.interval} ms, ${l.results.length} runs; ${load(l.machine)}\n`)
  console.log(`longest frame: ${l.results.map((r) => f(r.longestFrameMs, 1)).join(', ')} ms; JS heap after GC: ${l.results.map((r) => f(r.heapAfterGcMB, 1)).join(', ')} MB\n`)
}
const t = read('train')
if (t) {
  console.log(`## train (${t.when})\n\nnnunetv2 ${t.nnunetVersion}, ${t.device}, ${t.trainer}; ${load(t.machine)}\n`)
  console.log(`median epoch: via runner ${f(t.medianEpochS.ours, 2)} s, direct ${f(t.medianEpochS.direct, 2)} s; overhead ${f(t.overhead * 100, 1)}%\n`)
}
