// The Python with the pinned nnU-Net that tests run against.
//   1. $NNUNET_WIZARD_PYTHON (v2) / $NNUNET_WIZARD_PYTHON_V1 (v1), as .ci/run exports them;
//   2. else the venv scripts/setup-python.sh builds: ~/.cache/nnunet-wizard/venv-<v>-<hash>/bin/python
//      ($NNUNET_WIZARD_VENV_ROOT overrides the folder), when it finished (its `.complete` marker).
// When neither exists the tests that need it are skipped with the reason, unless
// NNUNET_WIZARD_REQUIRE_PYTHON=1 (CI): then the missing interpreter is an error, so a broken set-up
// can never pass as "skipped". v1 is optional even then when .ci/run recorded why it could not be
// installed in NNUNET_WIZARD_V1_SKIP_REASON.
// `npm run test:fast` sets NNUNET_WIZARD_TEST_FAST=1: no nnU-Net there at all, every test that needs it
// skips saying so (npm test runs them).
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface TestPython {
  /** Absolute path of the interpreter; undefined when the tests must skip. */
  python?: string
  /** Why it is missing (for the skip message). */
  reason: string
}

/** The venv folder scripts/setup-python.sh uses for a version (same hash rule). */
export function hashedVenv(version: 'v1' | 'v2'): string {
  const req = readFileSync(join(REPO_ROOT, 'python', `requirements-${version}.txt`))
  const hash = createHash('sha256').update(req).digest('hex').slice(0, 10)
  const root = process.env.NNUNET_WIZARD_VENV_ROOT ?? join(homedir(), '.cache', 'nnunet-wizard')
  return join(root, `venv-${version}-${hash}`)
}

export const FAST_SKIP = 'npm run test:fast runs no nnU-Net and no SLURM (npm test does)'

export function nnunetPython(version: 'v1' | 'v2'): TestPython {
  if (process.env.NNUNET_WIZARD_TEST_FAST === '1') return { reason: `(skipped: ${FAST_SKIP})` }
  const fromEnv = version === 'v2' ? process.env.NNUNET_WIZARD_PYTHON : process.env.NNUNET_WIZARD_PYTHON_V1
  if (fromEnv) {
    if (existsSync(fromEnv)) return { python: fromEnv, reason: '' }
    return missing(version, `${version === 'v2' ? 'NNUNET_WIZARD_PYTHON' : 'NNUNET_WIZARD_PYTHON_V1'}=${fromEnv} does not exist`)
  }
  const venv = hashedVenv(version)
  const python = process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
  if (existsSync(python) && existsSync(join(venv, '.complete'))) return { python, reason: '' }
  return missing(version, `no nnU-Net ${version} venv at ${venv}; run scripts/setup-python.sh ${version} (or set ${version === 'v2' ? 'NNUNET_WIZARD_PYTHON' : 'NNUNET_WIZARD_PYTHON_V1'})`)
}

function missing(version: 'v1' | 'v2', why: string): TestPython {
  if (version === 'v1' && process.env.NNUNET_WIZARD_V1_SKIP_REASON) {
    return { reason: `nnU-Net v1 is not available here: ${process.env.NNUNET_WIZARD_V1_SKIP_REASON}` }
  }
  if (process.env.NNUNET_WIZARD_REQUIRE_PYTHON === '1') {
    throw new Error(`NNUNET_WIZARD_REQUIRE_PYTHON=1 but ${why}.`)
  }
  return { reason: why }
}
