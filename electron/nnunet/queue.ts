// The app's one run queue. Trainings, preprocessing, predictions and find_best each want the whole
// GPU (or all cores); started together they would slow each other down or run out of memory. So
// every nnU-Net run is an entry here and they start one at a time, in queue order: folds 0-4, then
// find_best_configuration. The queue lives on the Node side, in a file of the app's data folder,
// so a closed window or tab loses nothing and a restarted app goes on where it stopped: entries
// still waiting start in order, and the run that was going when the app died is reported as
// interrupted (it is never restarted by itself: half a training is the user's call).
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

/** An entry as the caller describes it; the queue gives it its id and times. */
export type NewEntry = QueueEntry extends infer E ? (E extends QueueEntry ? Omit<E, 'enqueuedAt' | 'jobId' | 'startedAt' | 'interrupted'> : never) : never

export interface RunQueueOptions {
  jobs: JobManager
  /** Where the queue is kept; without a file it lives in memory only (the CLI runs one run per process). */
  file?: string
  /** The work of an entry, run inside its job. */
  execute: (entry: QueueEntry, ctx: JobContext) => Promise<unknown>
  onChange?: (state: RunQueueState) => void
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
}
// Requests are checked again on read: a hand-edited file must not put an invalid run in the queue.
const entrySchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('plan'), request: s.planRequest }),
  z.object({ ...common, kind: z.literal('train'), request: s.trainRequest }),
  z.object({ ...common, kind: z.literal('predict'), request: s.predictRequest }),
  z.object({ ...common, kind: z.literal('find-best'), request: s.findBestRequest, after: z.array(z.string()).optional() }),
])
const queueFile = z.object({
  format: z.literal('nnunet-wizard-run-queue'),
  version: z.literal(1),
  waiting: z.array(entrySchema),
  started: z.array(entrySchema),
  running: z.string().optional(),
})

export class RunQueue {
  private waiting: QueueEntry[] = []
  private started: QueueEntry[] = []
  private running: string | undefined
  /** Set when the running entry was cancelled: the user (or the app shutting down) stopped it, so nothing else starts on its own. */
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
    return { waiting, started: this.started.map((e) => ({ ...e })), ...(this.running ? { running: this.running } : {}), ...(this.paused ? { paused: true } : {}) }
  }

  private waitsFor(entry: QueueEntry, index: number): string {
    const ahead = index === 0 ? (this.running ? this.started.find((e) => e.id === this.running) : undefined) : this.waiting[index - 1]
    const turn = ahead ? `starts after "${ahead.title}"` : this.paused ? 'held: a run was cancelled, so the queue waits until it is resumed' : 'starts next'
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
        resolve()
      })
      ctx.signal.addEventListener('abort', onAbort, { once: true })
      const i = this.waiting.indexOf(entry)
      if (this.running || i > 0) {
        ctx.log(`Waiting in the run queue (${i + 1} waiting): ${this.waitsFor(entry, i)}.`, 'info')
        ctx.progress({ done: 0, total: 0, unit: 'run', message: 'queued' })
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

  private pump(): void {
    if (this.running || this.closed || this.paused) return
    const next = this.waiting[0]
    if (!next) return
    const release = this.turns.get(next.id)
    // A direct call's job registers its turn a moment after it is queued; it is started then.
    if (next.jobId && !release) return
    this.waiting.shift()
    this.running = next.id
    next.startedAt = Date.now()
    this.started.push(next)
    if (this.started.length > STARTED_KEPT) this.started.splice(0, this.started.length - STARTED_KEPT)
    this.changed()
    if (release) return release()
    this.opts.jobs
      .start(next.kind, next.title, (ctx) => {
        next.jobId = ctx.jobId
        this.changed()
        return this.execute(next, ctx)
      })
      .catch(() => this.finish(next)) // no job could be made (the jobs folder is not writable): go on with the next
  }

  private async execute(entry: QueueEntry, ctx: JobContext): Promise<unknown> {
    try {
      if (ctx.signal.aborted) throw new JobCancelledError()
      return await this.opts.execute(entry, ctx)
    } finally {
      this.finish(entry, ctx.signal.aborted)
    }
  }

  private finish(entry: QueueEntry, cancelled = false): void {
    if (this.running !== entry.id) return
    this.running = undefined
    if (cancelled) this.paused = true
    this.changed()
    this.pump()
  }

  private changed(): void {
    if (this.closed) return
    const state = this.snapshot()
    this.opts.onChange?.(state)
    const file = this.opts.file
    if (!file) return
    const data = { format: 'nnunet-wizard-run-queue', version: 1, waiting: this.waiting, started: this.started, ...(this.running ? { running: this.running } : {}) }
    const text = `${JSON.stringify(data, null, 1)}\n`
    this.writes = this.writes.then(() => writeFileAtomic(file, text).then(() => undefined)).catch(() => undefined)
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
    const { waiting, started, running } = valid.data as { waiting: QueueEntry[]; started: QueueEntry[]; running?: string }
    // Jobs do not outlive the app: a waiting entry's job (a direct call's) is gone, a new one is made at its turn.
    this.waiting = waiting.map(({ jobId: _gone, ...e }) => e as QueueEntry)
    this.started = started.map((e) => (e.id === running ? { ...e, interrupted: true } : e))
    if (running) this.changed()
  }
}
