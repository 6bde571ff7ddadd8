// `npm test`: sets up what the tests need, then runs them all, side by side where the 2 cores of a
// CI machine allow it; `npm run test:fast` (--fast): the same without nnU-Net, SLURM or Playwright.
//
// Set-up, each step reported on stderr:
//   - the build (dist/node for the CLI tests, dist/renderer for the browser tests);
//   - the pinned nnU-Net v2 venv (required by the nnU-Net tests) and v1 venv (optional), built by
//     scripts/setup-python.sh when missing and cached under ~/.cache/nnunet-wizard; an interpreter
//     already given in NNUNET_WIZARD_PYTHON / NNUNET_WIZARD_PYTHON_V1 is used as it is;
//   - a Chromium for Playwright: $CHROMIUM_PATH, the system's, or Playwright's own (downloaded
//     only where no other exists and the download works).
// What could not be had is said once, with the tests that will skip or fail because of it.
// NNUNET_WIZARD_REQUIRE_PYTHON=1 (CI) makes a missing v2 venv a failure, as in the tests.
//
// Then the steps, side by side, their lines prefixed with the step; each starts when what it
// needs is done:
//   typecheck (tsc)  |  lint (npm run lint: eslint, then layers)  |  vitest --project unit  |  fixtures
//      typecheck caches its results under node_modules/.cache/nnunet-wizard; npm run lint keeps eslint's there.
//      `fixtures` builds the cached nnU-Net fixtures (a planned 2d dataset, a trained 2-fold 2d
//      model with its predictions: test/results/trainedFixture.ts) that integration and e2e
//      share, so neither builds them, nor both at once.
//   after fixtures: vitest --project integration (real nnU-Net, one file at a time)
//                   |  vitest --project slurm (the SLURM cluster's files, one at a time)  |  Playwright
// Every step runs to its end, and the failures of all are listed at the end. Each step's time,
// and the load when it ended, is printed at the end (and written as JSON to
// $NNUNET_WIZARD_TEST_TIMINGS when set).
//
//   node scripts/test.mjs [--fast] [--setup-only] [--no-build]
// --fast: typecheck, lint and unit only, with NNUNET_WIZARD_TEST_FAST=1 (any test that would need
//   nnU-Net or SLURM skips saying so), no venvs;
// --setup-only stops after the set-up (exit 1 when the browser tests could not run);
// --no-build skips the build when dist/ is known to be current.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import console from 'node:console'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { findChromium } from './lib/tools.mjs'
import { runSide } from './lib/side.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const setupOnly = process.argv.includes('--setup-only')
const fast = process.argv.includes('--fast')
const requirePython = process.env.NNUNET_WIZARD_REQUIRE_PYTHON === '1'
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name)
const say = (line) => console.error(`test: ${line}`)
const started = Date.now()
const timings = []
const load = () => loadavg()[0].toFixed(2)

/** Runs a command with the set-up's environment; returns its exit status. */
function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { cwd: root, stdio: 'inherit', env: process.env, ...opts })
  if (r.error) say(`${file} could not start: ${r.error.message}`)
  return r.status ?? 1
}

const missing = [] // what could not be had, and what it means for the tests
let e2eBlocked = false

// ---- build
if (!process.argv.includes('--no-build')) {
  say('building (node scripts/build.mjs)')
  const t0 = Date.now()
  if (run(process.execPath, [join(root, 'scripts', 'build.mjs')]) !== 0) {
    say('the build failed; nothing was tested.')
    process.exit(1)
  }
  timings.push({ step: 'build', seconds: (Date.now() - t0) / 1000, status: 0, load: load() })
  // The tests run the CLI from dist/ (test/helpers/builtCli.ts): it is current, no need to check.
  process.env.NNUNET_WIZARD_TEST_BUILT = '1'
}

