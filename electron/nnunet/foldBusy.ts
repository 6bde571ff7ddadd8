// "One writer per fold", said before a training is queued or submitted: the fold it would write
// is trained by a run queued or running in this app, or held by another process or a SLURM task
// (foldLock.ts). The lock itself, taken when the run starts, is what guarantees it; this check
// only refuses early and by name.
import type { TrainRequest } from '../../shared/schema'
import { busyText, FoldBusyError, foldHold } from './foldLock'
import { RunRefused, trainingFold, type ResolveContext } from './runSpec'

/** A training queued or running in this app's run queue. */
export interface QueuedTraining {
  title: string
  jobId?: string
  request: TrainRequest
}

/** Throws when one of `reqs` (or two of them) would write a fold that another training writes. */
export async function refuseBusyFolds(reqs: readonly TrainRequest[], queued: readonly QueuedTraining[], ctx: ResolveContext): Promise<void> {
  const taken = new Map<string, string>()
  for (const q of queued) {
    const folder = await trainingFold(q.request, ctx)
    if (folder) taken.set(folder, `the run queue entry "${q.title}"${q.jobId ? ` (job ${q.jobId})` : ''}`)
  }
  for (const r of reqs) {
    const folder = await trainingFold(r, ctx)
    if (!folder) continue
    const other = taken.get(folder)
    if (other) throw new RunRefused(`${folder} is already going to be trained by ${other}: a second training would overwrite its checkpoints. Remove one of them, or wait until it has finished.`, 'fold-busy', 'one-writer-per-fold')
    const hold = await foldHold(folder)
    if (hold) throw new FoldBusyError(busyText(folder, hold), hold)
    taken.set(folder, `another training of this request (fold ${r.fold}, ${r.configuration})`)
  }
}
