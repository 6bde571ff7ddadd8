// The local scheduler: runs resolved runs (RunSpec) on this machine, each as an app job (the
// same job events as every other run: log lines, progress, curves). It decides nothing about what
// runs: the argv and environment are the spec's (nnunet/runSpec.ts), run by runSpecHere. The
// app's persisted run queue (nnunet/queue.ts) decides WHEN a local run starts; this decides
// only that it runs here. SLURM is the other scheduler (slurm.ts), behind the same interface.
import type { JobInfo } from '../../shared/api'
import type { JobManager } from '../jobs/jobManager'
import { runSpecHere } from '../nnunet/runner'
import { requestStop } from '../nnunet/stopSignals'
import type { Scheduler, SubmitSpec, Submitted, TaskState, TaskStateName } from './types'

export { requestStop } from '../nnunet/stopSignals'

const STATE: Partial<Record<JobInfo['state'] | 'queued', TaskStateName>> = { queued: 'PENDING', running: 'RUNNING', done: 'COMPLETED', failed: 'FAILED', cancelled: 'CANCELLED' }

export class LocalScheduler implements Scheduler {
  readonly kind = 'local' as const

  constructor(private readonly jobs: JobManager) {}

  /** Starts the run (one spec: a local job runs one run) as a job; its id is the job id. */
  async submit(spec: SubmitSpec): Promise<Submitted> {
    if (spec.runs.length !== 1) throw new Error(`The local scheduler runs one run per job; got ${spec.runs.length}.`)
    const run = spec.runs[0]!
    const waitFor = spec.afterOk ?? []
    const job = await this.jobs.start(run.kind, run.title, async (ctx) => {
      for (const id of waitFor) {
        const before = await this.jobs.wait(id)
        if (before.state !== 'done') throw new Error(`Not started: ${before.title} (job ${id}) ${before.state}, and this run needs it to succeed.`)
      }
      return runSpecHere(run, ctx)
    })
    return { id: job.id }
  }

  async state(jobId: string): Promise<TaskState[]> {
    const info = (await this.jobs.list()).find((j) => j.id === jobId)
    if (!info) return []
    const elapsed = info.startedAt ? Math.round(((info.endedAt ?? Date.now()) - info.startedAt) / 1000) : undefined
    return [{ id: jobId, state: STATE[info.state] ?? 'UNKNOWN', ...(info.error && { reason: info.error }), ...(elapsed !== undefined && { elapsedSeconds: elapsed }) }]
  }

  async logLocation(jobId: string): Promise<string | undefined> {
    return (await this.jobs.list()).find((j) => j.id === jobId)?.logFile
  }

  async cancel(jobId: string): Promise<void> {
    this.jobs.cancel(jobId)
  }

  async signal(jobId: string, signal: 'USR1' | 'TERM' | 'INT'): Promise<void> {
    if (signal === 'USR1') {
      if (!requestStop(jobId)) throw new Error(`Job ${jobId} is not a running training with the app's generated trainer: it cannot stop after its epoch.`)
      return
    }
    this.jobs.cancel(jobId)
  }
}
