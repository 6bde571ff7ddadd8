// Benchmark: `nnunet-wizard prepare` against the guide's SimpleITK + numpy conversion
// (bench/reference/seed_convert.py) on the same generated NRRD dataset.
//
//   node bench/prepare/run.mjs [--runs 3] [--cases 20] [--size 512x512x120] [--test-count 4]
//                              [--only ours|ref] [--keep] [--no-verify] [--json bench/out/prepare.json]
//
// Runs alternate (ours, ref, then ref, ours, ...) so drifting machine load hits both alike; every
// run writes to a fresh output folder. Wall time is measured here from spawn to exit; peak RSS is
// the larger of the kernel's ru_maxrss (via /usr/bin/time) and the sampled sum of VmRSS over the
// process tree (see bench/lib/common.mjs). Targets: ours >= 1.5x faster (reference median / ours
// median), ours' peak RSS < 1.5 GB.
import process from 'node:process'
import console from 'node:console'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cacheRoot, findPython, machineLoad, mb, measure, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    cases: { type: 'string', default: '20' },
    size: { type: 'string', default: '512x512x120' },
    'test-count': { type: 'string', default: '4' },
    only: { type: 'string' },
    'label-dtype': { type: 'string', default: 'uint8' }, // the reference's label dtype; float64 = the guide verbatim
    keep: { type: 'boolean', default: false },
    'no-verify': { type: 'boolean', default: false },
    json: { type: 'string', default: join(repoRoot, 'bench', 'out', 'prepare.json') },
  },
})
const runs = Number(opt.runs)
const cases = Number(opt.cases)
const testCount = Number(opt['test-count'])
const SPEEDUP_TARGET = 1.5
const RSS_TARGET_KB = 1.5 * 1024 * 1024 // 1.5 GB (GiB)

function die(msg) {
  console.error(`bench/prepare: ${msg}`)
  process.exit(1)
}

// ---- inputs -------------------------------------------------------------------------------------
const { python, versions } = findPython()
const defaultSet = cases === 20 && opt.size === '512x512x120'
const data = join(cacheRoot, defaultSet ? 'bench-prepare-v1' : `bench-prepare-v1-${cases}x${opt.size}`)
function ensureDataset() {
  const marker = join(data, 'generated.json')
  if (existsSync(marker)) {
    const g = JSON.parse(readFileSync(marker, 'utf8'))
    if (g.cases?.length === cases && g.size?.join('x') === opt.size) return g
  }
  console.log(`generating ${cases} cases of ${opt.size} into ${data} (once; reused afterwards) ...`)
  const tmp = `${data}.partial`
  rmSync(tmp, { recursive: true, force: true })
  const r = spawnSync(python, [join(repoRoot, 'bench/prepare/generate.py'), '--out', tmp, '--cases', String(cases), '--size', opt.size], { stdio: 'inherit' })
  if (r.status !== 0) die('generate.py failed')
  rmSync(data, { recursive: true, force: true })
  renameSync(tmp, data)
  return JSON.parse(readFileSync(marker, 'utf8'))
}
const gen = ensureDataset()
const inputBytes = ['image', 'organ', 'tumor']
  .flatMap((d) => readdirSync(join(data, d)).map((f) => join(data, d, f)))
  .reduce((s, f) => s + Number(spawnSync('stat', ['-c', '%s', f], { encoding: 'utf8' }).stdout), 0)

// ---- the two contestants --------------------------------------------------------------------------
const cli = join(repoRoot, 'bin', 'nnunet-wizard.mjs')
if (opt.only !== 'ref') {
  const help = spawnSync(process.execPath, [cli, 'prepare', '--help'], { cwd: repoRoot, encoding: 'utf8' })
  if (help.status !== 0) die(`'nnunet-wizard prepare --help' failed (exit ${help.status}); is the CLI there and built?\n${help.stderr}${help.stdout}`)
  if (!existsSync(join(repoRoot, 'dist', 'node', 'cli.js')))
    console.warn('warning: dist/node/cli.js is missing, the CLI runs through tsx (slower start); run `node scripts/build.mjs --node` (npm run bench does)')
}
const work = join(cacheRoot, 'bench-prepare-work')
mkdirSync(work, { recursive: true })