// ---- nnU-Net venvs
/** The venv's python from scripts/setup-python.sh (or another set-up script), or the reason it failed; its progress streams to our stderr. */
function setupPython(version, script = 'setup-python.sh') {
  say(version === 'reference' ? `reference metrics environment (scripts/${script}; small, once)` : `nnU-Net ${version} environment (scripts/${script} ${version}; the first build downloads several GB)`)
  return new Promise((resolve) => {
    const child = spawn('bash', [join(root, 'scripts', script), ...(version === 'reference' ? [] : [version])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d) => {
      process.stderr.write(d)
      err = (err + d).slice(-20_000) // the tail is enough for the reason
    })
    child.on('error', (e) => resolve({ reason: `scripts/${script} ${version} could not start: ${e.message}` }))
    child.on('close', (code) => {
      const python = out.trim().split('\n').pop()
      if (code === 0 && python) return resolve({ python })
      const lines = err.split('\n').filter((l) => l.trim())
      const why = lines.filter((l) => /error|setup-python:/i.test(l)).pop() ?? lines.pop() ?? `exit code ${code}`
      resolve({ reason: `scripts/${script} ${version} failed: ${why.trim().replace(/^setup-[a-z-]*python: /, '')}` })
    })
  })
}

// The small venv of reference implementations (surface distances, Slicer's reader) that the metric tests
// compare with: built here, once, so that parallel test files never race to build it themselves.
const reference = process.env.NNUNET_WIZARD_REFERENCE_PYTHON ? null : setupPython('reference', 'setup-reference-python.sh')
/** Exports the reference python, or leaves the reason to the tests (which skip, or fail under NNUNET_WIZARD_REQUIRE_PYTHON=1). */
async function settleReference() {
  const r = await reference
  if (r?.python) process.env.NNUNET_WIZARD_REFERENCE_PYTHON = r.python
  else if (r) missing.push(`the reference metrics venv (${r.reason}): the HD95/NSD and Slicer-file comparisons will skip, or fail in CI`)
}

if (fast) {
  // test:fast runs no nnU-Net and no SLURM: the tests that need them skip, saying so.
  process.env.NNUNET_WIZARD_TEST_FAST = '1'
  say('fast: no nnU-Net venvs, no SLURM, no fixtures, no Playwright (npm test runs them)')
  await settleReference()
} else {
  const t0 = Date.now()
  // The venvs at once: on a cold machine each is mostly a download.
  const [v2, v1] = await Promise.all([
    process.env.NNUNET_WIZARD_PYTHON ? null : setupPython('v2'),
    process.env.NNUNET_WIZARD_PYTHON_V1 || process.env.NNUNET_WIZARD_V1_SKIP_REASON ? null : setupPython('v1'),
    settleReference(),
  ])
  if (!v2) {
    say(`nnU-Net v2: using NNUNET_WIZARD_PYTHON=${process.env.NNUNET_WIZARD_PYTHON}`)
  } else if (v2.python) {
    process.env.NNUNET_WIZARD_PYTHON = v2.python
    say(`NNUNET_WIZARD_PYTHON=${v2.python}`)
  } else if (requirePython) {
    say(`${v2.reason}\nNNUNET_WIZARD_REQUIRE_PYTHON=1, so this is a failure: the nnU-Net tests cannot run.`)
    process.exit(1)
  } else {
    missing.push(`the nnU-Net v2 venv (${v2.reason}): the nnU-Net tests (the integration project, *.integration.test.ts, and the e2e specs that train) will skip`)
  }

  if (process.env.NNUNET_WIZARD_PYTHON_V1) {
    say(`nnU-Net v1: using NNUNET_WIZARD_PYTHON_V1=${process.env.NNUNET_WIZARD_PYTHON_V1}`)
  } else if (!v1) {
    missing.push(`nnU-Net v1 (NNUNET_WIZARD_V1_SKIP_REASON: ${process.env.NNUNET_WIZARD_V1_SKIP_REASON}): the v1 tests will skip`)
  } else if (v1.python) {
    process.env.NNUNET_WIZARD_PYTHON_V1 = v1.python
    say(`NNUNET_WIZARD_PYTHON_V1=${v1.python}`)
  } else {
    // v1 is optional even under NNUNET_WIZARD_REQUIRE_PYTHON: its tests skip with this reason.
    process.env.NNUNET_WIZARD_V1_SKIP_REASON = v1.reason
    missing.push(`nnU-Net v1 (${v1.reason}): the v1 tests (test/nnunet/*V1.integration.test.ts) will skip`)
  }
  timings.push({ step: 'venvs', seconds: (Date.now() - t0) / 1000, status: 0, load: load() })
}

