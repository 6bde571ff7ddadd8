// One nnU-Net run at a time. Trainings, preprocessing and predictions each want the whole GPU (or
// all cores); started together they would slow each other down or run out of memory. So runs
// started while another is active wait their turn in start order: queue folds 0-4 and then
// find_best_configuration, and they run one after another. A waiting run can be cancelled
// without ever starting.
import { JobCancelledError, type JobContext } from '../jobs/jobManager'

interface Waiter {
  ctx: JobContext
  start: () => void
}

export class RunQueue {
  private active: JobContext | null = null
  private readonly waiting: Waiter[] = []

  /** Number of runs waiting (not counting the active one). */
  get pending(): number {
    return this.waiting.length
  }

  async run<T>(ctx: JobContext, label: string, body: () => Promise<T>): Promise<T> {
    if (this.active) {
      ctx.log(`Waiting: another nnU-Net run is in progress; ${label} starts when it ends (${this.waiting.length + 1} in the queue).`, 'info')
      ctx.progress({ done: 0, total: 0, unit: 'run', message: 'queued' })
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { ctx, start: resolve }
        this.waiting.push(waiter)
        ctx.signal.addEventListener(
          'abort',
          () => {
            const i = this.waiting.indexOf(waiter)
            if (i >= 0) {
              this.waiting.splice(i, 1)
              reject(new JobCancelledError())
            }
          },
          { once: true },
        )
      })
    }
    if (ctx.signal.aborted) {
      if (this.active === ctx) this.active = null
      this.next()
      throw new JobCancelledError()
    }
    this.active = ctx
    try {
      return await body()
    } finally {
      this.active = null
      this.next()
    }
  }

  private next(): void {
    if (this.active) return
    const w = this.waiting.shift()
    if (w) {
      // Claim the slot now so a run started in between cannot overtake the one that waited.
      this.active = w.ctx
      w.start()
    }
  }
}

/** The app-wide queue every nnU-Net run goes through. */
export const nnunetQueue = new RunQueue()
