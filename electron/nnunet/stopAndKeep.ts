// "Stop and keep" for trainings on this machine: the running nnU-Net v2 process of a job, by job
// id, gets SIGUSR2; the wizard's trainers (generated ones and nnU-Net's own through the wrapper,
// trainerParts.ts) finish the running iteration, save checkpoint_latest.pth and exit with
// STOP_EXIT_CODE. "Continue from the last checkpoint" (--c) then trains that epoch again from the
// weights kept. Unlike a cancel, the hour already trained is not lost.

const keepers = new Map<string, () => void>()
const requested = new Set<string>()

/** Registers the way to ask a job's training to stop and keep; returns the unregister function. */
export function registerKeep(jobId: string, keep: () => void): () => void {
  keepers.set(jobId, keep)
  return () => {
    keepers.delete(jobId)
    requested.delete(jobId)
  }
}

/** Asks the job's training to save a checkpoint now and stop; false when it is not a running v2 training of this machine. */
export function requestKeep(jobId: string): boolean {
  const keep = keepers.get(jobId)
  if (!keep) return false
  requested.add(jobId)
  keep()
  return true
}

/** Whether a stop-and-keep was asked for this job (its exit with STOP_EXIT_CODE is then a clean stop). */
export function keepRequested(jobId: string): boolean {
  return requested.has(jobId)
}
