// "Stop after this epoch": a running training of the app's generated trainer saves a checkpoint at
// the end of its current epoch and stops (SIGUSR1; on SLURM the task is requeued and goes on with
// --c). Locally the training is continued later with "Continue from the last checkpoint".
import { useState } from 'react'
import type { JobInfo } from '../../../shared/api'
import { api } from '../../api'

export function StopAfterEpochButton({ job, small }: { job: JobInfo; small?: boolean }) {
  const [asked, setAsked] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // The service says when a training can stop now (JobInfo.canStopAfterEpoch): a generated
  // trainer here, a SLURM task only while its batch script runs.
  if (job.state !== 'running' || !job.canStopAfterEpoch) return null
  const ask = async () => {
    setError(null)
    try {
      await api.stopAfterEpoch({ jobId: job.id })
      setAsked(true)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }
  return (
    <span className="row">
      <button type="button" className={`btn${small ? ' btn-small' : ''}`} disabled={asked} onClick={() => void ask()} data-testid="stop-after-epoch" title="Save a checkpoint at the end of the current epoch, then stop">
        {asked ? 'Stopping after this epoch…' : 'Stop after this epoch'}
      </button>
      {error && <span className="small text-error">{error}</span>}
    </span>
  )
}