// ---- The DICOM test data (made by the reference venv from the real CT), once, before the unit
// files that share it start in parallel.
if (process.env.NNUNET_WIZARD_REFERENCE_PYTHON && !setupOnly) {
  const t0 = Date.now()
  say('DICOM test data (test/dicom/buildFixtures.ts; cached by content)')
  const status = run(process.execPath, ['--import', 'tsx', join(root, 'test', 'dicom', 'buildFixtures.ts')], { timeout: 900_000 })
  timings.push({ step: 'dicom data', seconds: (Date.now() - t0) / 1000, status, load: load() })
  if (status !== 0) missing.push('the DICOM test data (test/dicom/buildFixtures.ts failed, see above): the DICOM tests will fail')
}

// ---- Chromium
let chromium = findChromium(root)
if (!fast && !chromium.path && !process.env.CHROMIUM_PATH) {
  // Only where nothing else exists: Playwright's own download (fails fast without network).
  say('no Chromium found; trying to download Playwright’s own (playwright install chromium)')
  run(process.execPath, [join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'install', 'chromium'], { timeout: 600_000 })
  chromium = findChromium(root)
}
if (chromium.path) {
  process.env.CHROMIUM_PATH = chromium.path
  say(`Chromium: ${chromium.path} (${chromium.source})`)
} else if (!fast) {
  e2eBlocked = true
  missing.push(`a Chromium (${chromium.reason}): the browser tests (e2e/*.spec.ts) cannot run and count as failed; install one (Debian: apt-get install chromium) or set CHROMIUM_PATH`)
}

// Small worker counts: test machines have few cores, and nnU-Net's defaults assume a workstation.
process.env.nnUNet_n_proc_DA ??= '1'
// torch's OpenMP threads wait for each other by spinning: with more threads than free cores (2
// cores, the integration files beside Playwright, two SLURM tasks at once) a spinning thread burns
// the CPU the one it waits for needs. Passive waiting gives the same results; here (load 12) it cut one
// fold's `nnUNetv2_train --val` from 79 s to 23 s of CPU, its validation from 287 s to 63 s wall. Inherited by every nnU-Net
// run of the tests, on this machine and in the SLURM jobs they submit (sbatch exports the
// environment). vitest.config.ts sets it too, for a test file run alone.
process.env.OMP_WAIT_POLICY ??= 'PASSIVE'

if (missing.length) {
  say('set-up could not get:')
  for (const m of missing) console.error(`  - ${m}`)
} else {
  say('set-up complete: nothing is missing.')
}
if (setupOnly) process.exit(e2eBlocked ? 1 : 0)

