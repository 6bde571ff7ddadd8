// Ending the app must not orphan work: a training run's nnU-Net process (and its augmentation
// workers) would otherwise keep a GPU busy with nobody watching. Both shells cancel what is
// still running (the job runner terminates the process tree) and give it a moment to end.
import type { JobInfo } from '../../shared/api'
import type { JobManager } from '../jobs/jobManager'

export async function runningJobs(jobs: JobManager): Promise<JobInfo[]> {
  return (await jobs.list()).filter((j) => j.state === 'running' || j.state === 'queued')
}

/** Cancels every running job; resolves when all have ended or `graceMs` has passed. */
export async function stopRunningJobs(jobs: JobManager, graceMs = 10_000): Promise<JobInfo[]> {
  const running = await runningJobs(jobs)
  for (const j of running) {
    try {
      jobs.cancel(j.id)
    } catch {
      // ended between list and cancel
    }
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))
  await Promise.race([Promise.all(running.map((j) => jobs.wait(j.id).catch(() => undefined))), timeout])
  clearTimeout(timer)
  return running
}
