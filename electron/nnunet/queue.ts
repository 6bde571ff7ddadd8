// The app's one run queue. Trainings, preprocessing, predictions and find_best each want the whole
// GPU (or all cores); started together they would slow each other down or run out of memory. So
// every nnU-Net run is an entry here and they start one at a time, in queue order: folds 0-4, then
// find_best_configuration. The one exception is several GPUs: trainings given disjoint GPUs run
// side by side, one fold per GPU (the rule is shared/queueConcurrency.ts). The queue lives on the
// Node side, in a file of the app's data folder, so a closed window or tab loses nothing and a
// restarted app goes on where it stopped: entries still waiting start in order, and the runs that
// were going when the app died are reported as interrupted (never restarted by themselves: half a
// training is the user's call).
//
// An entry gets its job when it starts. plan/train/predict/findBest called directly must answer
// with a job at once, so theirs is created on the spot and waits for its turn inside the job.
import { readFile, rename } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { JobRef, QueueEntry, RunQueueState } from '../../shared/api'
import * as s from '../../shared/schema'
import { JobCancelledError, type JobContext, type JobManager } from '../jobs/jobManager'
import { writeFileAtomic } from '../files/writeAtomic'
import { mayStart, waitText } from '../../shared/queueConcurrency'

/** An entry as the caller describes it; the queue gives it its id and times. */
export type NewEntry = QueueEntry extends infer E ? (E extends QueueEntry ? Omit<E, 'enqueuedAt' | 'jobId' | 'startedAt' | 'interrupted'> : never) : never

export interface RunQueueOptions {
  jobs: JobManager
  /** Where the queue is kept; without a file it lives in memory only (the CLI runs one run per process). */
  file?: string
  /** The work of an entry, run inside its job. */
  execute: (entry: QueueEntry, ctx: JobContext) => Promise<unknown>
  onChange?: (state: RunQueueState) => void
  /** Told what failed in the background (the queue file not written, an entry that could not start): shown by the service, never swallowed. */
  onProblem?: (title: string, message: string) => void
}

/** How many started entries are kept (what started each recent job). */
const STARTED_KEPT = 100

export function newEntryId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

const common = {
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  title: z.string(),
  enqueuedAt: z.number(),
  jobId: z.string().optional(),
  startedAt: z.number().optional(),
  interrupted: z.boolean().optional(),
  env: s.projectEnv.optional(),
}
// Requests are checked again on read: a hand-edited file must not put an invalid run in the queue.
const entrySchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('plan'), request: s.planRequest }),
  z.object({ ...common, kind: z.literal('train'), request: s.trainRequest }),
  z.object({ ...common, kind: z.literal('predict'), request: s.predictRequest }),
  z.object({ ...common, kind: z.literal('find-best'), request: s.findBestRequest, after: z.array(z.string()).optional() }),
])
// Version 1 ran one entry at a time (running: its id); version 2 may run several (one per GPU).
const queueFile = z.discriminatedUnion('version', [
  z.object({ format: z.literal('nnunet-wizard-run-queue'), version: z.literal(1), waiting: z.array(entrySchema), started: z.array(entrySchema), running: z.string().optional() }),
  z.object({ format: z.literal('nnunet-wizard-run-queue'), version: z.literal(2), waiting: z.array(entrySchema), started: z.array(entrySchema), running: z.array(z.string()) }),
])

