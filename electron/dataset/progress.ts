// Progress of a case-by-case job, with the app's one time-remaining rule (shared/timeRemaining):
// cases are similar in size and the pool keeps a steady number in flight, so the time per
// finished case so far is a good predictor.
import type { JobContext } from '../jobs/jobManager'
import { timeRemaining } from '../../shared/timeRemaining'

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
    const etaSeconds = timeRemaining({ done: this.done, total: this.total, elapsedSeconds: (Date.now() - this.started) / 1000 })
    this.ctx.progress({ done: this.done, total: this.total, unit: 'cases', bytes: this.bytes || undefined, etaSeconds, message: this.message })
  }
}
