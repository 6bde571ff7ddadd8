// Benchmark: `nnunet-wizard prepare` against the guide's SimpleITK + numpy conversion
// (bench/reference/seed_convert.py) on the same generated NRRD datasets, and against the
// inflate-only bound (native zlib decompressing every input once, divided by the cores).
//
//   node bench/prepare/run.mjs [--kinds ct,smooth] [--runs 3] [--cases 20] [--test-count 4]
//                              [--ct-size 512x512x160] [--smooth-size 512x512x120]
//                              [--before DIR [--before-kinds smooth]] [--only ours|ref|before[,...]] [--keep] [--no-verify]
//                              [--json bench/out/prepare.json]
//
// Two datasets (generate.py): "ct", the default and the one the targets are about, is a real CT
// resampled plus Gaussian noise (compresses like a real scan); "smooth" is the earlier synthetic
// volume (compresses unusually well). --before DIR adds a third contestant: the CLI of another
// checkout (e.g. `git archive <commit>` unpacked, with node_modules linked and dist/node built),
// to show a change did not make a dataset slower.
//
// Runs alternate (ours, ref, [before], then reversed, ...) so drifting machine load hits all
// alike; every run writes to a fresh output folder. Wall time is measured here from spawn to exit;
// peak RSS is the larger of the kernel's ru_maxrss (via /usr/bin/time) and the sampled sum of VmRSS
// over the process tree (see bench/lib/common.mjs). Targets (ct): ours >= 4x faster than the
// reference (median / median), peak RSS < 1.5 GB, ours within 2x of the inflate-only bound;
// (smooth, with --before): ours no slower than before.
import process from 'node:process'
import console from 'node:console'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { performance } from 'node:perf_hooks'
import { cacheRoot, findPython, machineLoad, mb, measure, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'ct,smooth' },
    runs: { type: 'string', default: '3' },
    cases: { type: 'string', default: '20' },
    'ct-size': { type: 'string', default: '512x512x160' },
    'smooth-size': { type: 'string', default: '512x512x120' },
    'test-count': { type: 'string', default: '4' },
    before: { type: 'string' },
    'before-kinds': { type: 'string' }, // the datasets --before runs on (default: all of --kinds)
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
const kinds = opt.kinds.split(',').map((k) => k.trim()).filter(Boolean)
const SPEEDUP_TARGET = 4
const BOUND_TARGET = 2 // ours' wall time within 2x of the inflate-only bound
const RSS_TARGET_KB = 1.5 * 1024 * 1024 // 1.5 GB (GiB)

function die(msg) {
  console.error(`bench/prepare: ${msg}`)
  process.exit(1)
}
if (!kinds.every((k) => k === 'ct' || k === 'smooth')) die('--kinds takes ct and/or smooth')

// ---- inputs -------------------------------------------------------------------------------------
const { python, versions } = findPython()
function datasetDir(kind, size) {
  // The smooth 20 x 512x512x120 set keeps its old folder (and data): earlier figures stay comparable.
  if (kind === 'smooth') return join(cacheRoot, cases === 20 && size === '512x512x120' ? 'bench-prepare-v1' : `bench-prepare-v1-${cases}x${size}`)
  return join(cacheRoot, `bench-prepare-v2-ct-${cases}x${size}`)
}
function ensureDataset(kind, size) {
  const data = datasetDir(kind, size)
  const marker = join(data, 'generated.json')
  if (existsSync(marker)) {
    const g = JSON.parse(readFileSync(marker, 'utf8'))
    if (g.cases?.length === cases && g.size?.join('x') === size && (g.kind ?? 'smooth') === kind) return { data, gen: g }
  }
  console.log(`generating ${cases} ${kind} cases of ${size} into ${data} (once; reused afterwards) ...`)
  const tmp = `${data}.partial`
  rmSync(tmp, { recursive: true, force: true })
  const r = spawnSync(python, [join(repoRoot, 'bench/prepare/generate.py'), '--out', tmp, '--kind', kind, '--cases', String(cases), '--size', size], { stdio: 'inherit' })
  if (r.status !== 0) die('generate.py failed')
  rmSync(data, { recursive: true, force: true })
  renameSync(tmp, data)
  return { data, gen: JSON.parse(readFileSync(marker, 'utf8')) }
}
const inputFiles = (data) => ['image', 'organ', 'tumor'].flatMap((d) => readdirSync(join(data, d)).filter((f) => !f.startsWith('.')).map((f) => join(data, d, f)))

/**
 * The inflate-only bound: native zlib inflating every input's gzip payload once, one file after
 * another on one core (reading from the page cache is not counted), divided by the cores. No
 * prepare that verifies every voxel can beat it; ours is reported as a multiple of it.
 */
