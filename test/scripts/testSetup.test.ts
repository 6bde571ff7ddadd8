// `npm test`'s set-up phase (scripts/test.mjs --setup-only): what it could not get is said once,
// with the tests that will skip or fail because of it; NNUNET_WIZARD_REQUIRE_PYTHON=1 turns a
// missing nnU-Net v2 venv into a failure. Runs with an empty venv folder and a base Python that
// does not exist, so nothing is built or downloaded.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/python'

const venvRoot = mkdtempSync(join(tmpdir(), 'nnunet-wizard-novenv-'))
afterAll(() => rmSync(venvRoot, { recursive: true, force: true }))

function setup(env: Record<string, string | undefined>) {
  const base: Record<string, string | undefined> = { ...process.env, NNUNET_WIZARD_VENV_ROOT: venvRoot, NNUNET_WIZARD_BASE_PYTHON: join(venvRoot, 'no-python3') }
  for (const k of ['NNUNET_WIZARD_PYTHON', 'NNUNET_WIZARD_PYTHON_V1', 'NNUNET_WIZARD_REFERENCE_PYTHON', 'NNUNET_WIZARD_V1_SKIP_REASON', 'NNUNET_WIZARD_REQUIRE_PYTHON', 'CHROMIUM_PATH']) delete base[k]
  const r = spawnSync(process.execPath, ['scripts/test.mjs', '--setup-only', '--no-build'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...base, ...env } as NodeJS.ProcessEnv })
  return { status: r.status, err: r.stderr }
}

describe('npm test set-up', () => {
  it('names each missing piece and the tests it affects', () => {
    const r = setup({ CHROMIUM_PATH: join(venvRoot, 'no-chromium') })
    expect(r.status).toBe(1)
    const report = r.err.slice(r.err.indexOf('set-up could not get:'))
    expect(report).toMatch(/- the nnU-Net v2 venv \(scripts\/setup-python\.sh v2 failed: the base interpreter .*no-python3 does not run.*\): the nnU-Net tests .* will skip/)
    expect(report).toMatch(/- nnU-Net v1 \(.*\): the v1 tests .* will skip/)
    expect(report).toContain(`- a Chromium (CHROMIUM_PATH=${join(venvRoot, 'no-chromium')} does not exist): the browser tests (e2e/*.spec.ts) cannot run`)
    expect(r.err).not.toMatch(/^\s+at /m)
  })

  it('under NNUNET_WIZARD_REQUIRE_PYTHON=1 a missing v2 venv is a failure', () => {
    const r = setup({ NNUNET_WIZARD_REQUIRE_PYTHON: '1' })
    expect(r.status).toBe(1)
    expect(r.err).toContain('NNUNET_WIZARD_REQUIRE_PYTHON=1, so this is a failure')
    expect(r.err).not.toContain('set-up could not get')
  })

  it('uses what it is given and reports nothing missing', () => {
    const python = join(venvRoot, 'python')
    const chromium = process.execPath // any file that exists: the set-up only locates it
    const r = setup({ NNUNET_WIZARD_PYTHON: python, NNUNET_WIZARD_PYTHON_V1: python, NNUNET_WIZARD_REFERENCE_PYTHON: python, CHROMIUM_PATH: chromium })
    expect(r.status).toBe(0)
    expect(r.err).toContain(`nnU-Net v2: using NNUNET_WIZARD_PYTHON=${python}`)
    expect(r.err).toContain(`Chromium: ${chromium} (CHROMIUM_PATH)`)
    expect(r.err).toContain('set-up complete: nothing is missing.')
    expect(readdirSync(venvRoot).filter((n) => n.startsWith('venv-')), 'no venv built').toEqual([])
  })
})