const contestants = {
  ours: (out) => [
    process.execPath,
    [cli, 'prepare', '--images', join(data, 'image'), '--label', `organ=${join(data, 'organ')}`, '--label', `tumor=${join(data, 'tumor')}`,
      '--out', out, '--id', '1', '--name', 'Bench', '--layout', 'msd', '--test-count', String(testCount), '--overwrite'],
  ],
  ref: (out) => [python, [join(repoRoot, 'bench/reference/seed_convert.py'), '--data', data, '--out', out, '--name', 'Bench', '--test-count', String(testCount), '--label-dtype', opt['label-dtype']]],
}
const names = opt.only ? [opt.only] : ['ours', 'ref']
if (!names.every((n) => n in contestants)) die(`--only must be ours or ref`)

function findDatasetJson(root, depth = 3) {
  if (existsSync(join(root, 'dataset.json'))) return join(root, 'dataset.json')
  if (depth === 0 || !existsSync(root)) return null
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue
    const f = findDatasetJson(join(root, e.name), depth - 1)
    if (f) return f
  }
  return null
}

/** Count what a run produced; throws when the dataset is incomplete. */
function checkOutput(name, out) {
  const dj = findDatasetJson(out)
  if (!dj) throw new Error(`${name}: no dataset.json under ${out}`)
  const ds = JSON.parse(readFileSync(dj, 'utf8'))
  const base = dj.slice(0, -'dataset.json'.length)
  const count = (d) => (existsSync(join(base, d)) ? readdirSync(join(base, d)).filter((f) => f.endsWith('.nii.gz')).length : 0)
  const got = { imagesTr: count('imagesTr'), labelsTr: count('labelsTr'), imagesTs: count('imagesTs'), numTraining: ds.numTraining, numTest: ds.numTest }
  const nTr = cases - testCount
  if (got.imagesTr !== nTr || got.labelsTr !== nTr || got.imagesTs !== testCount || ds.numTraining !== nTr || ds.numTest !== testCount)
    throw new Error(`${name}: incomplete dataset in ${base}: ${JSON.stringify(got)} (expected ${nTr} training, ${testCount} test)`)
  return got
}

// ---- run ----------------------------------------------------------------------------------------
console.log(`python: ${python} (SimpleITK ${versions.replace(' ', ', numpy ')})`)
console.log(`data:   ${data}: ${cases} cases ${opt.size} int16 + 2 uint8 masks, NRRD ${gen.compressed ? 'gzip' : 'raw'}, ${(inputBytes / 1e6).toFixed(0)} MB`)
const load0 = machineLoad()
console.log(`machine: ${load0.cores} cores, load average ${load0.loadavg.join(' ')}`)
const results = Object.fromEntries(names.map((n) => [n, []]))
const verified = {}
for (let i = 1; i <= runs; i++) {
  const order = i % 2 ? names : [...names].reverse()
  for (const name of order) {
    const out = join(work, `${name}-${i}`)
    rmSync(out, { recursive: true, force: true })
    const [cmd, args] = contestants[name](out)
    const m = await measure(cmd, args)
    if (m.code !== 0) {
      console.error(`\n${name} run ${i} FAILED (exit ${m.code}): ${cmd} ${args.join(' ')}\n--- stderr ---\n${m.stderr.slice(-8000)}\n--- stdout (tail) ---\n${m.stdout.slice(-2000)}`)
      process.exit(1)
    }
    let got
    try {
      got = checkOutput(name, out)
    } catch (e) {
      console.error(`\n${e.message}\n--- stderr ---\n${m.stderr.slice(-4000)}\n--- stdout (tail) ---\n${m.stdout.slice(-2000)}`)
      process.exit(1)
    }
    if (!opt['no-verify'] && !verified[name]) {
      const v = spawnSync(python, [join(repoRoot, 'bench/prepare/verify.py'), '--data', data, '--out', out], { encoding: 'utf8' })
      process.stdout.write(`verify ${name} (3 training cases vs the sources):\n${v.stdout}${v.stderr}`)
      if (v.status !== 0) die(`${name}'s output does not match the sources`)
      verified[name] = true
    }
    results[name].push({ run: i, wallS: m.wallMs / 1000, userS: m.userS, sysS: m.sysS, maxRssKb: m.maxRssKb, treePeakKb: m.treePeakKb, peakKb: m.peakKb, ...got })
    console.log(`  run ${i} ${name.padEnd(4)} ${(m.wallMs / 1000).toFixed(2).padStart(7)} s  cpu ${(m.userS + m.sysS).toFixed(1).padStart(6)} s  peak RSS ${mb(m.peakKb).padStart(5)} MB`)
    if (!opt.keep) rmSync(out, { recursive: true, force: true })
  }
}
const load1 = machineLoad()

