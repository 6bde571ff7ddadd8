// Where a run spec runs. A scheduler is small on purpose: it submits resolved runs (RunSpec,
// nnunet/runSpec.ts: every rule already applied), says what state each task is in, where its log
// is, cancels and signals it. It never changes what runs: the argv and environment are the spec's.
// Two implement it: `local` (this machine: a job per run, schedulers/local.ts) and `slurm`
// (sbatch/scontrol/scancel, schedulers/slurm.ts). The app's job events (log lines, progress,
// curves) come from the task's output and these states, so the queue, the log pane and the curves
// do not know which scheduler ran a task (DESIGN.md: One engine, two places to run).
import type { RunSpec } from '../nnunet/runSpec'

/** SLURM's words for a task's state; the local scheduler uses the same few. */
export type TaskStateName =
  | 'PENDING'
  | 'CONFIGURING'
  | 'RUNNING'
  | 'COMPLETING'
  | 'REQUEUED'
  | 'SUSPENDED'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'NODE_FAIL'
  | 'PREEMPTED'
  | 'OUT_OF_MEMORY'
  | 'BOOT_FAIL'
  | 'DEADLINE'
  | 'UNKNOWN'

export interface TaskState {
  /** The task's own id: "123" for a job, "123_4" for array task 4 of job 123. */
  id: string
  state: TaskStateName
  /** Why it waits or ended (SLURM's reason: Dependency, Resources, NonZeroExitCode...). */
  reason?: string
  node?: string
  /** Seconds it has run (this run: a requeued task starts again at 0). */
  elapsedSeconds?: number
  exitCode?: number
  /** How often it was requeued. */
  restarts?: number
}

export interface SubmitSpec {
  /** What runs: one resolved run per task (an array job has several). */
  runs: RunSpec[]
  /** SLURM: the script file built from the runs (bash, with #SBATCH lines); kept next to the logs. */
  script?: string
  /** SLURM: its working folder. */
  cwd?: string
  /** Job ids this one starts after, when they all ended well (afterok). */
  afterOk?: string[]
}

export interface Submitted {
  /** The job id (an array's id: its tasks are `${id}_${n}`). */
  id: string
}

export interface Scheduler {
  readonly kind: 'local' | 'slurm'
  submit(spec: SubmitSpec): Promise<Submitted>
  /** The states of a job's tasks (one for a plain job, one per array task); empty when it is unknown. */
  state(jobId: string): Promise<TaskState[]>
  /** Where the task's output is written (undefined while it is not known yet). */
  logLocation(taskId: string): Promise<string | undefined>
  cancel(taskOrJobId: string): Promise<void>
  /** USR1: stop after the current epoch (the generated trainers save a checkpoint); SLURM: to the batch script (scancel --signal=SIG --batch). */
  signal(taskOrJobId: string, signal: 'USR1' | 'TERM' | 'INT'): Promise<void>
}

const ENDED: ReadonlySet<TaskStateName> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE'])

/** Whether a task has ended for good (a requeued one has not). */
export function ended(state: TaskStateName): boolean {
  return ENDED.has(state)
}

/** "RUNNING on node1, 00:03:12" and the like: what the job's progress line says. */
export function stateText(t: TaskState): string {
  const parts = [`SLURM ${t.state}`]
  if (t.node && t.state !== 'PENDING') parts.push(`on ${t.node}`)
  if (t.elapsedSeconds !== undefined && t.state !== 'PENDING') parts.push(clock(t.elapsedSeconds))
  if (t.reason && t.reason !== 'None' && (t.state === 'PENDING' || ended(t.state))) parts.push(`(${t.reason})`)
  if (t.restarts) parts.push(`requeued ${t.restarts}x`)
  return parts.join(', ')
}

export function clock(seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.floor(seconds % 60)
  const hms = [h, m, s].map((n) => String(n).padStart(2, '0')).join(':')
  return d ? `${d}-${hms}` : hms
}
