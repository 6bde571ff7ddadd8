// Cancel of a running training asks once: an hour of CPU training must not end with "Stopped after
// 0 epochs" and nothing kept. "Stop and keep" (nnU-Net v2 on this machine) saves
// checkpoint_latest.pth at the running iteration, so "Continue from the last checkpoint" goes on
// from there; "Cancel without keeping" is the old cancel.
import { useState } from 'react'
import type { JobInfo } from '../../../shared/api'
import { api } from '../../api'

/** A v2 training running on this machine (SLURM tasks are stopped through scancel, not here). */
export function canKeep(job: JobInfo): boolean {
  return job.kind === 'train' && job.state === 'running' && job.command?.[0] !== 'sbatch' && !!job.command?.some((a) => a.includes('nnUNetv2_train'))
}

export function CancelTraining({ job }: { job: JobInfo }) {
  const [asking, setAsking] = useState(false)
  const [keeping, setKeeping] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const keep = async () => {
    setError(null)
    try {
      await api.stopAndKeep({ jobId: job.id })
      setKeeping(true)
      setAsking(false)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }
  if (keeping) return <span className="small" data-testid="train-keeping">Saving a checkpoint after this iteration, then stopping…</span>
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger" onClick={() => setAsking(true)} data-testid="job-cancel">
        Cancel
      </button>
    )
  }
  return (
    <div className="stack" role="group" aria-label="Cancel this training?" data-testid="train-cancel-ask">
      <span className="small">Cancel this training? What it learned so far is lost unless a checkpoint is kept.</span>
      <span className="row">
        {canKeep(job) && (
          <button type="button" className="btn btn-primary" onClick={() => void keep()} data-testid="train-stop-keep" title="Finish the running iteration, save checkpoint_latest.pth, then stop; Continue from the last checkpoint goes on from there">
            Stop and keep a checkpoint
          </button>
        )}
        <button type="button" className="btn btn-danger" onClick={() => void api.cancelJob({ jobId: job.id })} data-testid="train-cancel-discard">
          Cancel without keeping
        </button>
        <button type="button" className="btn" onClick={() => setAsking(false)} data-testid="train-cancel-back">
          Go on training
        </button>
      </span>
      {error && <span className="small text-error">{error}</span>}
    </div>
  )
}