// ---- the tests
// Each step starts as soon as what it needs is done, not when a whole stage is: the nnU-Net steps
// need only the fixtures, so they start while unit, typecheck and lint still run. Priorities
// (nice) follow how long each may wait: unit (60 s per test) and Playwright (UI waits of 20 s)
// run at the normal priority; the nnU-Net projects (10 min per test) at nice 2, so a burst of
// nnU-Net threads cannot starve a page or a unit test; typecheck and lint, which have no limits,
// at nice 5. The fixtures build at the normal priority: everything that follows waits for it.
const tsx = ['--import', 'tsx']
const keyFile = join(tmpdir(), `nnunet-wizard-fixture-key-${process.pid}`)
const withFixtures = !fast && Boolean(process.env.NNUNET_WIZARD_PYTHON)
// typecheck (here) and eslint (in npm run lint) keep what they found for unchanged files under node_modules/.cache (never
// in git; a fresh clone, as in CI, starts cold): a second run checks only what changed. Measured
// here: tsc 29.6 CPU-s cold, 6.3 warm; eslint 19.3 cold, 1.3 warm. tsc's build info holds each
// file's hash and the options, eslint's cache each file's content hash and the config.
const cache = join(root, 'node_modules', '.cache', 'nnunet-wizard')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const steps = [
  { name: 'typecheck', file: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', join(cache, 'tsc.tsbuildinfo')], nice: 5 },
  // npm run lint: eslint and the layer rules (lint:layers), as CI's lint is defined in package.json.
  { name: 'lint', file: npm, args: ['run', '--silent', 'lint'], nice: 5 },
  { name: 'unit', file: bin('vitest'), args: ['run', '--project', 'unit'] },
]
if (withFixtures) steps.push({ name: 'fixtures', file: process.execPath, args: [...tsx, 'test/results/trainedFixture.ts', '--build', '--key-file', keyFile] })
if (!fast) steps.push({ name: 'integration', file: bin('vitest'), args: ['run', '--project', 'integration'], after: withFixtures ? ['fixtures'] : [], nice: 2 })
if (!fast) steps.push({ name: 'slurm', file: bin('vitest'), args: ['run', '--project', 'slurm'], after: withFixtures ? ['fixtures'] : [], nice: 2 })
if (!fast && !e2eBlocked) steps.push({ name: 'e2e', file: bin('playwright'), args: ['test', '-c', 'e2e/playwright.config.ts'], after: withFixtures ? ['fixtures'] : [] })

say(`steps: ${steps.map((s) => (s.after?.length ? `${s.name} (after ${s.after.join(', ')})` : s.name)).join(' | ')} (load ${load()})`)
const finished = new Map()
/** Runs a step once the steps it needs are done; a step whose need failed is not run. */
function launch(step) {
  if (finished.has(step.name)) return finished.get(step.name)
  const result = (async () => {
    const needs = await Promise.all((step.after ?? []).map((n) => launch(steps.find((s) => s.name === n))))
    const failedNeed = needs.find((r) => r.status !== 0)
    if (failedNeed) {
      say(`${step.name}: not run, ${failedNeed.step} failed`)
      return { step: step.name, status: 1, seconds: 0, load: load(), digest: [`not run: ${failedNeed.step} failed`] }
    }
    // Stage B uses the very fixtures the fixtures step built, whatever changes in the tree meanwhile.
    if (existsSync(keyFile)) {
      process.env.NNUNET_WIZARD_FIXTURE_KEY ??= readFileSync(keyFile, 'utf8').trim()
      rmSync(keyFile, { force: true })
    }
    const niced = step.nice && process.platform !== 'win32' && existsSync('/usr/bin/nice')
    const run = niced ? { ...step, file: '/usr/bin/nice', args: ['-n', String(step.nice), step.file, ...step.args] } : step
    const at = (Date.now() - started) / 1000
    return { ...(await runSide(run, { cwd: root, env: process.env, say })), at }
  })()
  finished.set(step.name, result)
  return result
}
const results = await Promise.all(steps.map(launch))
for (const r of results) timings.push(r)
const failed = results.filter((r) => r.status !== 0)
if (failed.length) {
  for (const r of failed) {
    say(`${r.step} failures (digest; the full output is above):`)
    for (const line of r.digest.length ? r.digest : ['(no failure lines recognised)']) console.error(`  ${line}`)
  }
  report()
  say(`${failed.map((r) => `${r.step} (exit ${r.status})`).join(', ')} failed.`)
  process.exit(failed[0].status || 1)
}
report()
if (e2eBlocked) {
  say('the browser tests did not run: no Chromium (see above).')
  process.exit(1)
}
if (missing.length) say(`passed, with ${missing.length} part${missing.length === 1 ? '' : 's'} of the set-up missing (see above).`)

function report() {
  const total = (Date.now() - started) / 1000
  say('times (wall clock; steps overlap: "from" is when a step started):')
  for (const t of timings) console.error(`  ${t.step.padEnd(12)} ${fmt(t.seconds).padStart(12)}  ${t.at === undefined ? ''.padEnd(17) : `from ${fmt(t.at).padStart(12)}`}  exit ${t.status}  load ${t.load}`)
  console.error(`  ${'total'.padEnd(12)} ${fmt(total).padStart(12)}`)
  if (process.env.NNUNET_WIZARD_TEST_TIMINGS) writeFileSync(process.env.NNUNET_WIZARD_TEST_TIMINGS, JSON.stringify({ total, fast, timings }, null, 2))
}

function fmt(s) {
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s` : `${s.toFixed(1)} s`
}
