// A SLURM task as an app job: its log file (on the shared file system) is read as it grows and fed
// through the same parsing as a local run's output (log lines, nnU-Net's phases, epoch metrics,
// guidance), and its state (scontrol) is the job's progress message. So the log pane, the curves
// and the guidance do not know where the task ran. Cancel is scancel; the job ends when the task
// has ended for good (a requeued task is followed into its next run: the log is appended to).
import { open, readdir, stat } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import type { Finding, Progress } from '../../shared/api'
import { toolKind, ToolProgress } from '../../shared/nnunetProgress'
import type { NnunetTool } from '../../shared/nnunetArgs'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { GuidanceMatcher } from '../nnunet/guidance'
import { ended, stateText, type Scheduler, type TaskState } from './types'
import { followedProgress } from './followProgress'

export interface FollowedTask {
  /** SLURM's id of the task: "12" or "13_0". */
  taskId: string
  logFile: string
  tool: NnunetTool
  args: string[]
  totalEpochs?: number
  /** Where a training writes (its checkpoints are listed in the result). */
  outputFolder?: string
}

export interface FollowOptions {
  pollMs?: number
  /** Called with every state read (the registry keeps the latest). */
  onState?: (t: TaskState) => void
}

export interface FollowResult {
  taskId: string
  state: string
  node?: string
  elapsedSeconds?: number
  restarts?: number
  logFile: string
  /** The nnU-Net command the task ran, as typed (script first): the report's record of it (the job's own command is `sbatch TASK`). */
  command?: string[]
  outputFolder?: string
  checkpoints?: string[]
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t)
      resolve()
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Reads what was appended to a file since the last call. */
class FileTail {
  private offset = 0
  private readonly decoder = new StringDecoder('utf8')
  constructor(readonly file: string) {}

  async read(): Promise<string> {
    const size = await stat(this.file).then((s) => s.size, () => -1)
    if (size < 0) return ''
    if (size < this.offset) this.offset = 0 // truncated (a new run without --open-mode=append)
    if (size === this.offset) return ''
    const fh = await open(this.file, 'r')
    try {
      const buf = Buffer.alloc(Math.min(size - this.offset, 8 << 20))
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset)
      this.offset += bytesRead
      return this.decoder.write(buf.subarray(0, bytesRead))
    } finally {
      await fh.close()
    }
  }
}

export async function followTask(ctx: JobContext, scheduler: Scheduler, task: FollowedTask, opts: FollowOptions = {}): Promise<FollowResult> {
  const pollMs = opts.pollMs ?? 1000
  const tracker = new ToolProgress(toolKind(task.tool), { args: task.args, totalEpochs: task.totalEpochs })
  const matcher = new GuidanceMatcher()
  const guidance: Finding[] = []
  const tail = new FileTail(task.logFile)
  let rest = ''
  let last: TaskState | undefined
  let progress: Progress | undefined = tracker.start()
  let shown = ''
  const show = () => {
    // A SLURM training can be signalled only while its batch script runs (not while it waits).
    if (toolKind(task.tool) === 'train') ctx.stoppable?.(last?.state === 'RUNNING')
    const p: Progress = followedProgress(progress, last)
    const key = JSON.stringify(p)
    if (key !== shown) ctx.progress(p)
    shown = key
  }
  const feed = (text: string, final = false) => {
    if (!text && !final) return
    ctx.log(text, 'stdout')
    const parts = (rest + text).split(/\r?\n|\r(?!\n)/)
    rest = final ? '' : parts.pop() ?? ''
    for (const line of parts) {
      for (const f of matcher.match(line)) {
        guidance.push(f)
        ctx.guidance(f)
      }
      const u = tracker.push(line, Date.now())
      if (u.metrics) ctx.metrics(u.metrics)
      if (u.progress) progress = u.progress
    }
  }

  ctx.log(`Following SLURM task ${task.taskId}; its log: ${task.logFile}`, 'info')
  let cancelling = false
  let errors = 0
  let unknown = 0
  for (;;) {
    if (ctx.signal.aborted && !cancelling) {
      cancelling = true
      ctx.log(`Cancelling: scancel ${task.taskId}`, 'info')
      await scheduler.cancel(task.taskId).catch((err: Error) => ctx.log(`${err.message}\n`, 'stderr'))
    }
    feed(await tail.read())
    let states: TaskState[] = []
    try {
      states = await scheduler.state(task.taskId)
      errors = 0
    } catch (err) {
      // A controller that is busy or restarting answers again later; say so after a few tries.
      if (++errors === 5) ctx.log(`SLURM does not answer: ${(err as Error).message}\n`, 'stderr')
    }
    const now = states.find((s) => s.id === task.taskId) ?? states[0]
    if (now) {
      // A new state, a requeue, or a new reason to wait (Priority -> Dependency -> Resources).
      if (last?.state !== now.state || last?.restarts !== now.restarts || (now.state === 'PENDING' && last?.reason !== now.reason)) ctx.log(`SLURM task ${task.taskId}: ${stateText(now)}`, 'info')
      last = now
      opts.onState?.(now)
    }
    show()
    if (now && ended(now.state)) break
    // Unknown to the controller: it ended long enough ago to be forgotten (MinJobAge) and no
    // accounting remembers it; after a few polls, say so rather than wait for ever.
    if (!now && errors === 0 && ++unknown >= 3) break
    await sleep(pollMs, cancelling ? undefined : ctx.signal)
  }
  // What the task wrote as it ended (the file system may show it a moment later).
  for (let i = 0; i < 3; i++) {
    await sleep(300)
    feed(await tail.read())
  }
  feed('', true)
  if (cancelling) throw new JobCancelledError()
  const result: FollowResult = { taskId: task.taskId, state: last?.state ?? 'UNKNOWN', node: last?.node, elapsedSeconds: last?.elapsedSeconds, restarts: last?.restarts, logFile: task.logFile, command: [task.tool.script, ...task.args] }
  if (!last) throw new Error(`SLURM no longer knows task ${task.taskId} (it ended a while ago, and there is no accounting to ask). Its log: ${task.logFile}`)
  if (last.state !== 'COMPLETED') {
    const why = guidance[0]?.text
    throw new Error(`SLURM task ${task.taskId} ended ${last.state}${last.exitCode ? ` (exit ${last.exitCode})` : ''}${last.reason && last.reason !== 'None' ? `: ${last.reason}` : ''}.${why ? ` ${why}` : ''} See its log: ${task.logFile}`)
  }
  if (task.outputFolder) {
    result.outputFolder = task.outputFolder
    result.checkpoints = (await readdir(task.outputFolder).catch(() => [] as string[])).filter((n) => n.endsWith('.pth')).sort()
  }
  return result
}
