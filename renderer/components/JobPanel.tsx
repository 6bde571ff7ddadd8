// The common face of a job: its state, progress, errors with guidance, cancel, and its log.
import type { ReactNode } from 'react'
import type { JobInfo } from '../../shared/api'
import { api } from '../api'
import { isActive, useJobs } from '../store/jobsStore'
import { FindingList } from './FindingList'
import { LogPane } from './LogPane'
import { ProgressBar } from './ProgressBar'
import { formatDuration } from '../lib/format'
import { elapsedSeconds, useNow } from '../lib/useNow'

const STATE_TEXT: Record<JobInfo['state'], string> = {
  queued: 'Waiting to start',
  running: 'Running',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

interface Props {
  jobId: string | undefined
  showLog?: boolean
  logHeight?: number
  /** Replaces the progress bar (training shows epochs instead). */
  progress?: ReactNode
  /** Replaces "Finished" when the job ended with a result the step reads as partial (e.g. some cases failed). */
  finishedWarning?: string  /** Replaces the Cancel button of a running job (a training asks first, and can keep a checkpoint). */
  cancel?: ReactNode
}

export function JobPanel({ jobId, showLog = true, logHeight, progress, finishedWarning, cancel }: Props) {
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined))
  const running = job?.state === 'running'
  const now = useNow(running)
  if (!jobId || !job) return null
  const active = isActive(job)
  const elapsed = running || job.endedAt !== undefined ? elapsedSeconds(job, now) : undefined
  const warn = job.state === 'done' && !!finishedWarning
  // The running message and phase ("Checking cases", "Predicting case 2 of 2") describe work in
  // progress; a finished job shows its count only.
  // The error often is a guidance finding's own sentence: said once, with its file and what to do.
  const failure = job.state === 'failed' ? job.error : undefined
  const said = failure ? job.guidance?.find((g) => failure.includes(g.text)) : undefined
  const guidance = job.guidance?.filter((g) => g !== said) ?? []
  const shownProgress = active || !job.progress ? job.progress : { ...job.progress, message: undefined, phase: undefined }
  return (
    <section className="card job" data-testid={`job-${job.kind}`} data-state={job.state}>
      <div className="row">
        <span className={`badge ${warn ? 'badge-warning' : `badge-${job.state}`}`} data-testid="job-state">
          {warn ? finishedWarning : STATE_TEXT[job.state]}
        </span>
        <strong className="grow">{job.title}</strong>
        {elapsed !== undefined && (
          <span className="muted small" data-testid="job-elapsed" title="Time since the job started">
            {formatDuration(elapsed)}
          </span>
        )}
        {active &&
          (cancel ?? (
            <button type="button" className="btn btn-danger" onClick={() => void api.cancelJob({ jobId })} data-testid="job-cancel">
              Cancel
            </button>
          ))}
      </div>
      {progress ?? <ProgressBar progress={shownProgress} busy={active} complete={job.state === 'done'} idleText={active ? 'Starting…' : ''} />}
      {job.command && (
        <details className="small">
          <summary>Command</summary>
          <code className="mono block">{job.command.join(' ')}</code>
        </details>
      )}
      {failure && (
        <div className="banner banner-error" role="alert">
          {failure}
          {said?.file && <div className="finding-file mono">{said.file}</div>}
          {said?.hint && <div className="finding-hint">What to do: {said.hint}</div>}
        </div>
      )}
      {guidance.length > 0 && <FindingList findings={guidance} testId="job-guidance" />}
      {showLog && <LogPane jobId={jobId} height={logHeight} />}
    </section>
  )
}
