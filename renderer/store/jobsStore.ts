// Every job the app knows about (validate, prepare, install, plan, train, predict), fed by the
// Api's one event channel. Log lines are kept per job in an append-only buffer: the array is
// mutated in place and a version number changes, so 100k lines never get copied per batch.
import { useCallback, useState } from 'react'
import { create } from 'zustand'
import type { EpochMetrics, JobEvent, JobInfo, JobKind, LogLine } from '../../shared/api'
import { api } from '../api'
import { connectQueue } from './trainQueue'

export interface LogBuffer {
  lines: LogLine[]
  /** Bumped on every append, so subscribers re-render. */
  version: number
  /** The history from before this session was fetched (getJobLog). */
  historyLoaded: boolean
}

export interface JobsState {
  jobs: Record<string, JobInfo>
  logs: Record<string, LogBuffer>
  metrics: Record<string, EpochMetrics[]>
  /** The newest job per kind, so a step can show the job it started after the user comes back. */
  latest: Partial<Record<JobKind, string>>
  handleEvent(event: JobEvent): void
  track(jobId: string, kind: JobKind): void
  loadHistory(): Promise<void>
  loadLog(jobId: string): Promise<void>
}

function emptyLog(): LogBuffer {
  return { lines: [], version: 0, historyLoaded: false }
}

/**
 * Appends lines with a number above the last one held; a line with a number already held replaces
 * it (a tqdm bar redrawn in place: one line that updates, not one line per redraw). A batch may
 * also repeat lines from history, which then change nothing.
 */
export function appendLines(buf: LogBuffer, lines: readonly LogLine[]): LogBuffer {
  let changed = 0
  for (const l of lines) {
    const last = buf.lines[buf.lines.length - 1]
    if (!last || l.n > last.n) {
      buf.lines.push(l)
      changed++
      continue
    }
    const i = indexOfLine(buf.lines, l.n)
    const held = i >= 0 ? buf.lines[i]! : undefined
    // A new object, so the row (memoised on its line) draws the new text.
    if (held && (held.text !== l.text || !!held.partial !== !!l.partial || !!held.error !== !!l.error)) {
      buf.lines[i] = l
      changed++
    }
  }
  return changed ? { ...buf, version: buf.version + 1 } : buf
}

