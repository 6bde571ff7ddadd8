// Every long operation runs as a job: it gets an id at once, streams progress, log lines and
// metrics as events, can be cancelled, and leaves its log on disk so it is listed after a restart.
import { EventEmitter } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { EpochMetrics, Finding, JobEvent, JobInfo, JobKind, LogLine, Progress } from '../../shared/api'
import { ErrorLines } from '../../shared/logLevel'
import { LineFolder } from './lineFolder'

export interface JobContext {
  readonly jobId: string
  readonly signal: AbortSignal
  progress(p: Progress): void
  log(text: string, stream?: LogLine['stream']): void
  metrics(m: EpochMetrics): void
  guidance(f: Finding): void
  setCommand(argv: string[]): void
  /** The job waits for its turn (in the run queue): state 'queued' until it gets it, then 'running' again. */
  waiting(isWaiting: boolean): void
  /** Its training can (or can no longer) stop after the current epoch: JobInfo.canStopAfterEpoch. */
  stoppable?(canStop: boolean): void
}

export class JobCancelledError extends Error {
  constructor() {
    super('Cancelled by the user.')
  }
}

const LOG_FLUSH_MS = 50
const MAX_LINES_IN_MEMORY = 200_000

/**
 * How much history a job folder keeps: the newest `maxJobs` jobs, none older than `maxAgeMs`.
 * Pruned when a manager first reads its folder, so a folder shared by every CLI run does not
 * grow without end. A job running in this process is never pruned, nor is one that may be
 * running in another process (its log written to within `busyMs`).
 */
export interface Retention {
  maxJobs: number
  maxAgeMs: number
  busyMs: number
}
const STOPPED_WHILE_RUNNING = 'The app stopped while this job was running.'
const DAY_MS = 24 * 60 * 60 * 1000
export const DEFAULT_RETENTION: Retention = { maxJobs: 200, maxAgeMs: 30 * DAY_MS, busyMs: DAY_MS }
/** Log files this manager names (`<base36 time>-<8 hex>.log`); nothing else in the folder is touched. */
const LOG_NAME = /^[0-9a-z]+-[0-9a-f]{8}\.log$/
/** jobs.json's temporary name while it is rewritten (pid of the writer). */
const JOBS_TMP = /^jobs\.json\.(\d+)\.tmp$/

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** One child stream of a job: its carriage-return folding, its traceback state, its line being redrawn. */
interface StreamState {
  folder: LineFolder
  errors: ErrorLines
  /** The number of the line a tqdm bar is redrawing, until the bar's line ends. */
  redrawn?: number
}

interface LiveJob {
  info: JobInfo
  lines: LogLine[]
  pending: LogLine[]
  streams: Partial<Record<LogLine['stream'], StreamState>>
  out?: WriteStream
  abort: AbortController
  flushTimer?: NodeJS.Timeout
}

export class JobManager {
  private readonly emitter = new EventEmitter()
  private readonly jobs = new Map<string, LiveJob>()
  /** Reading the history (and pruning it) happens once; every caller waits for the same read. */
  private loading?: Promise<void>

  private readonly retention: Retention

  constructor(
    private readonly dir: string,
    retention: Partial<Retention> = {},
  ) {
    this.emitter.setMaxListeners(100)
    this.retention = { ...DEFAULT_RETENTION, ...retention }
  }

  onEvent(listener: (e: JobEvent) => void): () => void {
    this.emitter.on('event', listener)
    return () => this.emitter.off('event', listener)
  }

  private emit(e: JobEvent): void {
    this.emitter.emit('event', e)
  }

  /** Starts `run` as a job and returns its info at once. */
  async start<T>(kind: JobKind, title: string, run: (ctx: JobContext) => Promise<T>): Promise<JobInfo> {
    await this.load()
    // Logs name patients' files: readable by this user only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
    const logFile = join(this.dir, `${id}.log`)
    const job: LiveJob = {
      info: { id, kind, title, state: 'running', createdAt: Date.now(), startedAt: Date.now(), logFile, logLines: 0 },
      lines: [],
      pending: [],
      streams: {},
      out: createWriteStream(logFile, { flags: 'a' }),
      abort: new AbortController(),
    }
    this.watchLog(job)
    this.jobs.set(id, job)
    this.emit({ type: 'job', job: { ...job.info } })
    const ctx = this.context(job)
    void (async () => {
      try {
        const result = await run(ctx)
        this.finish(job, job.abort.signal.aborted ? 'cancelled' : 'done', undefined, result)
      } catch (err) {
        const cancelled = job.abort.signal.aborted || err instanceof JobCancelledError
        const message = err instanceof Error ? err.message : String(err)
        if (!cancelled) this.pushLine(job, message, 'stderr', true)
        this.finish(job, cancelled ? 'cancelled' : 'failed', cancelled ? undefined : message)
      }
    })()
    await this.persist()
    return { ...job.info }
  }

