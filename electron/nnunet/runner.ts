// Runs one nnU-Net tool as a job step: spawns it (no shell), streams its output to the job log,
// turns what nnU-Net prints (tqdm bars included) into the job's progress and training lines into
// epoch metrics, known failures into guidance, and on cancel terminates the whole process tree.
import type { Finding } from '../../shared/api'
import { displayCommand, type NnunetCommand } from '../../shared/nnunetArgs'
import { toolKind, ToolProgress } from '../../shared/nnunetProgress'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { GuidanceMatcher } from './guidance'
import { appInvocation } from './launch'
import { keepRequested, registerKeep } from './stopAndKeep'
import { programPath, pythonSpawn } from './safePython'
import { killTree, reapGroup, spawnTree } from './processTree'
import { registerStop, stopRequested } from './stopSignals'
import type { RunSpec } from './runSpec'
import { prepareRun, unmetChecks } from './runPrepare'
import { STOP_EXIT_CODE } from './trainers'

export interface RunToolOptions {
  python: string
  command: NnunetCommand
  env: Record<string, string>
  /** Working folder; by default an empty private one (see safePython.ts). */
  cwd?: string
  /** The epochs a training will run (for "epoch n of N" and its time left). */
  training?: { totalEpochs?: number }
  /** Called with every output line (both streams), e.g. to count predicted cases. */
  onLine?: (line: string) => void
  /** Grace period between SIGTERM and SIGKILL on cancel. */
  graceMs?: number
  /** A training whose generated trainer stops after the current epoch on SIGUSR1 (stopSignals.ts). */
  stoppable?: boolean
  /** Told the nnU-Net process id once it runs (the fold lock records it, to find an orphan after a crash). */
  onSpawn?: (pid: number) => void | Promise<void>
}

export interface RunToolResult {
  exitCode: number
  guidance: Finding[]
  /** Epochs parsed from the log (training only). */
  epochs: number
  /** Stopped after an epoch on request: checkpoint_latest.pth saved, --c continues. */
  stoppedAfterEpoch?: boolean
  /** Stopped and kept inside an epoch (stopAndKeep.ts): checkpoint_latest.pth saved, --c trains that epoch again. */
  keptMidEpoch?: boolean
}

/** Splits a byte stream into lines; a lone "\r" (tqdm bars) ends a line too. */
class LineSplitter {
  private rest = ''
  push(chunk: string, emit: (line: string) => void): void {
    const parts = (this.rest + chunk).split(/\r?\n|\r(?!\n)/)
    this.rest = parts.pop() ?? ''
    for (const p of parts) emit(p)
  }
  end(emit: (line: string) => void): void {
    if (this.rest) emit(this.rest)
    this.rest = ''
  }
}

/** The last Python exception line ("RuntimeError: ..."), the most useful part of a traceback. */
function lastErrorLine(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim()
    if (/^[A-Za-z_.]*(Error|Exception|Interrupt)\b.*:/.test(l) || /^[A-Za-z_.]*Error$/.test(l)) return l
  }
  return undefined
}

