// The question asked once before a training that will run for hours on this device (issue 18: Start
// with the defaults, 1000 epochs x 250 iterations on a CPU, began a run of thousands of hours
// without a word although a banner estimated them). The banner warns from one hour on; the
// question stops the click only past CONFIRM_START_SECONDS, so a deliberate overnight run is asked
// about once and a short try never.
import { longRunWarning, roughDuration } from './nnunetProgress'

/** Runs estimated longer than this on this device are confirmed before they start. */
export const CONFIRM_START_SECONDS = 3 * 3600

export interface LongRunQuestion {
  /** The question, with the estimate for every run asked for. */
  text: string
  seconds: number
}

/**
 * The question before starting `runs` trainings (one fold, or every fold queued) with these
 * settings, or undefined when they are short enough to start at once.
 */
export function longRunQuestion(opts: { device: string; configuration: string; epochs?: number | null; iterations?: number | null; runs?: number }): LongRunQuestion | undefined {
  const one = longRunWarning(opts)
  const runs = Math.max(1, opts.runs ?? 1)
  if (!one || one.seconds * runs <= CONFIRM_START_SECONDS) return undefined
  const epochs = opts.epochs ?? 1000
  const iterations = opts.iterations ?? 250
  const what = runs === 1 ? 'This training' : `These ${runs} trainings (one after another)`
  return {
    seconds: one.seconds * runs,
    text: `${what} will take about ${roughDuration(one.seconds * runs)} on the CPU: ${epochs} epochs of ${iterations} iterations${runs === 1 ? '' : ' each'}. Start anyway, or start a first try with fewer iterations?`,
  }
}

/** Iterations per epoch of the first try offered instead of a long run (and epochs, when none were set). */
export const FIRST_TRY = { epochs: 10, iterations: 10 } as const

/** The first try the question offers: 10 iterations per epoch; the epochs asked for, or 10 when none were. */
export function firstTry(epochs?: number | null): { epochs: number; iterations: number } {
  return { epochs: epochs ?? FIRST_TRY.epochs, iterations: FIRST_TRY.iterations }
}