function inflateBound(data, cores) {
  let ms = 0
  let bytes = 0
  for (const f of inputFiles(data)) {
    const buf = readFileSync(f)
    const at = buf.indexOf('\n\n') + 2 // attached NRRD: the payload follows the blank line
    // One output buffer of the trailer's size: zlib's sync API otherwise grows it chunk by chunk,
    // which takes several times longer than the inflate itself on a mask that inflates 300:1.
    const isize = buf.readUInt32LE(buf.length - 4)
    const t0 = performance.now()
    bytes += gunzipSync(buf.subarray(at), { chunkSize: Math.max(1 << 16, isize) }).length
    ms += performance.now() - t0
  }
  return { inflateCpuS: ms / 1000, inflatedBytes: bytes, cores, boundS: ms / 1000 / cores }
}

// ---- the contestants ----------------------------------------------------------------------------
const cli = join(repoRoot, 'bin', 'nnunet-wizard.mjs')
const beforeCli = opt.before ? join(resolve(opt.before), 'bin', 'nnunet-wizard.mjs') : null
const oursArgs = (bin, data, out) => [
  process.execPath,
  [bin, 'prepare', '--images', join(data, 'image'), '--label', `organ=${join(data, 'organ')}`, '--label', `tumor=${join(data, 'tumor')}`,
    '--out', out, '--id', '1', '--name', 'Bench', '--layout', 'msd', '--test-count', String(testCount), '--overwrite'],
]
const contestants = {
  ours: (data, out) => oursArgs(cli, data, out),
  ref: (data, out) => [python, [join(repoRoot, 'bench/reference/seed_convert.py'), '--data', data, '--out', out, '--name', 'Bench', '--test-count', String(testCount), '--label-dtype', opt['label-dtype']]],
  before: (data, out) => oursArgs(beforeCli, data, out),
}
const LABELS = { ours: 'ours (nnunet-wizard prepare)', ref: 'reference (seed_convert.py)', before: `before (${opt.before ?? ''})` }
// --only ours,before compares two builds alone (alternating), without the slow reference between them.
const names = opt.only ? opt.only.split(',') : ['ours', 'ref', ...(beforeCli ? ['before'] : [])]
if (!names.length || !names.every((n) => n in contestants)) die('--only must name ours, ref or before (comma-separated)')
for (const [n, bin] of [['ours', cli], ['before', beforeCli]]) {
  if (!names.includes(n)) continue
  if (!bin || !existsSync(bin)) die(`${n}: no CLI at ${bin}`)
  const help = spawnSync(process.execPath, [bin, 'prepare', '--help'], { encoding: 'utf8' })
  if (help.status !== 0) die(`${n}: 'nnunet-wizard prepare --help' failed (exit ${help.status}); is the CLI there and built?\n${help.stderr}${help.stdout}`)
  if (!existsSync(join(bin, '..', '..', 'dist', 'node', 'cli.js')))
    console.warn(`warning: ${n}: dist/node/cli.js is missing, the CLI runs through tsx (slower start); run \`node scripts/build.mjs --node\` (npm run bench does)`)
}
const work = join(cacheRoot, 'bench-prepare-work')
mkdirSync(work, { recursive: true })

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

/** How many images prepare carried across, from its log on stderr ("..., image copied with its compressed voxels"; before fd50708 "image carried across"). */
const carriedOf = (stderr) => (stderr.match(/image (carried across|copied with its compressed voxels)/g) ?? []).length

