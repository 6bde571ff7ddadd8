// nnU-Net training logs -> epoch metrics, for both versions. The line formats are the ones the
// trainers print (each line is prefixed by a timestamp "YYYY-MM-DD HH:MM:SS.ffffff: "):
//
// v2 (nnunetv2/training/nnUNetTrainer/nnUNetTrainer.py, on_epoch_start / on_epoch_end):
//   Epoch 3
//   Current learning rate: 0.00973
//   train_loss -0.4123
//   val_loss -0.5012
//   Pseudo dice [np.float32(0.8123), np.float32(0.6)]      (numpy >= 2 reprs; "[0.8123, 0.6]" before)
//   Epoch time: 41.27 s
//   Yayy! New best EMA pseudo Dice: 0.7012
// v1 (nnunet/training/network_training/network_trainer.py, nnUNetTrainer.py, nnUNetTrainerV2.py):
//   epoch:  3
//   train loss : -0.4123
//   validation loss: -0.5012
//   Average global foreground Dice: [0.8123, 0.6]
//   lr: 0.009727
//   This epoch took 41.274432 s
//
// Pure: no Node, no DOM, so the renderer can parse saved logs too.
import { timeRemaining } from './timeRemaining'
import type { EpochMetrics } from './api'

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g
const TIMESTAMP = /^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?:\s?/
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|-inf`

/** One parsed fact from one line: which field it sets. */
type Fact =
  | { kind: 'epoch'; epoch: number }
  | { kind: 'learningRate' | 'trainLoss' | 'valLoss' | 'epochSeconds'; value: number }
  | { kind: 'dice'; values: number[] }
  | { kind: 'bestDice'; value: number }

const RULES: { re: RegExp; fact: (m: RegExpMatchArray) => Fact }[] = [
  { re: /^Epoch (\d+)$/, fact: (m) => ({ kind: 'epoch', epoch: Number(m[1]) }) },
  { re: /^epoch:\s+(\d+)$/, fact: (m) => ({ kind: 'epoch', epoch: Number(m[1]) }) },
  { re: new RegExp(`^Current learning rate: (${NUMBER})$`), fact: (m) => ({ kind: 'learningRate', value: num(m[1]) }) },
  { re: new RegExp(`^lr: (${NUMBER})$`), fact: (m) => ({ kind: 'learningRate', value: num(m[1]) }) },
  { re: new RegExp(`^train_loss (${NUMBER})$`), fact: (m) => ({ kind: 'trainLoss', value: num(m[1]) }) },
  { re: new RegExp(`^train loss : (${NUMBER})$`), fact: (m) => ({ kind: 'trainLoss', value: num(m[1]) }) },
  { re: new RegExp(`^val_loss (${NUMBER})$`), fact: (m) => ({ kind: 'valLoss', value: num(m[1]) }) },
  { re: new RegExp(`^validation loss: (${NUMBER})$`), fact: (m) => ({ kind: 'valLoss', value: num(m[1]) }) },
  { re: /^Pseudo dice (\[.*\])$/, fact: (m) => ({ kind: 'dice', values: numberList(m[1]!) }) },
  { re: /^Average global foreground Dice: (\[.*\])$/, fact: (m) => ({ kind: 'dice', values: numberList(m[1]!) }) },
  { re: new RegExp(`^Epoch time: (${NUMBER}) s$`), fact: (m) => ({ kind: 'epochSeconds', value: num(m[1]) }) },
  { re: new RegExp(`^This epoch took (${NUMBER}) s$`), fact: (m) => ({ kind: 'epochSeconds', value: num(m[1]) }) },
  { re: new RegExp(`^Yayy! New best EMA pseudo Dice: (${NUMBER})$`), fact: (m) => ({ kind: 'bestDice', value: num(m[1]) }) },
]

function num(text: string | undefined): number {
  if (text === 'nan') return NaN
  if (text === 'inf') return Infinity
  if (text === '-inf') return -Infinity
  return Number(text)
}

/** "[0.81, 0.6]", "[np.float32(0.81), np.float64(nan)]", "[array(0.81)]" -> numbers. */
function numberList(text: string): number[] {
  const inner = text.slice(1, -1).trim()
  if (!inner) return []
  return inner.split(',').map((part) => {
    const m = new RegExp(`(${NUMBER})\\)?\\s*$`).exec(part.trim())
    return m ? num(m[1]) : NaN
  })
}

/** Removes ANSI escapes and the trainer's timestamp prefix. */
export function cleanLogLine(line: string): string {
  return line.replace(ANSI, '').replace(TIMESTAMP, '').trim()
}

export interface TrainingLogOptions {
  /** Epochs the run will do in total, when known (shown as "epoch n of N", used for the ETA). */
  totalEpochs?: number
}

/**
 * Feeds log lines one by one and reports the epoch they belong to whenever a line added to it.
 * Stateful because nnU-Net spreads an epoch over several lines.
 */
export class TrainingLogParser {
  private current: EpochMetrics | null = null
  private readonly epochs: EpochMetrics[] = []
  bestEmaDice?: number

  constructor(private readonly opts: TrainingLogOptions = {}) {}

  /** Returns the updated metrics of the current epoch when `line` carried one, else null. */
  push(line: string): EpochMetrics | null {
    const text = cleanLogLine(line)
    if (!text) return null
    for (const rule of RULES) {
      const m = rule.re.exec(text)
      if (m) return this.apply(rule.fact(m))
    }
    return null
  }

  private apply(f: Fact): EpochMetrics | null {
    if (f.kind === 'epoch') {
      this.current = { epoch: f.epoch, ...(this.opts.totalEpochs ? { totalEpochs: this.opts.totalEpochs } : {}) }
      this.epochs.push(this.current)
      return { ...this.current }
    }
    if (f.kind === 'bestDice') {
      this.bestEmaDice = f.value
      return null
    }
    // A value before any "Epoch" line (a log joined mid-way) is dropped: it has no epoch to go to.
    if (!this.current) return null
    if (f.kind === 'dice') this.current.dice = f.values
    else this.current[f.kind] = f.value
    return { ...this.current }
  }

  /** Every epoch seen so far, in order. */
  all(): EpochMetrics[] {
    return this.epochs.map((e) => ({ ...e }))
  }

  /** Epochs whose time is known: the ones that finished. */
  finished(): EpochMetrics[] {
    return this.epochs.filter((e) => e.epochSeconds !== undefined)
  }

  /**
   * Seconds left, from the mean of the last (up to 5) finished epochs times the epochs still to
   * run; undefined until an epoch finished or when the total is unknown.
   */
  etaSeconds(): number | undefined {
    const done = this.finished()
    const last = done[done.length - 1]
    if (!last) return undefined
    // A resumed run starts at a later epoch: count epochs by number, pace by the ones seen here.
    return timeRemaining({ done: last.epoch + 1, total: this.opts.totalEpochs, unitSeconds: done.flatMap((e) => (e.epochSeconds !== undefined ? [e.epochSeconds] : [])) })
  }
}

/**
 * One training iteration as the wizard's trainers and wrapper print it (electron/nnunet/
 * trainerParts.ts): "nnU-Net Wizard: iteration 3 of 250 in epoch 0: 2.418 s/it" (seconds per
 * iteration: the mean over this epoch so far).
 */
export interface IterationLine {
  done: number
  total: number
  epoch: number
  secondsPerIteration: number
}

const ITERATION = new RegExp(`^nnU-Net Wizard: iteration (\\d+) of (\\d+) in epoch (\\d+): (${NUMBER}) s/it$`)

export function parseIterationLine(line: string): IterationLine | null {
  const m = ITERATION.exec(cleanLogLine(line))
  if (!m) return null
  return { done: Number(m[1]), total: Number(m[2]), epoch: Number(m[3]), secondsPerIteration: num(m[4]) }
}

/** Parses a whole log text (e.g. a saved training_log_*.txt) into epochs. */
export function parseTrainingLog(text: string, opts: TrainingLogOptions = {}): EpochMetrics[] {
  const p = new TrainingLogParser(opts)
  for (const line of text.split(/\r?\n/)) p.push(line)
  return p.all()
}

/**
 * The total epoch count a trainer class name implies: nnU-Net's shipped short variants
 * (nnUNetTrainer_5epochs, nnUNetTrainer_1epoch) and the wizard's generated ones
 * (..._Wizard_20ep...). Undefined when the name says nothing (the default is 1000 for
 * nnUNetTrainer and nnUNetTrainerV2, which the caller knows).
 */
export function epochsFromTrainerName(name: string): number | undefined {
  const m = /_(\d+)(?:epochs?|ep)(?:_|$)/.exec(name)
  return m ? Number(m[1]) : undefined
}
