// What an nnU-Net tool is doing now, read from its own output (stdout and stderr together, tqdm
// bars included), as the job's progress. The lines are the ones nnU-Net prints:
//
// v2 plan_and_preprocess (experiment_planning/plan_and_preprocess_entrypoints.py, _api.py,
// dataset_fingerprint/fingerprint_extractor.py, preprocessing/preprocessors/default_preprocessor.py):
//   Fingerprint extraction...
//   Extracting dataset fingerprint:  50%|█████     | 2/4 [00:06<00:05,  2.93s/it]     (tqdm, stderr)
//   Experiment planning...
//   Preprocessing...
//   Configuration: 3d_fullres...
//   INFO: Configuration 3d_lowres not found in plans file nnUNetPlans.json of dataset X. Skipping.
//   Preprocessing cases:  25%|██▌       | 1/4 [00:03<00:11,  3.95s/it]                (tqdm, stderr)
// v2 train (training/nnUNetTrainer/nnUNetTrainer.py; lines carry a timestamp):
//   This split has 4 training and 1 validation cases.
//   Epoch 3 ... Epoch time: 12.46 s                                   (see trainingLog.ts)
//   Training done.
//   predicting tiny_002                                              (final validation, per case)
//   Validation complete
// v2 predict (inference/predict_from_raw_data.py):
//   There are 2 cases that I would like to predict
//   Predicting tiny_005:
//   13/30 [03:33<06:25, 22.65s/it]                                   (sliding window, tqdm)
//   done with tiny_005
// v1: "number of cases that still need to be predicted: 2", "predicting /out/case.nii.gz";
//   training as trainingLog.ts, its final validation prints "case_id (1, 30, 101, 122)" per case.
//
// Pure: no Node, no DOM.
import type { EpochMetrics, Progress } from './api'
import { TOOLS, type NnunetTool } from './nnunetArgs'
import { timeRemaining } from './timeRemaining'
import { cleanLogLine, parseIterationLine, TrainingLogParser, type IterationLine } from './trainingLog'

export type ToolKind = 'convert' | 'plan' | 'train' | 'predict' | 'findBest'

/** Which of nnU-Net's tools (either version) a command runs. */
export function toolKind(tool: NnunetTool): ToolKind | undefined {
  for (const tools of Object.values(TOOLS)) {
    for (const [kind, t] of Object.entries(tools)) if (t.script === tool.script) return kind as ToolKind
  }
  return undefined
}

export interface TqdmUpdate {
  /** The bar's description ("Preprocessing cases"); "" when it has none. */
  desc: string
  done: number
  total: number
  elapsedSeconds?: number
  /** tqdm's own estimate for this bar. */
  remainingSeconds?: number
}

// "{desc}: {pct}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}]", desc optional.
const TQDM = /^(?:(.*?):\s*)?\s*\d{1,3}%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([\d:]+)(?:<([\d:?]+))?/

function clock(text: string | undefined): number | undefined {
  if (!text || text.includes('?')) return undefined
  return text.split(':').reduce((s, part) => s * 60 + Number(part), 0)
}

/** One tqdm bar state, or null when the line is not one. */
export function parseTqdm(line: string): TqdmUpdate | null {
  const m = TQDM.exec(cleanLogLine(line))
  if (!m) return null
  const elapsed = clock(m[4])
  const remaining = clock(m[5])
  return {
    desc: (m[1] ?? '').trim(),
    done: Number(m[2]),
    total: Number(m[3]),
    ...(elapsed !== undefined ? { elapsedSeconds: elapsed } : {}),
    ...(remaining !== undefined ? { remainingSeconds: remaining } : {}),
  }
}

const TIMESTAMP = /^\s*(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?):/

/** The trainer's own timestamp of a line in ms (only differences matter), else undefined. */
function lineTime(line: string): number | undefined {
  const m = TIMESTAMP.exec(line)
  if (!m) return undefined
  const t = Date.parse(`${m[1]}T${m[2]!.slice(0, 12)}`)
  return Number.isFinite(t) ? t : undefined
}

/** The values after `-c` in a v2 plan argv (nnU-Net's default: 2d 3d_fullres 3d_lowres). */
function planConfigurations(args: readonly string[]): string[] {
  const i = args.indexOf('-c')
  if (i < 0) return ['2d', '3d_fullres', '3d_lowres']
  const out: string[] = []
  for (const a of args.slice(i + 1)) {
    if (a.startsWith('-')) break
    out.push(a)
  }
  return out
}

