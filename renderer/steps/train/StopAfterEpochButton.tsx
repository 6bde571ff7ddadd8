// "Stop after this epoch": a running training of the app's generated trainer saves a checkpoint at
// the end of its current epoch and stops (SIGUSR1; on SLURM the task is requeued and goes on with
// --c). Locally the training is continued later with "Continue from the last checkpoint".
import { useState } from 'react'
import type { JobInfo } from '../../../shared/api'
import { api } from '../../api'

export function StopAfterEpochButton({ job, small }: { job: JobInfo; small?: boolean }) {
  const [asked, setAsked] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const slurmTask = job.command?.[0] === 'sbatch'
  // A SLURM task can be signalled only while its batch script runs (not while it waits in the queue).
  if (job.kind !== 'train' || job.state !== 'running' || (slurmTask ? !job.progress?.message?.startsWith('SLURM RUNNING') : !job.command?.some((a) => a.includes('_Wizard_')))) return null
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
