// The Python holding the reference implementations metrics are checked against
// (python/requirements-reference.txt: DeepMind's surface-distance, numpy, scipy, SimpleITK).
//   1. $NNUNET_WIZARD_REFERENCE_PYTHON;
//   2. else scripts/setup-reference-python.sh, which builds the small venv once (about 150 MB,
//      under ~/.cache/nnunet-wizard) and reuses it after.
// When neither works the tests that need it skip with the reason, unless
// NNUNET_WIZARD_REQUIRE_PYTHON=1 (CI), where a missing reference is a failure.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, type TestPython } from './python'

let cached: TestPython | undefined

export function referencePython(): TestPython {
  cached ??= find()
  return cached
}

function find(): TestPython {
  const fromEnv = process.env.NNUNET_WIZARD_REFERENCE_PYTHON
  if (fromEnv) return existsSync(fromEnv) ? { python: fromEnv, reason: '' } : missing(`NNUNET_WIZARD_REFERENCE_PYTHON=${fromEnv} does not exist`)
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'setup-reference-python.sh')], { encoding: 'utf8', timeout: 600_000 })
  const python = r.stdout?.trim().split('\n').pop()
  if (r.status === 0 && python && existsSync(python)) return { python, reason: '' }
  const why = (r.stderr ?? '').split('\n').filter((l) => l.trim()).pop() ?? r.error?.message ?? `exit code ${r.status}`
  return missing(`scripts/setup-reference-python.sh could not build the reference venv (${why.trim()})`)
}

function missing(why: string): TestPython {
  if (process.env.NNUNET_WIZARD_REQUIRE_PYTHON === '1') throw new Error(`NNUNET_WIZARD_REQUIRE_PYTHON=1 but ${why}.`)
  return { reason: why }
}