/** Binary search by line number (lines are held in ascending n). */
function indexOfLine(lines: readonly LogLine[], n: number): number {
  let lo = 0
  let hi = lines.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const m = lines[mid]!.n
    if (m === n) return mid
    if (m < n) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** History first, then whatever arrived live after it. */
export function mergeHistory(buf: LogBuffer, history: readonly LogLine[]): LogBuffer {
  const lastHistory = history.length ? history[history.length - 1]!.n : -1
  const live = buf.lines.filter((l) => l.n > lastHistory)
  return { lines: [...history, ...live], version: buf.version + 1, historyLoaded: true }
}

export const useJobs = create<JobsState>()((set, get) => ({
  jobs: {},
  logs: {},
  metrics: {},
  latest: {},

  handleEvent: (e) => {
    const s = get()
    switch (e.type) {
      case 'job': {
        const latestId = s.latest[e.job.kind]
        const latestJob = latestId ? s.jobs[latestId] : undefined
        const newer = !latestJob || latestJob.createdAt <= e.job.createdAt
        set({
          jobs: { ...s.jobs, [e.job.id]: e.job },
          metrics: e.job.metrics && !s.metrics[e.job.id] ? { ...s.metrics, [e.job.id]: e.job.metrics } : s.metrics,
          latest: newer ? { ...s.latest, [e.job.kind]: e.job.id } : s.latest,
        })
        break
      }
      case 'progress': {
        const job = s.jobs[e.jobId]
        if (job) set({ jobs: { ...s.jobs, [e.jobId]: { ...job, progress: e.progress } } })
        break
      }
      case 'log': {
        const buf = appendLines(s.logs[e.jobId] ?? emptyLog(), e.lines)
        if (buf !== s.logs[e.jobId]) set({ logs: { ...s.logs, [e.jobId]: buf } })
        break
      }
      case 'metrics': {
        const prev = (s.metrics[e.jobId] ?? []).filter((m) => m.epoch !== e.metrics.epoch)
        set({ metrics: { ...s.metrics, [e.jobId]: [...prev, e.metrics].sort((a, b) => a.epoch - b.epoch) } })
        break
      }
      case 'queue':
        break // the run queue's own store follows these (trainQueue.ts)
      case 'exit': {
        const job = s.jobs[e.jobId]
        if (job) set({ jobs: { ...s.jobs, [e.jobId]: { ...job, state: e.state, error: e.error, result: e.result ?? job.result, endedAt: job.endedAt ?? Date.now() } } })
        // The final JobInfo (guidance, exit code) follows as a 'job' event on most transports;
        // fetch it anyway so a missed event never leaves a job looking unfinished.
        void api
          .listJobs()
          .then((all) => {
            const fresh = all.find((j) => j.id === e.jobId)
            if (fresh) get().handleEvent({ type: 'job', job: { ...fresh, result: fresh.result ?? e.result } })
          })
          .catch(() => undefined)
        break
      }
    }
  },

  track: (jobId, kind) => {
    const s = get()
    const placeholder: JobInfo = s.jobs[jobId] ?? { id: jobId, kind, title: kind, state: 'queued', createdAt: Date.now(), logLines: 0 }
    set({ jobs: { ...s.jobs, [jobId]: placeholder }, latest: { ...s.latest, [kind]: jobId } })
  },

  loadHistory: async () => {
    const all = await api.listJobs()
    for (const job of [...all].sort((a, b) => a.createdAt - b.createdAt)) get().handleEvent({ type: 'job', job })
  },

  loadLog: async (jobId) => {
    const buf = get().logs[jobId]
    if (buf?.historyLoaded) return
    const job = get().jobs[jobId]
    // A job started in this session streams every line from its start; only older jobs need history.
    if (buf && buf.lines.length > 0 && buf.lines[0]!.n === 0 && job && buf.lines.length >= job.logLines) return
    const history = await api.getJobLog({ jobId, from: 0, max: 200_000 })
    set({ logs: { ...get().logs, [jobId]: mergeHistory(get().logs[jobId] ?? emptyLog(), history) } })
  },
}))

let connected = false
/** Subscribes the store to the Api's events once, and lists jobs from before a restart; the run queue's mirror with it. */
export function connectJobs(): void {
  if (connected) return
  connected = true
  api.onEvent((e) => useJobs.getState().handleEvent(e))
  void useJobs.getState().loadHistory().catch(() => undefined)
  connectQueue()
}

/** Starts a job and tracks it; returns its id. */
export async function startJob(kind: JobKind, start: () => Promise<{ jobId: string }>): Promise<string> {
  const { jobId } = await start()
  useJobs.getState().track(jobId, kind)
  return jobId
}

export function isActive(job: JobInfo | undefined): boolean {
  return !!job && (job.state === 'queued' || job.state === 'running')
}

export interface LatestJob {
  jobId: string | undefined
  job: JobInfo | undefined
  /** Why the last start failed (or what the step itself set); cleared by the next start. */
  error: unknown
  setError(error: unknown): void
  /** Starts a job of this kind and follows it. */
  start(call: () => Promise<{ jobId: string }>): void
}

/** A step's job of one kind: the newest one (also the one from before the user came back) and starting the next. */
export function useLatestJob(kind: JobKind): LatestJob {
  const jobId = useJobs((s) => s.latest[kind])
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined))
  const [error, setError] = useState<unknown>(null)
  const start = useCallback(
    (call: () => Promise<{ jobId: string }>) => {
      setError(null)
      startJob(kind, call).catch(setError)
    },
    [kind],
  )
  return { jobId, job, error, setError, start }
}
