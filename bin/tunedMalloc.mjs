// glibc gives freed memory straight back to the kernel: every block over 128 KB is its own mmap,
// and a heap's top is trimmed once 128 KB of it are free. `prepare` inflates about 170 MB per case
// (an 84 MB scan in chunks, two 42 MB masks, a 42 MB label map), so nearly every page it touches is
// a fresh one: 900k page faults and a quarter of its CPU time in the kernel (bench/RESULTS.md).
// With larger thresholds freed memory is reused instead (measured: 354k faults, 3.7 -> 1.9 s of
// system time, 1.2 s less wall time; peak RSS 400 -> 680 MB). glibc reads these settings only when a
// process starts, so the batch commands start themselves once more with them set. Elsewhere (not
// Linux, or GLIBC_TUNABLES already set by the user) nothing changes.
import process from 'node:process'
import { spawn } from 'node:child_process'
import { Socket } from 'node:net'
import { Worker } from 'node:worker_threads'

export const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=134217728:glibc.malloc.trim_threshold=536870912'
/** Set in the relaunched process: the fd of a pipe that closes when its launcher is gone. */
const PARENT_FD = 'NNUNET_WIZARD_LAUNCHER_FD'
/** In a relaunched process: the launcher's pid (globalThis[LAUNCHER]), which the dataset lock records (electron/dataset/lock.ts). */
export const LAUNCHER = Symbol.for('nnunet-wizard.launcher')
/** How often the watcher thread looks at the parent: the worker outlives a SIGKILLed launcher by at most about this. */
const WATCH_MS = 25
const COMMANDS = new Set(['prepare'])

/** The environment to relaunch `argv` (process.argv.slice(2)) with, or null to run it as it is. */
export function tunedMallocEnv(argv, env = process.env, platform = process.platform) {
  if (platform !== 'linux' || env.GLIBC_TUNABLES !== undefined || env[PARENT_FD] !== undefined) return null
  if (env.NNUNET_WIZARD_MALLOC === 'default') return null
  if (!COMMANDS.has(argv[0]) || argv.includes('--help') || argv.includes('-h')) return null
  return { ...env, GLIBC_TUNABLES: MALLOC_TUNABLES, [PARENT_FD]: '3' }
}

/**
 * Runs this CLI again with tuned malloc and becomes its stand-in: signals sent here are passed on
 * once (the child has its own process group, so Ctrl-C is not delivered twice: a second Ctrl-C
 * means "stop at once" to prepare), and its exit code or signal becomes this process's. Returns
 * false when no relaunch is wanted.
 */
export function relaunchWithTunedMalloc() {
  const env = tunedMallocEnv(process.argv.slice(2))
  if (!env) return false
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: ['inherit', 'inherit', 'inherit', 'pipe'], detached: true })
  const forward = (sig) => child.kill(sig)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, forward)
  child.on('error', (err) => {
    process.stderr.write(`nnunet-wizard: could not start its worker process (${err.message}).\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    }
    process.exit(code ?? 1)
  })
  return true
}

/**
 * In a relaunched process: exit when the launcher is gone (killed with SIGKILL, it could pass
 * nothing on). Two watchers: the pipe's end on the main thread, and a thread of its own that looks
 * at the parent pid, since the main thread may be busy for seconds (reading a volume) just then,
 * and the lock of the dataset being written must not outlive its run.
 */
export function followLauncher() {
  const fd = Number(process.env[PARENT_FD])
  const launcher = process.ppid
  globalThis[LAUNCHER] = launcher
  // Neither is for the processes this one starts (nnU-Net's Python). The user had no
  // GLIBC_TUNABLES of their own (else there was no relaunch); glibc may have cut ours short in place.
  delete process.env[PARENT_FD]
  delete process.env.GLIBC_TUNABLES
  if (!Number.isInteger(fd)) return
  const pipe = new Socket({ fd, readable: true, writable: false })
  pipe.on('error', () => undefined)
  pipe.on('close', () => process.kill(process.pid, 'SIGKILL'))
  pipe.resume()
  pipe.unref()
  const watcher = new Worker(
    `const { workerData } = require('node:worker_threads')
     const check = () => { if (process.ppid !== workerData.launcher) process.kill(process.pid, 'SIGKILL') }
     check()
     setInterval(check, workerData.ms)`,
    { eval: true, workerData: { launcher, ms: WATCH_MS }, env: {}, stdout: false, stderr: false },
  )
  watcher.on('error', () => undefined)
  watcher.unref()
}