/** An estimate as a person says it: "40 s", "12 min", "3.5 h" (never more precise than it is). */
export function roughDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`
  const h = seconds / 3600
  return `${h < 10 ? Math.round(h * 10) / 10 : Math.round(h)} h`
}

export interface IterationEstimate {
  /** Seconds left in the running epoch's training iterations. */
  epochSeconds: number
  /** Seconds left for the whole run (this epoch and every later one). */
  runSeconds?: number
}

/**
 * The time left from the pace of the running epoch's iterations. Later epochs take the mean of
 * the finished ones when there are any (validation included), else this epoch's iterations at this
 * pace (validation batches are fewer and cheaper: they are left out of that first guess).
 */
export function iterationEstimate(it: IterationLine, totalEpochs: number | undefined, finishedEpochSeconds: readonly number[]): IterationEstimate {
  const epochSeconds = Math.max(0, it.total - it.done) * it.secondsPerIteration
  if (!totalEpochs) return { epochSeconds }
  const later = Math.max(0, totalEpochs - it.epoch - 1)
  const recent = finishedEpochSeconds.filter((t) => Number.isFinite(t) && t > 0).slice(-5)
  const perEpoch = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : it.total * it.secondsPerIteration
  return { epochSeconds, runSeconds: epochSeconds + later * perEpoch }
}

/** "Epoch 1 of 2: iteration 37 of 250 (2.42 s/it): this epoch about 9 min more, the run about 19 min". */
export function iterationPhase(it: IterationLine, totalEpochs: number | undefined, est: IterationEstimate): string {
  const epoch = totalEpochs ? `Epoch ${Math.min(it.epoch + 1, totalEpochs)} of ${totalEpochs}` : `Epoch ${it.epoch + 1}`
  const pace = it.secondsPerIteration >= 10 ? it.secondsPerIteration.toFixed(0) : it.secondsPerIteration.toFixed(2)
  const left = it.done >= it.total ? 'validating this epoch' : `this epoch about ${roughDuration(est.epochSeconds)} more`
  const run = est.runSeconds !== undefined ? `, the run about ${roughDuration(est.runSeconds)}` : ''
  return `${epoch}: iteration ${it.done} of ${it.total} (${pace} s/it): ${left}${run}`
}

export interface ToolProgressOptions {
  /** The tool's argv (configurations to preprocess are read from it). */
  args?: readonly string[]
  /** Epochs the training will run (train). */
  totalEpochs?: number
}

export interface ToolProgressUpdate {
  progress?: Progress
  /** Training only: the epoch a line added to. */
  metrics?: EpochMetrics
}

/** Cases one after another: which one runs, how many finished, how long each took. */
class CaseCounter {
  total = 0
  started = 0
  done = 0
  current = ''
  private startedAt: number[] = []
  begin(name: string, at: number): void {
    this.started++
    this.current = name
    this.startedAt.push(at)
  }
  /** Seconds between successive case starts: the pace of finished cases. */
  unitSeconds(): number[] {
    const out: number[] = []
    for (let i = 1; i < this.startedAt.length; i++) out.push((this.startedAt[i]! - this.startedAt[i - 1]!) / 1000)
    return out
  }
}

/**
 * Follows one nnU-Net tool's output line by line. push() returns a new progress whenever a line
 * changed what the tool is doing or how far it got.
 */
export class ToolProgress {
  readonly training?: TrainingLogParser
  private readonly configurations: string[]
  private configuration = ''
  private bar?: TqdmUpdate
  private epochsFinished = 0
  private validating = false
  private readonly cases = new CaseCounter()

  constructor(
    readonly kind: ToolKind | undefined,
    private readonly opts: ToolProgressOptions = {},
  ) {
    if (kind === 'train') this.training = new TrainingLogParser({ totalEpochs: opts.totalEpochs })
    this.configurations = kind === 'plan' ? planConfigurations(opts.args ?? []) : []
  }

  /** The progress before the tool printed anything (undefined for tools without phases). */
  start(): Progress | undefined {
    if (this.kind === 'train') return { done: 0, total: this.opts.totalEpochs ?? 0, unit: 'epoch', phase: 'Starting nnU-Net: loading the plans, the network and the data loaders' }
    if (this.kind === 'predict') return { done: 0, total: 0, unit: 'case', phase: 'Starting nnU-Net: loading the trained model' }
    if (this.kind === 'plan') return { done: 0, total: 0, unit: 'case', phase: 'Starting nnU-Net' }
    return undefined
  }

  push(line: string, nowMs: number): ToolProgressUpdate {
    const metrics = this.training?.push(line) ?? undefined
    const text = cleanLogLine(line)
    const at = lineTime(line) ?? nowMs
    const progress = text ? this.read(text, at, metrics) : undefined
    return { ...(progress ? { progress } : {}), ...(metrics ? { metrics } : {}) }
  }

  private read(text: string, at: number, metrics: EpochMetrics | undefined): Progress | undefined {
    switch (this.kind) {
      case 'plan':
        return this.readPlan(text)
      case 'train':
        return this.readTrain(text, at, metrics)
      case 'predict':
        return this.readPredict(text, at)
      default:
        return undefined
    }
  }

  // ------------------------------------------------------------ plan and preprocess

  private readPlan(text: string): Progress | undefined {
    if (text === 'Fingerprint extraction...') return this.step('Checking the dataset and extracting its fingerprint')
    if (text === 'Experiment planning...') return this.step('Planning the experiment (spacing, patch and batch size per configuration)')
    if (text === 'Preprocessing...') return this.step('Preprocessing')
    let m = /^Configuration: (\S+)\.\.\.$/.exec(text)
    if (m) {
      this.configuration = m[1]!
      this.bar = undefined
      return this.step(`Preprocessing ${this.configurationText()}`)
    }
    m = /^INFO: Configuration (\S+) not found in plans file/.exec(text)
    if (m) return this.step(`Skipping ${m[1]}: the plans have no such configuration`)
    const bar = parseTqdm(text)
    if (!bar) return undefined
    if (/fingerprint/i.test(bar.desc)) return this.barProgress(bar, 'Extracting the dataset fingerprint')
    if (/preprocessing cases/i.test(bar.desc)) return this.barProgress(bar, `Preprocessing ${this.configurationText()}`)
    return undefined
  }

  private configurationText(): string {
    const i = this.configurations.indexOf(this.configuration)
    return i >= 0 && this.configurations.length > 1 ? `${this.configuration} (configuration ${i + 1} of ${this.configurations.length})` : this.configuration
  }

  private step(phase: string): Progress {
    return { done: 0, total: 0, unit: 'case', phase }
  }

  /** A tqdm bar over cases: "<what>: case n of N", its ETA from the bar's elapsed time. */
  private barProgress(bar: TqdmUpdate, what: string): Progress {
    this.bar = bar
    const eta = timeRemaining({ done: bar.done, total: bar.total, elapsedSeconds: bar.elapsedSeconds })
    const phase = bar.done >= bar.total ? `${what}: ${bar.total} of ${bar.total} cases done` : `${what}: case ${bar.done + 1} of ${bar.total}`
    return { done: bar.done, total: bar.total, unit: 'case', phase, ...(eta !== undefined ? { etaSeconds: eta } : {}) }
  }

  // ------------------------------------------------------------ train

  private readTrain(text: string, at: number, metrics: EpochMetrics | undefined): Progress | undefined {
    const it = parseIterationLine(text)
    if (it && !this.validating) {
      const total = this.opts.totalEpochs
      const finished = this.training!.finished().flatMap((e) => (e.epochSeconds !== undefined ? [e.epochSeconds] : []))
      const est = iterationEstimate(it, total, finished)
      const eta = est.runSeconds ?? undefined
      return {
        done: this.epochsFinished,
        total: total ?? 0,
        unit: 'epoch',
        phase: iterationPhase(it, total, est),
        ...(eta !== undefined ? { etaSeconds: Math.round(eta) } : {}),
      }
    }
    const split = /^This (?:random 80:20 )?split has (\d+) training and (\d+) validation cases\.$/.exec(text)
    if (split) this.cases.total = Number(split[2])
    const total = this.opts.totalEpochs
    if (metrics && !this.validating) {
      if (metrics.epochSeconds !== undefined) this.epochsFinished = Math.max(this.epochsFinished, metrics.epoch + 1)
      // Never "Epoch N+1 of N": a finished last epoch stays the last one.
      const shown = total ? Math.min(metrics.epoch + 1, total) : metrics.epoch + 1
      const eta = this.training!.etaSeconds()
      return {
        done: this.epochsFinished,
        total: total ?? 0,
        unit: 'epoch',
        phase: total ? `Epoch ${shown} of ${total}` : `Epoch ${shown}`,
        ...(eta !== undefined ? { etaSeconds: eta } : {}),
      }
    }
    // v2 says so; v1 saves its final checkpoint after the last epoch and goes on to validate.
    if (text === 'Training done.' || (text === 'saving checkpoint...' && total !== undefined && this.epochsFinished >= total)) {
      if (this.validating) return undefined
      this.validating = true
      return this.validationProgress()
    }
    // v2: "predicting case_id" (also --val without training); v1: "case_id (1, 30, 101, 122)" after the last epoch.
    const v2 = /^predicting (\S+)$/.exec(text)
    const v1 = !v2 && (this.validating || (total !== undefined && this.epochsFinished >= total)) ? /^(\S+) \((\d+(?:, \d+)+)\)$/.exec(text) : null
    const name = v2?.[1] ?? v1?.[1]
    if (name) {
      this.validating = true
      this.cases.begin(name, at)
      return this.validationProgress()
    }
    if ((text === 'Validation complete' || text === 'finished prediction') && this.validating) {
      this.cases.done = this.cases.total || this.cases.started
      this.cases.total = this.cases.done
      return { done: this.cases.done, total: this.cases.total, unit: 'validation case', phase: 'Final validation: done, computing the Dice' }
    }
    return undefined
  }

  private validationProgress(): Progress {
    const c = this.cases
    const done = Math.max(0, c.started - 1)
    const of = c.total ? ` of ${c.total}` : ''
    const phase = c.started ? `Final validation: case ${c.started}${of} (${c.current})` : 'Final validation: predicting the validation cases'
    const eta = timeRemaining({ done, total: c.total, unitSeconds: c.unitSeconds() })
    return { done, total: c.total, unit: 'validation case', phase, ...(eta !== undefined && c.started > 1 ? { etaSeconds: eta } : {}) }
  }

  // ------------------------------------------------------------ predict

  private readPredict(text: string, at: number): Progress | undefined {
    const c = this.cases
    const total = /^There are (\d+) cases that I would like to predict$|^number of cases that still need to be predicted: (\d+)$/.exec(text)
    if (total) {
      c.total = Number(total[1] ?? total[2])
      return this.predictProgress()
    }
    const start = /^Predicting (.+):$/.exec(text) ?? /^predicting (\S+)$/.exec(text)
    if (start) {
      this.bar = undefined
      c.begin(start[1]!.replace(/^.*[\\/]/, ''), at)
      // v1 prints only the start of each case: the one before it is done.
      if (/^predicting /.test(text)) c.done = c.started - 1
      return this.predictProgress()
    }
    if (/^done with /.test(text)) {
      c.done = Math.min(c.total || Infinity, c.done + 1)
      return this.predictProgress()
    }
    const bar = parseTqdm(text)
    if (bar && bar.desc === '' && c.started > 0) {
      this.bar = bar
      return this.predictProgress()
    }
    return undefined
  }

  private predictProgress(): Progress {
    const c = this.cases
    const of = c.total ? ` of ${c.total}` : ''
    let phase = c.started ? `Predicting case ${c.started}${of} (${c.current})` : `Loading the model; ${c.total} ${c.total === 1 ? 'case' : 'cases'} to predict`
    if (this.bar && this.bar.done < this.bar.total) phase += `: sliding window ${this.bar.done} of ${this.bar.total}`
    if (c.done >= c.total && c.total > 0) phase = `Predicted ${c.total} of ${c.total} cases; writing the last segmentation`
    // The running case's own bar knows its time left; the cases after it go at the pace so far.
    const running = c.started > c.done ? 1 : 0
    const barLeft = this.bar?.remainingSeconds
    const barCase = this.bar?.elapsedSeconds !== undefined && barLeft !== undefined ? this.bar.elapsedSeconds + barLeft : undefined
    const pace = c.unitSeconds().length ? c.unitSeconds() : barCase !== undefined ? [barCase] : []
    const after = timeRemaining({ done: c.done + running, total: c.total, unitSeconds: pace })
    const eta = running && barLeft !== undefined ? barLeft + (after ?? 0) : c.unitSeconds().length ? timeRemaining({ done: c.done, total: c.total, unitSeconds: pace }) : undefined
    return { done: c.done, total: c.total, unit: 'case', phase, ...(eta !== undefined ? { etaSeconds: eta } : {}) }
  }
}

/**
 * A rough CPU pace for the warning before a start (seconds per training iteration): nnU-Net's
 * patches on a CPU take seconds each (2d about 1-3 s, 3d several). The real pace is shown from the
 * first iterations on; this only has to tell minutes from days.
 */
export const CPU_SECONDS_PER_ITERATION = { '2d': 2, '3d': 8 } as const

/** The warning before a training that will take hours on this device, or undefined. */
export function longRunWarning(opts: { device: string; configuration: string; epochs?: number | null; iterations?: number | null }): { text: string; seconds: number } | undefined {
  if (opts.device !== 'cpu') return undefined
  const epochs = opts.epochs ?? 1000
  const iterations = opts.iterations ?? 250
  const pace = opts.configuration === '2d' ? CPU_SECONDS_PER_ITERATION['2d'] : CPU_SECONDS_PER_ITERATION['3d']
  const seconds = epochs * iterations * pace
  if (seconds < 3600) return undefined
  const perEpoch = iterations * pace
  return {
    seconds,
    text: `On the CPU, ${epochs} epochs of ${iterations} iterations (nnU-Net's default is 1000 × 250) take about ${roughDuration(seconds)}: each epoch about ${roughDuration(perEpoch)} at roughly ${pace} s per iteration. A first try needs far fewer iterations per epoch; the real pace is shown from the first iterations on.`,
  }
}