export class RunQueue {
  private waiting: QueueEntry[] = []
  private started: QueueEntry[] = []
  /** The ids of the entries running now, in start order. */
  private running: string[] = []
  /** Set when a running entry was cancelled: the user (or the app shutting down) stopped it, so nothing else starts on its own. */
  private paused = false
  /** Jobs created before their turn (direct calls), by entry id: call to let the job go on. */
  private readonly turns = new Map<string, () => void>()
  private readonly ready: Promise<void>
  private writes: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly opts: RunQueueOptions) {
    this.ready = this.load().then(() => this.pump())
  }

  async state(): Promise<RunQueueState> {
    await this.ready
    return this.snapshot()
  }

  /** Adds entries that get their job when their turn comes. */
  async enqueue(entries: NewEntry[]): Promise<RunQueueState> {
    await this.ready
    const now = Date.now()
    for (const e of entries) this.waiting.push({ ...e, enqueuedAt: now } as QueueEntry)
    this.paused = false // asking for runs is asking for the queue to go on
    this.changed()
    this.pump()
    return this.snapshot()
  }

  /**
   * Adds one entry whose job is created now and waits in the queue for its turn: at the end, or at
   * the index `at` picks from the entries waiting then (a prediction whose model is trained goes
   * before trainings it does not need).
   */
  async submit(entry: NewEntry, at?: (waiting: readonly QueueEntry[]) => number): Promise<JobRef> {
    await this.ready
    const e = { ...entry, enqueuedAt: Date.now() } as QueueEntry
    this.paused = false
    const job = await this.opts.jobs.start(e.kind, e.title, async (ctx) => {
      e.jobId = ctx.jobId
      const index = at ? Math.max(0, Math.min(this.waiting.length, at(this.waiting))) : this.waiting.length
      this.waiting.splice(index, 0, e)
      this.changed()
      await this.turn(e, ctx)
      return this.execute(e, ctx)
    })
    return { jobId: job.id }
  }

  /** Removes a waiting entry: it never starts. One that holds a waiting job has the job cancelled. */
  async remove(entryId: string): Promise<RunQueueState> {
    await this.ready
    const entry = this.waiting.find((e) => e.id === entryId)
    if (!entry) {
      const started = this.started.find((e) => e.id === entryId)
      throw new Error(started ? `"${started.title}" has already started; cancel its job instead.` : `The run queue has no waiting entry ${entryId} (it may have started or been removed already).`)
    }
    // The job's abort handler takes the entry out of the queue; an entry without a job goes now.
    if (entry.jobId && this.turns.has(entry.id)) this.opts.jobs.cancel(entry.jobId)
    else this.take(entry.id)
    return this.snapshot()
  }

  /** Goes on after a cancelled run paused the queue. */
  async resume(): Promise<RunQueueState> {
    await this.ready
    this.paused = false
    this.changed()
    this.pump()
    return this.snapshot()
  }

  /** The started entry with this id (e.g. the trainings a find_best follows). */
  startedEntry(id: string): QueueEntry | undefined {
    return this.started.find((e) => e.id === id)
  }

  /** Stops starting runs and waits for the file to be written; the state on disk stays as it is now. */
  async close(): Promise<void> {
    await this.ready
    this.closed = true
    await this.writes
  }

  // ------------------------------------------------------------------ internals

  private snapshot(): RunQueueState {
    const waiting = this.waiting.map((e, i) => ({ ...e, waitsFor: this.waitsFor(e, i) }))
    return { waiting, started: this.started.map((e) => ({ ...e })), running: [...this.running], ...(this.paused ? { paused: true } : {}) }
  }

  private runningEntries(): QueueEntry[] {
    return this.started.filter((e) => this.running.includes(e.id))
  }

  private waitsFor(entry: QueueEntry, index: number): string {
    const blocked = waitText(index, this.waiting, this.runningEntries())
    const turn = blocked ?? (this.paused ? 'held: a run was cancelled, so the queue waits until it is resumed' : 'starts next')
    const behind = this.waiting.slice(index + 1).filter((w) => w.kind === 'train').length
    if (entry.kind === 'predict' && behind > 0) {
      return `${turn} (one nnU-Net run at a time); it does not wait for the ${behind} training${behind === 1 ? '' : 's'} queued after it, which train${behind === 1 ? 's' : ''} other models`
    }
    if (entry.kind !== 'find-best' || !entry.after?.length) return turn
    return `${turn}; compares the ${entry.after.length} training${entry.after.length === 1 ? '' : 's'} queued with it once they have finished`
  }

  private turn(entry: QueueEntry, ctx: JobContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (this.take(entry.id)) {
          this.turns.delete(entry.id)
          reject(new JobCancelledError())
        }
      }
      this.turns.set(entry.id, () => {
        ctx.signal.removeEventListener('abort', onAbort)
        this.turns.delete(entry.id)
        ctx.waiting(false)
        resolve()
      })
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      const i = this.waiting.indexOf(entry)
      if (!mayStart(i, this.waiting, this.runningEntries())) {
        ctx.log(`Waiting in the run queue (${i + 1} waiting): ${this.waitsFor(entry, i)}.`, 'info')
        ctx.progress({ done: 0, total: 0, unit: 'run', message: 'queued' })
        ctx.waiting(true)
      }
      this.pump()
    })
  }

  /** Takes a waiting entry out of the queue; false when it is not waiting (any more). */
  private take(entryId: string): boolean {
    const i = this.waiting.findIndex((e) => e.id === entryId)
    if (i < 0) return false
    this.waiting.splice(i, 1)
    this.changed()
    return true
  }

  /** Starts every waiting entry that may start now (queueConcurrency.ts), in queue order. */
  private pump(): void {
    if (this.closed || this.paused) return
    for (let i = 0; i < this.waiting.length; i++) {
      if (!mayStart(i, this.waiting, this.runningEntries())) continue
      const next = this.waiting[i]!
      const release = this.turns.get(next.id)
      // A direct call's job registers its turn a moment after it is queued; it is started then
      // (until then it stays ahead of the runs it collides with).
      if (next.jobId && !release) continue
      this.waiting.splice(i--, 1)
      this.start(next, release)
    }
  }

  private start(next: QueueEntry, release: (() => void) | undefined): void {
    this.running.push(next.id)
    next.startedAt = Date.now()
    this.started.push(next)
    // The oldest go, but never one still running (a long fold on one GPU while many runs pass on another).
    const extra = this.started.length - STARTED_KEPT
    if (extra > 0) this.started = this.started.filter((e, i) => i >= extra || this.running.includes(e.id))
    this.changed()
    if (release) return release()
    this.opts.jobs
      .start(next.kind, next.title, (ctx) => {
        next.jobId = ctx.jobId
        this.changed()
        return this.execute(next, ctx)
      })
      .catch((err: Error) => {
        // No job could be made (the jobs folder is not writable): said, and the queue goes on with the next.
        this.problem(`Start "${next.title}"`, `"${next.title}" could not start: no job could be made for it (${err.message}). Free space or fix the permissions of the app's data folder, then queue it again.`)
        this.finish(next)
      })
  }

  private async execute(entry: QueueEntry, ctx: JobContext): Promise<unknown> {
    try {
      if (ctx.signal.aborted) throw new JobCancelledError()
      return await this.opts.execute(entry, ctx)
    } finally {
      this.finish(entry, ctx.signal.aborted)
    }
  }

  /** A run ended. A cancelled one holds the queue (nothing new starts); the others running go on. */
  private finish(entry: QueueEntry, cancelled = false): void {
    if (!this.running.includes(entry.id)) return
    this.running = this.running.filter((id) => id !== entry.id)
    if (cancelled) this.paused = true
    this.changed()
    this.pump()
  }

  private lastProblem = new Map<string, string>()
  /** Says a background failure once per distinct message: on stderr, and to the service (a failed job in the list). */
  private problem(title: string, message: string): void {
    if (this.lastProblem.get(title) === message) return
    this.lastProblem.set(title, message)
    if (this.opts.onProblem) this.opts.onProblem(title, message)
    else console.error(`nnunet-wizard: ${message}`)
  }

  private changed(): void {
    if (this.closed) return
    const state = this.snapshot()
    this.opts.onChange?.(state)
    const file = this.opts.file
    if (!file) return
    const data = { format: 'nnunet-wizard-run-queue', version: 2, waiting: this.waiting, started: this.started, running: this.running }
    const text = `${JSON.stringify(data, null, 1)}\n`
    // The app's own state: this user's only (0600 in a 0700 folder).
    this.writes = this.writes
      .then(() => writeFileAtomic(file, text, { mode: 0o600, folderMode: 0o700 }).then(() => undefined))
      .catch((err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOSPC' ? 'the disk is full' : err.message
        this.problem('Save the run queue', `The run queue ${file} cannot be saved (${why}): the runs go on, but after a restart the app would not know what was waiting or running. Free space in its folder.`)
      })
  }

  private async load(): Promise<void> {
    const file = this.opts.file
    if (!file) return
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      return // no queue yet (or unreadable: start empty rather than lock the user out)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    const valid = queueFile.safeParse(parsed)
    if (!valid.success) {
      // Kept aside for inspection; the app starts with an empty queue.
      await rename(file, `${file}.invalid-${Date.now()}`).catch(() => undefined)
      return
    }
    const { waiting, started } = valid.data as { waiting: QueueEntry[]; started: QueueEntry[] }
    const running = valid.data.version === 1 ? (valid.data.running ? [valid.data.running] : []) : valid.data.running
    // Jobs do not outlive the app: a waiting entry's job (a direct call's) is gone, a new one is made at its turn.
    this.waiting = waiting.map(({ jobId: _gone, ...e }) => e as QueueEntry)
    // What was running when the app stopped is not running now: reported as interrupted.
    this.started = started.map((e) => (running.includes(e.id) ? { ...e, interrupted: true } : e))
    if (running.length) this.changed()
  }
}
