// The SLURM scheduler: sbatch submits, scontrol (squeue's source, with exit codes and restarts)
// reports, scancel cancels and signals; sacct only where accounting answers, for jobs the
// controller has forgotten. The app never schedules across machines itself.
import type { SlurmStatus } from '../../shared/api'
import { runCommand, type CommandResult } from './commands'
import type { Scheduler, Submitted, SubmitSpec, TaskState, TaskStateName } from './types'

export class SlurmError extends Error {}

function failure(what: string, r: CommandResult): SlurmError {
  if (r.missing) return new SlurmError(`${what}: the SLURM command is not installed on this machine (install SLURM's client commands, or run the app on the cluster's login node).`)
  return new SlurmError(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim() || 'no message'}`)
}

/** "1-3", "0,2,5-6", "2-5%1" (a throttle), "[0-1]": the task numbers it names. */
export function expandTaskIds(text: string): number[] {
  const body = text.replace(/%\d+$/, '').replace(/^\[|\]$/g, '')
  const out: number[] = []
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim())
    if (!m) continue
    const a = Number(m[1])
    const b = m[2] === undefined ? a : Number(m[2])
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]))
    for (let i = a; i <= b && out.length < 10_000; i += step) out.push(i)
  }
  return out
}

/** "00:03:12", "1-02:00:00", "5:07" (squeue's %M) -> seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim())
  if (!m) return undefined
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4])
}

const field = (line: string, key: string): string | undefined => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1]

const STATES = new Set<TaskStateName>(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'SUSPENDED', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE'])
function stateName(text: string | undefined): TaskStateName {
  const word = (text ?? '').split(/[\s+]/)[0]!.toUpperCase() as TaskStateName
  return STATES.has(word) ? word : 'UNKNOWN'
}

/** The tasks in `scontrol show job -o` output (one line per job or array task; pending tasks of an array may share a line). */
export function parseScontrol(text: string): TaskState[] {
  const out: TaskState[] = []
  for (const line of text.split('\n')) {
    const jobId = field(line, 'JobId')
    if (!jobId) continue
    const arrayJob = field(line, 'ArrayJobId')
    const arrayTask = field(line, 'ArrayTaskId')
    const node = field(line, 'NodeList')
    const exit = field(line, 'ExitCode')
    const base: Omit<TaskState, 'id'> = {
      state: stateName(field(line, 'JobState')),
      ...(field(line, 'Reason') && { reason: field(line, 'Reason') }),
      ...(node && node !== '(null)' && { node }),
      ...(parseDuration(field(line, 'RunTime') ?? '') !== undefined && { elapsedSeconds: parseDuration(field(line, 'RunTime')!) }),
      ...(exit && { exitCode: Number(exit.split(':')[0]) }),
      restarts: Number(field(line, 'Restarts') ?? 0),
    }
    if (arrayJob && arrayTask !== undefined) {
      for (const n of expandTaskIds(arrayTask)) out.push({ id: `${arrayJob}_${n}`, ...base })
    } else out.push({ id: jobId, ...base })
  }
  return out.sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }))
}

/** `sacct -n -P -X -o JobID,State,NodeList,ElapsedRaw,ExitCode` lines. */
export function parseSacct(text: string): TaskState[] {
  const out: TaskState[] = []
  for (const line of text.split('\n')) {
    const [id, state, node, elapsed, exit] = line.split('|')
    if (!id || !state || /[[\]]/.test(id)) continue
    out.push({ id, state: stateName(state), ...(node && node !== 'None assigned' && { node }), ...(elapsed && { elapsedSeconds: Number(elapsed) }), ...(exit && { exitCode: Number(exit.split(':')[0]) }) })
  }
  return out
}

export class SlurmScheduler implements Scheduler {
  readonly kind = 'slurm' as const
  private accounting?: boolean

  async submit(spec: SubmitSpec): Promise<Submitted> {
    // The script is built from the runs (study.ts): their argv and environment, nothing decided here.
    if (!spec.script || !spec.cwd) throw new SlurmError(`Internal error: a SLURM submission of ${spec.runs.map((r) => r.title).join(', ')} needs its job script.`)
    const args = ['--parsable', `--chdir=${spec.cwd}`]
    if (spec.afterOk?.length) args.push(`--dependency=afterok:${spec.afterOk.join(':')}`, '--kill-on-invalid-dep=yes')
    args.push(spec.script)
    const r = await runCommand('sbatch', args, { cwd: spec.cwd })
    if (r.code !== 0) throw failure(`sbatch ${spec.script}`, r)
    // --parsable prints "id" or "id;cluster".
    const id = r.stdout.trim().split(';')[0]!
    if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch answered "${r.stdout.trim()}" instead of a job id.`)
    return { id }
  }

  async state(jobId: string): Promise<TaskState[]> {
    const r = await runCommand('scontrol', ['show', 'job', '-o', jobId], { timeoutMs: 30_000 })
    if (r.code === 0) return parseScontrol(r.stdout)
    if (r.missing) throw failure('scontrol', r)
    // The controller forgot it (MinJobAge passed): accounting, where there is one, still knows.
    if (/Invalid job id/i.test(r.stderr) && (await this.hasAccounting())) {
      const a = await runCommand('sacct', ['-n', '-P', '-X', '-j', jobId, '-o', 'JobID,State,NodeList,ElapsedRaw,ExitCode'], { timeoutMs: 30_000 })
      if (a.code === 0) return parseSacct(a.stdout)
    }
    if (/Invalid job id/i.test(r.stderr)) return []
    throw failure(`scontrol show job ${jobId}`, r)
  }

  /** The task's output file as SLURM expanded it (StdOut of scontrol), while the controller knows the task. */
  async logLocation(taskId: string): Promise<string | undefined> {
    const r = await runCommand('scontrol', ['show', 'job', '-o', taskId], { timeoutMs: 30_000 })
    if (r.code !== 0) return undefined
    const line = r.stdout.split('\n').find((l) => field(l, 'JobId') !== undefined && (!taskId.includes('_') || `${field(l, 'ArrayJobId')}_${field(l, 'ArrayTaskId')}` === taskId)) ?? r.stdout
    return field(line, 'StdOut') || undefined
  }

  async cancel(id: string): Promise<void> {
    const r = await runCommand('scancel', [id], { timeoutMs: 30_000 })
    if (r.code !== 0 && !/already completing or completed|Invalid job id/i.test(r.stderr)) throw failure(`scancel ${id}`, r)
  }

  async signal(id: string, signal: 'USR1' | 'TERM' | 'INT'): Promise<void> {
    const r = await runCommand('scancel', [`--signal=${signal}`, '--batch', id], { timeoutMs: 30_000 })
    if (r.code !== 0) throw failure(`scancel --signal=${signal} --batch ${id}`, r)
  }

  /** sacct answers only where accounting storage is configured; asked once. */
  async hasAccounting(): Promise<boolean> {
    if (this.accounting === undefined) {
      const r = await runCommand('sacct', ['-n', '-X', '-S', 'now', '-o', 'JobID'], { timeoutMs: 15_000 })
      this.accounting = r.code === 0 && !/disabled/i.test(r.stderr + r.stdout)
    }
    return this.accounting
  }
}

/** Whether SLURM can be used from here, and in words what is missing when not. */
export async function slurmStatus(): Promise<SlurmStatus> {
  const version = await runCommand('sinfo', ['--version'], { timeoutMs: 15_000 })
  if (version.missing) {
    const sbatch = await runCommand('sbatch', ['--version'], { timeoutMs: 15_000 })
    if (sbatch.missing) return { available: false, problem: "SLURM's commands (sbatch, squeue, scontrol, scancel) are not installed on this machine. Run the app (browser mode: nnunet-wizard serve) on the cluster's login node, where they are, or install the SLURM client and its munge key." }
  }
  const parts = await runCommand('sinfo', ['-h', '-o', '%P %a'], { timeoutMs: 20_000 })
  if (parts.code !== 0) return { available: false, version: version.stdout.trim() || undefined, problem: `SLURM is installed but its controller does not answer: ${(parts.stderr || parts.stdout).trim() || `sinfo exit ${parts.code}`}. Check that slurmctld runs and that munged runs with the cluster's key.` }
  const partitions = parts.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean)
  const accounting = await new SlurmScheduler().hasAccounting()
  return { available: true, version: version.stdout.trim(), partitions, accounting }
}
