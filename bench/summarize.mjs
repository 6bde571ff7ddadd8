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
if (p?.kinds) {
  console.log(`## prepare (${p.when})\n`)
  for (const [kind, k] of Object.entries(p.kinds)) {
    const s = k.summary
    console.log(`### ${kind}: ${p.cases} cases ${k.size}, test ${p.testCount}, ${k.runs.ours?.length ?? 0} runs each; ${load(k.machine)}\n`)
    console.log('| | median wall s | min–max s | median CPU s | peak RSS MB | x inflate-only bound |\n|---|---|---|---|---|---|')
    for (const [key, label] of [['ours', 'nnunet-wizard prepare'], ['ref', 'seed_convert.py (reference)'], ['before', `before (${p.before})`]])
      if (s[key]) console.log(`| ${label} | ${f(s[key].medianWallS, 2)} | ${f(s[key].minWallS, 2)}–${f(s[key].maxWallS, 2)} | ${f(s[key].medianCpuS, 1)} | ${f(s[key].peakRssKb / 1024)} | ${f(s[key].medianWallS / k.bound.boundS, 2)} |`)
    console.log(`| inflate-only bound | ${f(k.bound.boundS, 2)} | | ${f(k.bound.inflateCpuS, 1)} | | 1.00 |\n`)
    for (const [name, x] of Object.entries(k.verdict)) console.log(`- ${name}: ${f(x.value ?? x.valueKb / 1024, 2)}${x.pass === null ? '' : ` ${x.pass ? 'PASS' : 'FAIL'}`}`)
    console.log('')
  }
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