  private context(job: LiveJob): JobContext {
    return {
      jobId: job.info.id,
      signal: job.abort.signal,
      progress: (p) => {
        job.info.progress = p
        this.emit({ type: 'progress', jobId: job.info.id, progress: p })
      },
      log: (text, stream = 'info') => this.pushText(job, text, stream),
      metrics: (m) => {
        const list = (job.info.metrics ??= [])
        const last = list[list.length - 1]
        if (last && last.epoch === m.epoch) list[list.length - 1] = { ...last, ...m }
        else list.push(m)
        this.emit({ type: 'metrics', jobId: job.info.id, metrics: list[list.length - 1]! })
      },
      guidance: (f) => {
        const list = (job.info.guidance ??= [])
        if (!list.some((g) => g.code === f.code)) {
          list.push(f)
          this.emit({ type: 'job', job: { ...job.info } })
        }
      },
      stoppable: (canStop) => {
        if (!!job.info.canStopAfterEpoch === canStop) return
        if (canStop) job.info.canStopAfterEpoch = true
        else delete job.info.canStopAfterEpoch
        this.emit({ type: 'job', job: { ...job.info } })
      },
      waiting: (isWaiting) => {
        const state = isWaiting ? 'queued' : 'running'
        if (job.info.state === state || (job.info.state !== 'running' && job.info.state !== 'queued')) return
        job.info.state = state
        // The time it ran counts from its turn, not from when it was queued.
        if (!isWaiting) job.info.startedAt = Date.now()
        this.emit({ type: 'job', job: { ...job.info } })
      },
      setCommand: (argv) => {
        job.info.command = argv
        this.emit({ type: 'job', job: { ...job.info } })
      },
    }
  }

  /**
   * Text may hold several lines or a partial line (child process chunks). A line redrawn with
   * carriage returns (tqdm) stays one line: its updates are sent with the same number and
   * `partial`, and only its last look is written to the log file.
   */
  private pushText(job: LiveJob, text: string, stream: LogLine['stream']): void {
    if (stream === 'info') {
      for (const l of text.split(/\r?\n/)) this.pushLine(job, l, stream)
      return
    }
    const state = (job.streams[stream] ??= { folder: new LineFolder(), errors: new ErrorLines() })
    state.folder.push(text, (line, final) => this.pushFolded(job, state, stream, line, final))
  }

  private pushFolded(job: LiveJob, state: StreamState, stream: LogLine['stream'], text: string, final: boolean): void {
    if (!final) {
      const n = (state.redrawn ??= job.info.logLines++)
      this.setLine(job, { n, stream, text, partial: true })
      return
    }
    const error = state.errors.push(text)
    if (state.redrawn === undefined) {
      this.pushLine(job, text, stream, error)
      return
    }
    const line: LogLine = { n: state.redrawn, stream, text, ...(error ? { error } : {}) }
    state.redrawn = undefined
    this.setLine(job, line)
    this.writeLine(job, line)
  }

  private pushLine(job: LiveJob, text: string, stream: LogLine['stream'], error = false): void {
    const line: LogLine = { n: job.info.logLines++, stream, text, ...(error ? { error } : {}) }
    this.setLine(job, line)
    this.writeLine(job, line)
  }

  /** Adds a line, or replaces the one with its number (a redrawn line), and schedules sending it. */
  private setLine(job: LiveJob, line: LogLine): void {
    const last = job.lines[job.lines.length - 1]
    if (!last || line.n > last.n) {
      job.lines.push(line)
      if (job.lines.length > MAX_LINES_IN_MEMORY) job.lines.splice(0, job.lines.length - MAX_LINES_IN_MEMORY)
    } else {
      // A redrawn line is near the end (only the other stream's lines came after it).
      for (let i = job.lines.length - 1; i >= 0; i--) {
        if (job.lines[i]!.n === line.n) {
          job.lines[i] = line
          break
        }
        if (job.lines[i]!.n < line.n) break
      }
    }
    job.pending.push(line)
    job.flushTimer ??= setTimeout(() => this.flush(job), LOG_FLUSH_MS)
  }

