// `nnunet-wizard prepare` runs in a second process with tuned malloc (bin/tunedMalloc.mjs). The
// launcher must be a faithful stand-in: the worker really has the settings, a signal sent to the
// launcher reaches the worker once, its exit code comes back, and killing the launcher outright
// leaves no worker behind.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM module without types (the CLI's entry, run before anything is built)
import { MALLOC_TUNABLES, tunedMallocEnv } from '../../bin/tunedMalloc.mjs'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { cliEnv } from '../dataset/prepareCli'

const repo = join(import.meta.dirname, '..', '..')
let tmp: string
let data: GuideFolders

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tuned-malloc-'))
  data = await makeGuideFolders(join(tmp, 'data'), { cases: 8, source: 'ct_small' })
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('tunedMallocEnv', () => {
  const env = { PATH: '/usr/bin' }
  it('relaunches prepare on Linux with the settings, and nothing else', () => {
    expect(tunedMallocEnv(['prepare', '--images', 'x'], env, 'linux')).toMatchObject({ PATH: '/usr/bin', GLIBC_TUNABLES: MALLOC_TUNABLES, NNUNET_WIZARD_LAUNCHER_FD: '3' })
    expect(tunedMallocEnv(['prepare'], env, 'darwin')).toBeNull()
    expect(tunedMallocEnv(['prepare', '--help'], env, 'linux')).toBeNull()
    expect(tunedMallocEnv(['train', '-d', '1'], env, 'linux')).toBeNull()
    expect(tunedMallocEnv([], env, 'linux')).toBeNull()
  })
  it("leaves the user's own GLIBC_TUNABLES alone, and can be switched off", () => {
    expect(tunedMallocEnv(['prepare'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux')).toBeNull()
    expect(tunedMallocEnv(['prepare'], { NNUNET_WIZARD_MALLOC: 'default' }, 'linux')).toBeNull()
    // The relaunched process itself never relaunches again.
    expect(tunedMallocEnv(['prepare'], { NNUNET_WIZARD_LAUNCHER_FD: '3' }, 'linux')).toBeNull()
  })
})

/** Pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid
      } catch {
        return false
      }
    })
    .map(Number)
}

function startLauncher(out: string, id: string) {
  const args = [join(repo, 'bin', 'nnunet-wizard.mjs'), 'prepare', '--images', data.images, '--label', `organ=${data.organ}`, '--out', out, '--id', id, '--name', 'Tuned']
  const child = spawn(process.execPath, args, { cwd: repo, env: cliEnv(join(tmp, 'appdata')), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stdout.resume()
  const written = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), stderr.includes(' -> imagesT') && resolve())))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return { child, written, done, stderr: () => stderr }
}

async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (test()) return true
  return test()
}

describe.runIf(process.platform === 'linux')('the relaunched prepare', () => {
  it('has the settings; SIGTERM to the launcher stops it once and its exit code comes back', async () => {
    const run = startLauncher(join(tmp, 'term'), '41')
    await run.written
    const [worker] = childrenOf(run.child.pid!)
    expect(worker, 'the launcher has one worker process').toBeDefined()
    const environ = readFileSync(`/proc/${worker}/environ`, 'utf8').split('\0')
    // glibc cuts the variable at its first ':' in place once read; the start shows it was given.
    expect(environ.some((e) => `GLIBC_TUNABLES=${MALLOC_TUNABLES}`.startsWith(e) && e.startsWith('GLIBC_TUNABLES=glibc.malloc.'))).toBe(true)
    run.child.kill('SIGTERM')
    const r = await run.done
    expect(r.code, run.stderr()).toBe(143)
    // Passed on once: the worker finished its case ("send it again to stop at once" was not needed).
    expect(run.stderr().match(/Terminated: finishing the case being written/g)).toHaveLength(1)
    expect(run.stderr()).toMatch(/Interrupted: \d+ cases? written and recorded in this run/)
  }, 120_000)

  it('killing the launcher outright (SIGKILL) ends the worker too', async () => {
    const run = startLauncher(join(tmp, 'kill'), '42')
    await run.written
    const [worker] = childrenOf(run.child.pid!)
    expect(worker).toBeDefined()
    run.child.kill('SIGKILL')
    expect((await run.done).signal).toBe('SIGKILL')
    expect(await until(() => !existsSync(`/proc/${worker}`) || readFileSync(`/proc/${worker}/stat`, 'utf8').includes(') Z '), 10_000), `worker ${worker} still runs`).toBe(true)
  }, 120_000)

  it('after kill -9 of the launcher the worker is gone at once and an immediate re-run takes the lock', async () => {
    const out = join(tmp, 'rerun')
    for (let i = 0; i < 3; i++) {
      const run = startLauncher(out, '43')
      await run.written
      const [worker] = childrenOf(run.child.pid!)
      expect(worker).toBeDefined()
      // The lock names the worker and its launcher.
      expect(JSON.parse(readFileSync(join(out, '.nnunet-wizard-lock-Dataset043'), 'utf8'))).toMatchObject({ pid: worker, launcher: run.child.pid })
      run.child.kill('SIGKILL')
      // Immediately: no waiting for the worker to notice.
      const again = startLauncher(out, '43')
      const r = await again.done
      expect(r.code, again.stderr()).toBe(0)
      expect(again.stderr()).not.toContain('being written by another')
      expect(existsSync(`/proc/${worker}`) && !readFileSync(`/proc/${worker}/stat`, 'utf8').includes(') Z ')).toBe(false)
      await rm(out, { recursive: true, force: true })
    }
  }, 300_000)
})
