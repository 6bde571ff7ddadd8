// "Stop after this epoch" for trainings on this machine: the running nnU-Net process of a job, by
// job id, to send SIGUSR1 to (the wizard's generated v2 trainer then saves checkpoint_latest.pth at
// the end of the epoch and exits with STOP_EXIT_CODE; "Continue from the last checkpoint" goes on
// at the next epoch). The runner registers a training while it runs; SLURM tasks are signalled
// through scancel instead (schedulers/slurm.ts). The local scheduler (schedulers/local.ts) signals here.

const stoppers = new Map<string, () => void>()
const requested = new Set<string>()

/** Registers the way to ask a job's training to stop; returns the unregister function. */
export function registerStop(jobId: string, stop: () => void): () => void {
  stoppers.set(jobId, stop)
  return () => {
    stoppers.delete(jobId)
    requested.delete(jobId)
  }
}

/** Asks the job's training to stop after its current epoch; false when it cannot (not a running generated-trainer training). */
export function requestStop(jobId: string): boolean {
  const stop = stoppers.get(jobId)
  if (!stop) return false
  requested.add(jobId)
  stop()
  return true
}

/** Whether a stop was asked for this job (its exit with STOP_EXIT_CODE is then a clean stop). */
export function stopRequested(jobId: string): boolean {
  return requested.has(jobId)
}