export async function runTool(ctx: JobContext, opts: RunToolOptions): Promise<RunToolResult> {
  if (ctx.signal.aborted) throw new JobCancelledError()
  const inv = appInvocation(opts.python, opts.command)
  ctx.setCommand([inv.file, ...inv.args])
  ctx.log(`$ ${displayCommand(opts.command)}`, 'info')
  // nnU-Net's console scripts are Python too, and so are the workers they spawn: both get the
  // safe sys.path and the neutral working folder.
  const launch = pythonSpawn({
    ...process.env,
    ...opts.env,
    // Unbuffered, UTF-8 output: lines arrive as nnU-Net prints them, whatever the locale.
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
  })
  const tree = spawnTree(programPath(inv.file), inv.args, { env: launch.env, cwd: opts.cwd ?? launch.cwd })
  if (tree.child.pid && opts.onSpawn) {
    const pid = tree.child.pid
    void Promise.resolve()
      .then(() => opts.onSpawn!(pid))
      .catch((err: Error) => ctx.log(`Could not record nnU-Net's process id ${pid} in the fold lock: ${err.message}`, 'stderr'))
  }
  const tracker = new ToolProgress(toolKind(opts.command.tool), { args: opts.command.args, totalEpochs: opts.training?.totalEpochs })
  const matcher = new GuidanceMatcher()
  const guidance: Finding[] = []
  const recentErr: string[] = []
  const first = tracker.start()
  if (first) ctx.progress(first)

  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    if (stream === 'stderr') {
      recentErr.push(line)
      if (recentErr.length > 200) recentErr.shift()
    }
    opts.onLine?.(line)
    for (const f of matcher.match(line)) {
      guidance.push(f)
      ctx.guidance(f)
    }
    const { progress, metrics } = tracker.push(line, Date.now())
    if (metrics) ctx.metrics(metrics)
    if (progress) ctx.progress(progress)
  }

  for (const stream of ['stdout', 'stderr'] as const) {
    const splitter = new LineSplitter()
    const source = tree.child[stream]!
    source.setEncoding('utf8')
    source.on('data', (chunk: string) => {
      ctx.log(chunk, stream)
      splitter.push(chunk, (l) => onLine(l, stream))
    })
    source.on('end', () => splitter.end((l) => onLine(l, stream)))
  }

  let cancelled = false
  const onAbort = () => {
    cancelled = true
    ctx.log('Cancelling: stopping nnU-Net and its worker processes...', 'info')
    void killTree(tree, opts.graceMs ?? 5000).then((clean) => {
      if (!clean) ctx.log(`Some processes of group ${tree.groupId} did not stop; end them by hand (kill -9 -${tree.groupId}).`, 'stderr')
    })
  }
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  // Only nnU-Net itself gets USR1, not its augmentation workers (the trainer's handler is in it).
  const unregisterStop = opts.stoppable ? registerStop(ctx.jobId, () => tree.child.kill('SIGUSR1')) : undefined
  if (unregisterStop) ctx.stoppable?.(true)
  const stopAsked = () => stopRequested(ctx.jobId)
  // Every v2 training of this machine can stop and keep (SIGUSR2: trainerParts.ts), generated trainer or not.
  const unregisterKeep = opts.command.tool.script === 'nnUNetv2_train' ? registerKeep(ctx.jobId, () => tree.child.kill('SIGUSR2')) : undefined
  try {
    const { code, signal } = await tree.exited
    if (cancelled || ctx.signal.aborted) {
      // Wait until the whole group is gone, so "cancelled" means nothing is left running.
      await killTree(tree, opts.graceMs ?? 5000)
      await Promise.race([tree.streamsClosed, new Promise((r) => setTimeout(r, 2000))])
      throw new JobCancelledError()
    }
    await reapGroup(tree)
    // The last lines may still be in the pipes; the group is gone now, so they close soon.
    await Promise.race([tree.streamsClosed, new Promise((r) => setTimeout(r, 2000))])
    const exitCode = code ?? 1
    if (exitCode === STOP_EXIT_CODE && opts.stoppable && stopAsked()) return { exitCode, guidance, epochs: tracker.training?.finished().length ?? 0, stoppedAfterEpoch: true }
    if (exitCode === STOP_EXIT_CODE && keepRequested(ctx.jobId)) return { exitCode, guidance, epochs: tracker.training?.finished().length ?? 0, stoppedAfterEpoch: true, keptMidEpoch: true }
    if (exitCode !== 0) {
      const why = guidance[0]?.text ?? lastErrorLine(recentErr)
      const how = signal ? `was stopped by ${signal}` : `stopped with exit code ${exitCode}`
      throw new Error(`${opts.command.tool.script} ${how}.${why ? ` ${why}` : ''} See the log for details.`)
    }
    return { exitCode, guidance, epochs: tracker.training?.finished().length ?? 0 }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
    unregisterStop?.()
    if (unregisterStop) ctx.stoppable?.(false)
    unregisterKeep?.()
  }
}

export interface SpecRunResult extends RunToolResult {
  /** Stopped after an epoch on request: the success checks were not applied. */
  stoppedAfterEpoch?: boolean
}

/**
 * Runs a RunSpec on this machine, inside a job: its preparations, its commands one after another
 * (each a process tree), then its success checks. The local scheduler and the queue both run
 * specs this way; SLURM runs the same argv and environment from a script (schedulers/study.ts).
 */
export async function runSpecHere(spec: RunSpec, ctx: JobContext, opts: Pick<RunToolOptions, 'onLine' | 'graceMs' | 'cwd' | 'onSpawn'> = {}): Promise<SpecRunResult> {
  await prepareRun(spec, (line) => ctx.log(line, 'info'))
  let last: RunToolResult | undefined
  for (const command of spec.commands) {
    last = await runTool(ctx, { ...opts, python: spec.python, env: spec.env, command, ...(spec.train && { training: { totalEpochs: spec.train.totalEpochs }, stoppable: spec.train.stoppable }) })
    if (last.stoppedAfterEpoch) return last
  }
  // Exit code 0 is not enough: a trainer may save no checkpoint or skip the validation.
  const unmet = unmetChecks(spec)
  if (unmet) throw new Error(unmet)
  return last!
}
