// `npm test`: sets up what the tests need, then runs them all (typecheck, vitest, Playwright).
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
//   node scripts/test.mjs [--setup-only] [--no-build]
// --setup-only stops after the set-up (exit 1 when the browser tests could not run);
// --no-build skips the build when dist/ is known to be current.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import console from 'node:console'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { findChromium } from './lib/tools.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const setupOnly = process.argv.includes('--setup-only')
const requirePython = process.env.NNUNET_WIZARD_REQUIRE_PYTHON === '1'
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name)
const say = (line) => console.error(`test: ${line}`)

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
  if (run(process.execPath, [join(root, 'scripts', 'build.mjs')]) !== 0) {
    say('the build failed; nothing was tested.')
    process.exit(1)
  }
}

// ---- nnU-Net venvs
/** The venv's python from scripts/setup-python.sh, or the reason it failed; its progress streams to our stderr. */
function setupPython(version) {
  say(`nnU-Net ${version} environment (scripts/setup-python.sh ${version}; the first build downloads several GB)`)
  return new Promise((resolve) => {
    const child = spawn('bash', [join(root, 'scripts', 'setup-python.sh'), version], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d) => {
      process.stderr.write(d)
      err = (err + d).slice(-20_000) // the tail is enough for the reason
    })
    child.on('error', (e) => resolve({ reason: `scripts/setup-python.sh ${version} could not start: ${e.message}` }))
    child.on('close', (code) => {
      const python = out.trim().split('\n').pop()
      if (code === 0 && python) return resolve({ python })
      const lines = err.split('\n').filter((l) => l.trim())
      const why = lines.filter((l) => /error|setup-python:/i.test(l)).pop() ?? lines.pop() ?? `exit code ${code}`
      resolve({ reason: `scripts/setup-python.sh ${version} failed: ${why.trim().replace(/^setup-python: /, '')}` })
    })
  })
}

if (process.env.NNUNET_WIZARD_PYTHON) {
  say(`nnU-Net v2: using NNUNET_WIZARD_PYTHON=${process.env.NNUNET_WIZARD_PYTHON}`)
} else {
  const v2 = await setupPython('v2')
  if (v2.python) {
    process.env.NNUNET_WIZARD_PYTHON = v2.python
    say(`NNUNET_WIZARD_PYTHON=${v2.python}`)
  } else if (requirePython) {
    say(`${v2.reason}\nNNUNET_WIZARD_REQUIRE_PYTHON=1, so this is a failure: the nnU-Net tests cannot run.`)
    process.exit(1)
  } else {
    missing.push(`the nnU-Net v2 venv (${v2.reason}): the nnU-Net tests (test/nnunet/*.integration.test.ts, e2e/train.spec.ts) will skip`)
  }
}

if (process.env.NNUNET_WIZARD_PYTHON_V1) {
  say(`nnU-Net v1: using NNUNET_WIZARD_PYTHON_V1=${process.env.NNUNET_WIZARD_PYTHON_V1}`)
} else if (process.env.NNUNET_WIZARD_V1_SKIP_REASON) {
  missing.push(`nnU-Net v1 (NNUNET_WIZARD_V1_SKIP_REASON: ${process.env.NNUNET_WIZARD_V1_SKIP_REASON}): the v1 tests will skip`)
} else {
  const v1 = await setupPython('v1')
  if (v1.python) {
    process.env.NNUNET_WIZARD_PYTHON_V1 = v1.python
    say(`NNUNET_WIZARD_PYTHON_V1=${v1.python}`)
  } else {
    // v1 is optional even under NNUNET_WIZARD_REQUIRE_PYTHON: its tests skip with this reason.
    process.env.NNUNET_WIZARD_V1_SKIP_REASON = v1.reason
    missing.push(`nnU-Net v1 (${v1.reason}): the v1 tests (test/nnunet/nnunetV1.integration.test.ts) will skip`)
  }
}

// ---- Chromium
let chromium = findChromium(root)
if (!chromium.path && !process.env.CHROMIUM_PATH) {
  // Only where nothing else exists: Playwright's own download (fails fast without network).
  say('no Chromium found; trying to download Playwright’s own (playwright install chromium)')
  run(process.execPath, [join(root, 'node_modules', '@playwright', 'test', 'cli.js'), 'install', 'chromium'], { timeout: 600_000 })
  chromium = findChromium(root)
}
if (chromium.path) {
  process.env.CHROMIUM_PATH = chromium.path
  say(`Chromium: ${chromium.path} (${chromium.source})`)
} else {
  e2eBlocked = true
  missing.push(`a Chromium (${chromium.reason}): the browser tests (e2e/*.spec.ts) cannot run and count as failed; install one (Debian: apt-get install chromium) or set CHROMIUM_PATH`)
}

// Small worker counts: test machines have few cores, and nnU-Net's defaults assume a workstation.
process.env.nnUNet_n_proc_DA ??= '1'

if (missing.length) {
  say('set-up could not get:')
  for (const m of missing) console.error(`  - ${m}`)
} else {
  say('set-up complete: nothing is missing.')
}
if (setupOnly) process.exit(e2eBlocked ? 1 : 0)

// One trained results model for the whole run: the results integration test trains it (vitest),
// the Results e2e spec reuses it instead of training the same model a second time.
let resultsFixture = null
if (!process.env.NNUNET_WIZARD_RESULTS_FIXTURE) {
  resultsFixture = mkdtempSync(join(tmpdir(), 'nnw-results-fixture-'))
  process.env.NNUNET_WIZARD_RESULTS_FIXTURE = resultsFixture
  process.on('exit', () => rmSync(resultsFixture, { recursive: true, force: true }))
}

// ---- the tests
const steps = [
  ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['unit and integration tests', bin('vitest'), ['run']],
]
if (!e2eBlocked) steps.push(['browser tests', bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts']])
for (const [what, file, args] of steps) {
  say(`${what}: ${[file.replace(root + '/', ''), ...args].join(' ')}`)
  const status = run(file, args)
  if (status !== 0) {
    say(`${what} failed (exit ${status}).`)
    process.exit(status)
  }
}
if (e2eBlocked) {
  say('the browser tests did not run: no Chromium (see above).')
  process.exit(1)
}
if (missing.length) say(`passed, with ${missing.length} part${missing.length === 1 ? '' : 's'} of the set-up missing (see above).`)
