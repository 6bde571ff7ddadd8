// `nnunet-wizard train` on this machine says, before it starts, when the training will take hours
// on the CPU (issue 18: `train -d 501 -c 2d -f 2` on a CPU-only machine began nnU-Net's 1000 x 250
// without a word, while the app's Train step warns and offers a first try). Same estimate and the
// same first try as the app (shared/longRunQuestion.ts). Past the app's confirm threshold a run
// that nobody confirmed does not start: the terminal may be a script, and --yes says "I mean it".
import type { TrainRequest } from '../../shared/schema'
import { longRunWarning, roughDuration } from '../../shared/nnunetProgress'
import { firstTry, longRunQuestion } from '../../shared/longRunQuestion'

export interface TrainLengthCheck {
  /** Lines for stderr (empty when the run is short enough to say nothing). */
  lines: string[]
  /** True when the run must not start: long, and --yes was not given. */
  refuse: boolean
}

/** What to say (and whether to start) before `runs` trainings like `request` on `device`. */
export function trainLengthCheck(opts: { device: string; request: TrainRequest; runs: number; yes: boolean }): TrainLengthCheck {
  const { request } = opts
  // Validation only trains nothing; a named trainer with no --epochs/--iterations runs its own length, which is not known here.
  const ownLength = request.trainer !== undefined && request.epochs === undefined && request.iterationsPerEpoch === undefined
  if (request.validationOnly || ownLength) return { lines: [], refuse: false }
  const length = { device: opts.device, configuration: request.configuration, epochs: request.epochs, iterations: request.iterationsPerEpoch }
  const warning = longRunWarning(length)
  if (!warning) return { lines: [], refuse: false }
  const question = longRunQuestion({ ...length, runs: opts.runs })
  const short = firstTry(request.epochs)
  const shortWarning = longRunWarning({ ...length, ...short })
  const shortSeconds = short.epochs * short.iterations * (warning.seconds / ((request.epochs ?? 1000) * (request.iterationsPerEpoch ?? 250)))
  const advice = `For a first try add --epochs ${short.epochs} --iterations ${short.iterations} (about ${roughDuration(shortWarning?.seconds ?? shortSeconds)}${opts.runs > 1 ? ' per fold' : ''}).`
  const lines = [`warning: ${question ? question.text.replace(/ Start anyway.*$/, '') : warning.text}`, advice]
  if (!question) return { lines, refuse: false }
  if (opts.yes) return { lines: [...lines, 'Starting it anyway (--yes).'], refuse: false }
  return { lines: [...lines, 'Nothing was started: add --yes to start this long run anyway.'], refuse: true }
}
