// Jobs: every long operation returns a JobRef at once and reports progress, log lines, metrics
// and its exit as JobEvents (electron/jobs/).
import { z } from 'zod'
import type { Finding, Input } from './common'
import type { RunQueueState } from './runs'

export const jobIdRequest = z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })

export const jobLogRequest = jobIdRequest.extend({ from: z.number().int().min(0).default(0), max: z.number().int().min(1).max(200_000).default(20_000) })

export type JobKind = 'validate' | 'prepare' | 'install' | 'convert' | 'plan' | 'train' | 'predict' | 'find-best' | 'evaluate' | 'export-model' | 'import-model' | 'trainer' | 'surface-metrics' | 'slicer-export' | 'postprocessing' | 'dicom-export'

/** queued: waiting for its turn in the run queue (electron/nnunet/queue.ts); every other job starts running. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

export interface Progress {
  done: number
  total: number
  unit: string
  bytes?: number
  etaSeconds?: number
  message?: string
  /**
   * What the tool is doing now, in its own terms ("Preprocessing 3d_fullres: case 2 of 4",
   * "Final validation: case 3 of 12"); shown instead of the bare count when set.
   */
  phase?: string
}

export interface EpochMetrics {
  epoch: number
  totalEpochs?: number
  learningRate?: number
  trainLoss?: number
  valLoss?: number
  /** Pseudo Dice (v2) or average global foreground Dice (v1), one per foreground class. */
  dice?: number[]
  epochSeconds?: number
}

export interface JobInfo {
  id: string
  kind: JobKind
  title: string
  state: JobState
  createdAt: number
  startedAt?: number
  endedAt?: number
  progress?: Progress
  /** argv of the child process, for jobs that run one (shown, never re-parsed). */
  command?: string[]
  exitCode?: number | null
  error?: string
  /** Guidance derived from known nnU-Net failures in the log. */
  guidance?: Finding[]
  metrics?: EpochMetrics[]
  result?: unknown
  logFile?: string
  logLines: number
  /**
   * A running training that can stop after its current epoch now (stopAfterEpoch): the app's
   * generated v2 trainer on this machine, or a SLURM training whose batch script runs.
   */
  canStopAfterEpoch?: boolean
  /** The log file could not be written (a full disk): the log lives in memory only, and this says why. */
  logProblem?: string
}

export interface LogLine {
  n: number
  stream: 'stdout' | 'stderr' | 'info'
  text: string
  /**
   * A line still being redrawn (a tqdm bar between carriage returns). A later line with the same
   * n replaces it; the last one (without partial) is what the saved log keeps.
   */
  partial?: boolean
  /** A line that reports a failure (a traceback, an exception, the job's own error). stderr alone is not one: nnU-Net and tqdm write progress there. */
  error?: boolean
}

export type JobEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'log'; jobId: string; lines: LogLine[] }
  | { type: 'metrics'; jobId: string; metrics: EpochMetrics }
  | { type: 'exit'; jobId: string; state: JobState; error?: string; result?: unknown }
  /** The run queue changed (an entry added, started, removed or ended). */
  | { type: 'queue'; queue: RunQueueState }

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const jobsRequests = {
  listJobs: null,
  getJobLog: jobLogRequest,
  cancelJob: jobIdRequest,
  stopAfterEpoch: jobIdRequest,
  stopAndKeep: jobIdRequest,
} as const

type Req<K extends keyof typeof jobsRequests> = Input<(typeof jobsRequests)[K]>

export interface JobsApi {
  listJobs(): Promise<JobInfo[]>
  getJobLog(req: Req<'getJobLog'>): Promise<LogLine[]>
  cancelJob(req: Req<'cancelJob'>): Promise<void>
  /**
   * Asks a running training (the app's generated v2 trainer, here or on SLURM) to save a checkpoint
   * at the end of its current epoch and stop (SIGUSR1; on SLURM the task is then requeued with
   * --c). Refused (code "not-stoppable") for other jobs.
   */
  stopAfterEpoch(req: Req<'stopAfterEpoch'>): Promise<void>
  /**
   * Asks a running v2 training of this machine to finish its current iteration, save
   * checkpoint_latest.pth and stop (SIGUSR2: the "stop and keep" of Cancel); --c trains that epoch
   * again from the weights kept. Refused when the job is no such training.
   */
  stopAndKeep(req: Req<'stopAndKeep'>): Promise<void>
}
