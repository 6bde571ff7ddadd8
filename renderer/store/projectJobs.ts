// The jobs a step shows belong to the open project: only a job this project started, and only
// while the project still asks for what that job ran. The server keeps every job of every
// project, so "the newest job of a kind" could be another project's (or other folders') result.
import { useCallback, useState } from 'react'
import type { JobInfo, JobKind } from '../../shared/api'
import { isActive, startJob, useJobs } from './jobsStore'
import { useProject, type ProjectRun } from './projectStore'

/** How a request is remembered beside its job (requests are built the same way every time). */
export function requestText(request: unknown): string {
  return JSON.stringify(request)
}

export interface ShownRun {
  /** The project's job for this request, or its job still running for an earlier one. */
  jobId: string | undefined
  /** The project's last job of this kind ran another request: its result no longer applies. */
  outdated: boolean
}

export function shownRun(run: ProjectRun | undefined, job: JobInfo | undefined, request: unknown | null): ShownRun {
  if (!run) return { jobId: undefined, outdated: false }
  const same = request !== null && run.request === requestText(request)
  // A running job stays in view (and keeps its Cancel button) even when the form changed meanwhile.
  if (same || isActive(job)) return { jobId: run.jobId, outdated: false }
  return { jobId: undefined, outdated: true }
}

/** Starts a job for the open project and remembers it with the request it runs. */
export async function startProjectJob(kind: JobKind, request: unknown, call: () => Promise<{ jobId: string }>): Promise<string> {
  const jobId = await startJob(kind, call)
  useProject.getState().recordRun(kind, jobId, requestText(request))
  return jobId
}

export interface ProjectJob extends ShownRun {
  job: JobInfo | undefined
  /** Why the last start failed; cleared by the next start. */
  error: unknown
  setError(error: unknown): void
  start(call: () => Promise<{ jobId: string }>): void
}

/** A step's job of one kind for `request` (null while the form is incomplete: nothing shown). */
export function useProjectJob(kind: JobKind, request: unknown | null): ProjectJob {
  const run = useProject((s) => s.runs[kind])
  const runJob = useJobs((s) => (run ? s.jobs[run.jobId] : undefined))
  const shown = shownRun(run, runJob, request)
  const [error, setError] = useState<unknown>(null)
  const start = useCallback(
    (call: () => Promise<{ jobId: string }>) => {
      if (request === null) return
      setError(null)
      startProjectJob(kind, request, call).catch(setError)
    },
    [kind, request],
  )
  return { ...shown, job: shown.jobId ? runJob : undefined, error, setError, start }
}
