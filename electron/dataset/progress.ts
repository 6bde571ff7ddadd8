// Progress with an ETA from the average time per finished case (cases are similar in size, and
// the pool keeps a steady number in flight, so the mean is a good predictor).
import type { JobContext } from '../jobs/jobManager'

export class CaseProgress {
  private done = 0
  private bytes = 0
  private readonly started = Date.now()

  constructor(
    private readonly ctx: JobContext,
    private readonly total: number,
    private readonly message: string,
  ) {
    this.emit()
  }

  step(bytes = 0): void {
    this.done++
    this.bytes += bytes
    this.emit()
  }

  private emit(): void {
    const elapsed = (Date.now() - this.started) / 1000
    const etaSeconds = this.done > 0 && this.done < this.total ? Math.round((elapsed / this.done) * (this.total - this.done)) : this.done >= this.total ? 0 : undefined
    this.ctx.progress({ done: this.done, total: this.total, unit: 'cases', bytes: this.bytes || undefined, etaSeconds, message: this.message })
  }
}