  private writeLine(job: LiveJob, line: LogLine): void {
    const prefix = line.error ? 'E ' : line.stream === 'stderr' ? '! ' : line.stream === 'info' ? '# ' : '  '
    job.out?.write(`${prefix}${line.text}\n`)
  }

  private flush(job: LiveJob): void {
    job.flushTimer = undefined
    if (job.pending.length === 0) return
    // A bar redrawn many times within one flush is sent once, in its latest look.
    const latest = new Map<number, LogLine>()
    for (const l of job.pending) latest.set(l.n, l)
    job.pending = []
    this.emit({ type: 'log', jobId: job.info.id, lines: [...latest.values()].sort((a, b) => a.n - b.n) })
  }

  private finish(job: LiveJob, state: JobInfo['state'], error?: string, result?: unknown): void {
    for (const [stream, state] of Object.entries(job.streams)) {
      state.folder.end((line, final) => this.pushFolded(job, state, stream as LogLine['stream'], line, final))
    }
    job.streams = {}
    if (job.flushTimer) clearTimeout(job.flushTimer)
    this.flush(job)
    job.info.state = state
    job.info.endedAt = Date.now()
    job.info.error = error
    job.info.result = result
    job.out?.end()
    job.out = undefined
    this.emit({ type: 'exit', jobId: job.info.id, state, error, result })
    this.emit({ type: 'job', job: { ...job.info } })
    void this.persist()
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId)
    if (!job) throw new Error(`No job with id ${jobId}.`)
    if (job.info.state === 'running' || job.info.state === 'queued') job.abort.abort()
  }

  get(jobId: string): JobInfo | undefined {
    const job = this.jobs.get(jobId)
    return job ? { ...job.info } : undefined
  }

  async list(): Promise<JobInfo[]> {
    await this.load()
    return [...this.jobs.values()].map((j) => ({ ...j.info })).sort((a, b) => b.createdAt - a.createdAt)
  }

  /** Resolves when the job has ended; returns its final info. */
  wait(jobId: string): Promise<JobInfo> {
    const job = this.jobs.get(jobId)
    if (!job) return Promise.reject(new Error(`No job with id ${jobId}.`))
    if (!['running', 'queued'].includes(job.info.state)) return Promise.resolve({ ...job.info })
    return new Promise((resolve) => {
      const off = this.onEvent((e) => {
        if (e.type === 'exit' && e.jobId === jobId) {
          off()
          resolve({ ...job.info })
        }
      })
    })
  }

  async log(jobId: string, from = 0, max = 20_000): Promise<LogLine[]> {
    await this.load()
    const job = this.jobs.get(jobId)
    if (!job) throw new Error(`No job with id ${jobId}.`)
    if (job.lines.length === 0 && job.info.logLines > 0 && job.info.logFile) {
      // A job from an earlier run of the app: its lines live only in the log file.
      const text = await readFile(job.info.logFile, 'utf8').catch(() => '')
      job.lines = text
        .split('\n')
        .filter((l, i, all) => i < all.length - 1 || l !== '')
        .map((l, n): LogLine => {
          const error = l.startsWith('E ')
          return { n, stream: error || l.startsWith('! ') ? 'stderr' : l.startsWith('# ') ? 'info' : 'stdout', text: l.slice(2), ...(error ? { error } : {}) }
        })
    }
    const first = job.lines[0]?.n ?? 0
    return job.lines.slice(Math.max(0, from - first), Math.max(0, from - first) + max)
  }

  private load(): Promise<void> {
    return (this.loading ??= this.readHistory())
  }

  private async readHistory(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(join(this.dir, 'jobs.json'), 'utf8')) as JobInfo[]
      for (const info of saved) {
        if (this.jobs.has(info.id)) continue
        // A job that was running when the app stopped did not finish.
        if (info.state === 'running' || info.state === 'queued') {
          info.state = 'failed'
          info.error = STOPPED_WHILE_RUNNING
        }
        this.jobs.set(info.id, { info, lines: [], pending: [], streams: {}, abort: new AbortController() })
      }
    } catch {
      /* no history yet */
    }
    await this.prune()
  }

  /** Drops jobs (and their logs) beyond the retention limits; see Retention. */
  private async prune(): Promise<void> {
    const now = Date.now()
    const { maxJobs, maxAgeMs, busyMs } = this.retention
    const mtime = async (file: string): Promise<number> => (await stat(file).catch(() => null))?.mtimeMs ?? 0
    const ours = (file: string | undefined): file is string => !!file && resolve(dirname(file)) === resolve(this.dir) && LOG_NAME.test(file.slice(dirname(file).length + 1))
    const newestFirst = [...this.jobs.values()].sort((a, b) => b.info.createdAt - a.info.createdAt)
    let pruned = 0
    for (const [rank, job] of newestFirst.entries()) {
      const { info } = job
      if (job.out || info.state === 'running' || info.state === 'queued') continue
      const last = Math.max(info.endedAt ?? info.createdAt, info.createdAt)
      if (rank < maxJobs && now - last <= maxAgeMs) continue
      // Saved as running by another process that may still be writing it.
      if (info.error === STOPPED_WHILE_RUNNING && ours(info.logFile) && now - (await mtime(info.logFile)) < busyMs) continue
      this.jobs.delete(info.id)
      pruned++
      if (ours(info.logFile)) await rm(info.logFile, { force: true }).catch(() => undefined)
    }
    // Logs no job lists (their entry lost to an older version, or to two runs saving at once).
    const listed = new Set([...this.jobs.values()].map((j) => j.info.logFile && resolve(j.info.logFile)))
    const names = await readdir(this.dir).catch(() => [] as string[])
    for (const name of names) {
      const file = join(this.dir, name)
      // The history's temporary file of a run killed between writing and renaming it.
      const tmp = JOBS_TMP.exec(name)
      if (tmp && Number(tmp[1]) !== process.pid && !processRuns(Number(tmp[1]))) {
        await rm(file, { force: true }).catch(() => undefined)
        continue
      }
      if (!LOG_NAME.test(name) || listed.has(resolve(file))) continue
      if (now - (await mtime(file)) >= busyMs) await rm(file, { force: true }).catch(() => undefined)
    }
    if (pruned > 0) await this.persist()
  }

  /**
   * A log file that cannot be written (a full disk, a folder gone) must not take the process down:
   * a write stream without an error listener throws its error out of the event loop, stopping
   * `serve` or Electron while the detached nnU-Net runs on. The job goes on with its log in memory
   * (the log pane and the events still show every line), and says so in its log, its info
   * (logProblem) and on stderr.
   */
  private watchLog(job: LiveJob): void {
    job.out?.on('error', (err: NodeJS.ErrnoException) => {
      if (job.info.logProblem) return
      job.out = undefined
      const why = err.code === 'ENOSPC' ? 'the disk is full' : err.message
      const message = `The log file ${job.info.logFile} cannot be written (${why}): this job's log continues in memory only and is lost when the app stops. Free space in ${this.dir} (or fix its permissions).`
      job.info.logProblem = message
      console.error(`nnunet-wizard: job "${job.info.title}": ${message}`)
      this.pushLine(job, message, 'stderr', true)
      this.emit({ type: 'job', job: { ...job.info } })
    })
  }

  /** Why the job list could not be saved, once per distinct reason (said in the running jobs' logs and on stderr). */
  private persistProblem?: string

  private persistChain: Promise<void> = Promise.resolve()
  private persist(): Promise<void> {
    this.persistChain = this.persistChain.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      const infos = [...this.jobs.values()].map((j) => j.info)
      const tmp = join(this.dir, `jobs.json.${process.pid}.tmp`)
      await writeFile(tmp, JSON.stringify(infos), { mode: 0o600 })
      await rename(tmp, join(this.dir, 'jobs.json'))
      this.persistProblem = undefined
    }).catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOSPC' ? 'the disk is full' : err.message
      const message = `The job list ${join(this.dir, 'jobs.json')} cannot be saved (${why}): the jobs are shown now, but after a restart the app will not list the newest of them. Free space in ${this.dir}.`
      if (this.persistProblem === message) return
      this.persistProblem = message
      console.error(`nnunet-wizard: ${message}`)
      for (const job of this.jobs.values()) if (job.info.state === 'running' || job.info.state === 'queued') this.pushLine(job, message, 'stderr', true)
    })
    return this.persistChain
  }
}
