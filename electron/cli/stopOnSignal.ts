// A CLI command that started nnU-Net must not leave it running when the command itself is told
// to end (Ctrl-C, `kill`, `timeout`, a closed terminal): Node's default for SIGTERM and SIGHUP is
// to die at once, and nnU-Net, a process-group leader of its own (nnunet/processTree.ts), then
// ran on with PPID 1 (issue 18, issue 17 item 3). On SIGINT, SIGTERM or SIGHUP the command cancels
// its jobs, as the app's Cancel does (the runner stops the whole group: SIGTERM, then SIGKILL
// after a grace), waits for them briefly, says so on stderr and exits with 128 + the signal.
import { constants } from 'node:os'
import type { JobManager } from '../jobs/jobManager'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
type StopSignal = (typeof SIGNALS)[number]

/** Longer than the runner's grace (5 s SIGTERM, then SIGKILL and 2 s more): after it the command exits anyway, saying so. */
export const STOP_WAIT_MS = 10_000

export interface SignalStop {
  /** The signal that arrived, if one did. */
  readonly signal: StopSignal | undefined
  /** The exit code for that signal: 128 + its number (SIGINT 130, SIGTERM 143, SIGHUP 129). */
  exitCode(): number | undefined
  off(): void
}

/**
 * Listens for the stop signals while `jobs` may run nnU-Net. `command` names the command in the
 * messages; `exit` ends the process (a parameter so the wait can be tested without exiting).
 */
export function stopOnSignal(command: string, jobs: JobManager, exit: (code: number) => void = (c) => process.exit(c)): SignalStop {
  let got: StopSignal | undefined
  // The jobs this command's service runs now, from its events (every job announces itself and its end).
  const running = new Set<string>()
  const offEvents = jobs.onEvent((e) => {
    if (e.type === 'job') {
      if (e.job.state === 'running' || e.job.state === 'queued') {
        running.add(e.job.id)
        // A job started after the signal (the next step of a chain) is cancelled at once.
        if (got) jobs.cancel(e.job.id)
      } else running.delete(e.job.id)
    } else if (e.type === 'exit') running.delete(e.jobId)
  })
  const active = () => [...running]
  const code = () => (got ? 128 + constants.signals[got] : undefined)
  const cancelAll = () => {
    for (const id of active()) jobs.cancel(id)
  }
  const handlers = new Map<StopSignal, () => void>()
  for (const sig of SIGNALS) {
    const h = () => {
      if (got) return // a second signal: the stop is already under way
      got = sig
      const ids = active()
      process.stderr.write(`\nnnunet-wizard ${command}: ${sig} received: stopping nnU-Net and its worker processes${ids.length ? ` (${ids.length === 1 ? 'job' : 'jobs'} ${ids.join(', ')})` : ''}...\n`)
      cancelAll()
      const waits = ids.map((id) => jobs.wait(id))
      const timer = setTimeout(() => {
        process.stderr.write(`nnunet-wizard ${command}: nnU-Net did not stop within ${STOP_WAIT_MS / 1000} s; see the lines above for the process group to end by hand (kill -9 -GROUP). Exiting with ${code()}.\n`)
        exit(code()!)
      }, STOP_WAIT_MS)
      void Promise.all(waits).then(() => {
        clearTimeout(timer)
        process.stderr.write(`nnunet-wizard ${command}: nnU-Net stopped; exiting with ${code()} (${sig}).\n`)
        exit(code()!)
      })
    }
    handlers.set(sig, h)
    process.on(sig, h)
  }
  return {
    get signal() {
      return got
    },
    exitCode: code,
    off() {
      offEvents()
      for (const [sig, h] of handlers) process.off(sig, h)
    },
  }
}