// ---- report -------------------------------------------------------------------------------------
const summary = Object.fromEntries(
  names.map((n) => {
    const r = results[n]
    return [n, {
      medianWallS: median(r.map((x) => x.wallS)),
      minWallS: Math.min(...r.map((x) => x.wallS)),
      maxWallS: Math.max(...r.map((x) => x.wallS)),
      medianCpuS: median(r.map((x) => x.userS + x.sysS)),
      peakRssKb: Math.max(...r.map((x) => x.peakKb)),
      medianPeakRssKb: median(r.map((x) => x.peakKb)),
    }]
  }),
)
console.log('')
console.log(table(
  ['', 'median wall s', 'min s', 'max s', 'median cpu s', 'peak RSS MB (max of runs)', 'runs'],
  names.map((n) => [n === 'ours' ? 'ours (nnunet-wizard prepare)' : 'reference (seed_convert.py)', summary[n].medianWallS.toFixed(2), summary[n].minWallS.toFixed(2),
    summary[n].maxWallS.toFixed(2), summary[n].medianCpuS.toFixed(1), mb(summary[n].peakRssKb), results[n].length]),
))
const verdict = {}
if (summary.ours && summary.ref) {
  const ratio = summary.ref.medianWallS / summary.ours.medianWallS
  verdict.speedup = { value: ratio, target: SPEEDUP_TARGET, pass: ratio >= SPEEDUP_TARGET }
  console.log(`\nspeed-up (reference median / ours median): ${ratio.toFixed(2)}x   target >= ${SPEEDUP_TARGET}x   ${verdict.speedup.pass ? 'PASS' : 'FAIL'}`)
}
if (summary.ours) {
  verdict.peakRss = { valueKb: summary.ours.peakRssKb, targetKb: RSS_TARGET_KB, pass: summary.ours.peakRssKb < RSS_TARGET_KB }
  console.log(`ours peak RSS: ${mb(summary.ours.peakRssKb)} MB   target < ${mb(RSS_TARGET_KB)} MB   ${verdict.peakRss.pass ? 'PASS' : 'FAIL'}`)
}
console.log(`machine load: before ${load0.loadavg.join(' ')}, after ${load1.loadavg.join(' ')} (1/5/15-min load averages, ${load0.cores} cores)`)

mkdirSync(join(opt.json, '..'), { recursive: true })
writeFileSync(opt.json, JSON.stringify({
  when: new Date().toISOString(), data, cases, size: opt.size, testCount, python, versions, node: process.version,
  referenceLabelDtype: opt['label-dtype'], machine: { before: load0, after: load1 }, runs: results, summary, verdict,
  rssMethod: 'peakKb = max(ru_maxrss via /usr/bin/time, sampled sum of VmRSS over the process tree every 50 ms)',
}, null, 1))
console.log(`wrote ${opt.json}`)
process.exit(Object.values(verdict).every((v) => v.pass) ? 0 : 1)
