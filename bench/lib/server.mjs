// Start `nnunet-wizard serve --port 0` and wait for its address line.
import process from 'node:process'
import { URL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { setTimeout, clearTimeout } from 'node:timers'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './common.mjs'

/** Resolves to { url (with ?token=), origin, proc, stop(), output(), startupMs (spawn -> address line) }; its state goes to a fresh temp dir. */
export function startWizardServer({ dataDir = mkdtempSync(join(tmpdir(), 'nnw-bench-data-')), timeoutMs = 30000, env = {} } = {}) {
  if (!existsSync(join(repoRoot, 'dist', 'renderer', 'index.html')))
    throw new Error("dist/renderer/index.html is missing: run 'node scripts/build.mjs' first (or pass --build)")
  const t0 = performance.now()
  const proc = spawn(process.execPath, [join(repoRoot, 'bin', 'nnunet-wizard.mjs'), 'serve', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, NNUNET_WIZARD_DATA: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const output = () => out
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (out += d))
  const stop = () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode) return resolve()
      proc.once('exit', resolve)
      proc.kill('SIGTERM')
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref()
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`serve printed no address within ${timeoutMs} ms:\n${out}`))
    }, timeoutMs)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited (code ${code}) before printing its address:\n${out}`))
    })
    const onData = () => {
      const m = out.match(/running at (http:\/\/\S+)/)
      if (!m) return
      clearTimeout(timer)
      proc.stdout.off('data', onData)
      const url = m[1]
      resolve({ url, origin: new URL(url).origin, proc, stop, output, dataDir, startupMs: performance.now() - t0 })
    }
    proc.stdout.on('data', onData)
  })
}
