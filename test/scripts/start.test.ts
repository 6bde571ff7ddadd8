// `npm start` where Electron's binary is not installed and cannot be fetched: one paragraph that
// says so and points at browser mode, a non-zero exit, no stack trace, and nothing built first.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/python'

const empty = mkdtempSync(join(tmpdir(), 'nnunet-wizard-no-electron-'))
afterAll(() => rmSync(empty, { recursive: true, force: true }))

function npmStart(env: Record<string, string>) {
  // ELECTRON_OVERRIDE_DIST_PATH at an empty folder: no binary, even where one is installed.
  // An unreachable mirror and an empty cache: a download attempt fails at once, never fetches.
  const r = spawnSync('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: empty, ...env },
  })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

describe('npm start without an Electron binary', () => {
  it('installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1: says so, points at serve, exits 1', () => {
    const r = npmStart({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })
    expect(r.status).toBe(1)
    expect(r.out).toContain("Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set")
    expect(r.out).toContain('npx nnunet-wizard serve')
    expect(r.out).not.toMatch(/^\s+at /m)
    expect(r.out).not.toMatch(/Downloading|vite|building/i)
  })

  it('when the download fails: names the failure, points at serve, exits 1', () => {
    const r = npmStart({ ELECTRON_SKIP_BINARY_DOWNLOAD: '' })
    expect(r.status).toBe(1)
    expect(r.out).toContain("Downloading Electron's binary")
    expect(r.out).toMatch(/not installed \(its download failed: .+\)/)
    expect(r.out).toContain('npx nnunet-wizard serve')
    expect(r.out).not.toMatch(/^\s+at /m)
  })
})