// ---- run ----------------------------------------------------------------------------------------
console.log(`python: ${python} (SimpleITK ${versions.replace(' ', ', numpy ')})`)
const load0 = machineLoad()
console.log(`machine: ${load0.cores} cores, load average ${load0.loadavg.join(' ')}`)
const report = { when: new Date().toISOString(), cases, testCount, python, versions, node: process.version, referenceLabelDtype: opt['label-dtype'], before: opt.before ?? null, kinds: {} }
const verdict = {}
for (const kind of kinds) {
  const size = kind === 'ct' ? opt['ct-size'] : opt['smooth-size']
  const { data, gen } = ensureDataset(kind, size)
  const inputBytes = inputFiles(data).reduce((sum, f) => sum + statSync(f).size, 0)
  console.log(`\n=== ${kind}: ${data}: ${cases} cases ${size} int16 + 2 uint8 masks, NRRD ${gen.compressed ? 'gzip' : 'raw'}, ${(inputBytes / 1e6).toFixed(0)} MB`)
  const bound = inflateBound(data, load0.cores)
  console.log(`inflate-only bound: ${bound.inflateCpuS.toFixed(2)} CPU-s to inflate every input once (${(bound.inflatedBytes / 1e6).toFixed(0)} MB) / ${bound.cores} cores = ${bound.boundS.toFixed(2)} s`)
  const kindNames = names.filter((n) => n !== 'before' || !opt['before-kinds'] || opt['before-kinds'].split(',').includes(kind))
  const results = Object.fromEntries(kindNames.map((n) => [n, []]))
  const verified = {}
  const kindLoad0 = machineLoad()
  for (let i = 1; i <= runs; i++) {
    const order = i % 2 ? kindNames : [...kindNames].reverse()
    for (const name of order) {
      const out = join(work, `${kind}-${name}-${i}`)
      rmSync(out, { recursive: true, force: true })
      const [cmd, args] = contestants[name](data, out)
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
      const carried = name === 'ref' ? null : carriedOf(m.stderr)
      results[name].push({ run: i, wallS: m.wallMs / 1000, userS: m.userS, sysS: m.sysS, maxRssKb: m.maxRssKb, treePeakKb: m.treePeakKb, peakKb: m.peakKb, carried, ...got })
      console.log(`  run ${i} ${name.padEnd(6)} ${(m.wallMs / 1000).toFixed(2).padStart(7)} s  cpu ${(m.userS + m.sysS).toFixed(1).padStart(6)} s  peak RSS ${mb(m.peakKb).padStart(5)} MB${carried === null ? '' : `  images carried ${carried}/${cases}`}`)
      if (!opt.keep) rmSync(out, { recursive: true, force: true })
    }
  }
  const summary = Object.fromEntries(
    kindNames.map((n) => {
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
    ['', 'median wall s', 'min s', 'max s', 'median cpu s', 'peak RSS MB (max of runs)', 'x bound', 'runs'],
    kindNames.map((n) => [LABELS[n], summary[n].medianWallS.toFixed(2), summary[n].minWallS.toFixed(2), summary[n].maxWallS.toFixed(2),
      summary[n].medianCpuS.toFixed(1), mb(summary[n].peakRssKb), (summary[n].medianWallS / bound.boundS).toFixed(2), results[n].length])
      .concat([['inflate-only bound', bound.boundS.toFixed(2), '', '', bound.inflateCpuS.toFixed(1), '', '1.00', '']]),
  ))
  const v = {}
  const tgt = kind === 'ct' // the targets are about realistic data
  if (summary.ours && summary.ref) {
    const ratio = summary.ref.medianWallS / summary.ours.medianWallS
    v.speedup = { value: ratio, target: tgt ? SPEEDUP_TARGET : null, pass: tgt ? ratio >= SPEEDUP_TARGET : null }
    console.log(`\n${kind}: speed-up (reference median / ours median): ${ratio.toFixed(2)}x${tgt ? `   target >= ${SPEEDUP_TARGET}x   ${v.speedup.pass ? 'PASS' : 'FAIL'}` : ''}`)
  }
  if (summary.ours) {
    const x = summary.ours.medianWallS / bound.boundS
    v.bound = { value: x, boundS: bound.boundS, target: tgt ? BOUND_TARGET : null, pass: tgt ? x <= BOUND_TARGET : null }
    console.log(`${kind}: ours / inflate-only bound: ${x.toFixed(2)}x (${summary.ours.medianWallS.toFixed(2)} s / ${bound.boundS.toFixed(2)} s)${tgt ? `   target <= ${BOUND_TARGET}x   ${v.bound.pass ? 'PASS' : 'FAIL'}` : ''}`)
    v.peakRss = { valueKb: summary.ours.peakRssKb, targetKb: RSS_TARGET_KB, pass: summary.ours.peakRssKb < RSS_TARGET_KB }
    console.log(`${kind}: ours peak RSS: ${mb(summary.ours.peakRssKb)} MB   target < ${mb(RSS_TARGET_KB)} MB   ${v.peakRss.pass ? 'PASS' : 'FAIL'}`)
  }
  if (summary.ours && summary.before) {
    const x = summary.ours.medianWallS / summary.before.medianWallS
    v.vsBefore = { value: x, pass: x <= 1 }
    console.log(`${kind}: ours / before: ${x.toFixed(2)}x   target <= 1 (no slower)   ${v.vsBefore.pass ? 'PASS' : 'FAIL'}`)
  }
  const kindLoad1 = machineLoad()
  console.log(`${kind}: machine load: before ${kindLoad0.loadavg.join(' ')}, after ${kindLoad1.loadavg.join(' ')} (1/5/15-min load averages, ${kindLoad0.cores} cores)`)
  report.kinds[kind] = { data, size, generated: gen, inputBytes, bound, runs: results, summary, verdict: v, machine: { before: kindLoad0, after: kindLoad1 } }
  verdict[kind] = v
}
const load1 = machineLoad()
console.log(`\nmachine load: before ${load0.loadavg.join(' ')}, after ${load1.loadavg.join(' ')} (1/5/15-min load averages, ${load0.cores} cores)`)

mkdirSync(join(opt.json, '..'), { recursive: true })
writeFileSync(opt.json, JSON.stringify({
  ...report, machine: { before: load0, after: load1 }, verdict,
  rssMethod: 'peakKb = max(ru_maxrss via /usr/bin/time, sampled sum of VmRSS over the process tree every 50 ms)',
  boundMethod: 'inflate-only bound = sum over every input file of the time zlib.gunzipSync takes on its payload (one core, page cache, no read time), divided by the cores',
}, null, 1))
console.log(`wrote ${opt.json}`)
const passes = Object.values(verdict).flatMap((v) => Object.values(v)).map((x) => x.pass).filter((p) => p !== null)
process.exit(passes.every(Boolean) ? 0 : 1)
