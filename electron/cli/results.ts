// `nnunet-wizard results`: how good is the model and where does it fail, from nnU-Net's own
// summary files: per configuration and fold the state and mean Dice per label, mean and spread
// over the folds, find_best's choice, the held-out test evaluations, and every case worst first.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { DatasetResults, JobInfo } from '../../shared/api'
import * as s from '../../shared/schema'
import { worstFirst } from '../results/report'
import { surfaceSummaryText, surfaceText } from '../../shared/surfaceFigures'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, settingsFrom, UsageError, usageFailure } from './support'
import type { Service } from '../service'
import { toApiError } from '../transport/errors'
import { parseFlags, requireFlags, validRequest } from './common'
import { stopOnSignal } from './stopOnSignal'

export const help = `usage: nnunet-wizard results -d ID [options]

Shows the results of a dataset's trainings, read from nnU-Net's own files (nothing is trained):
per configuration and fold its state (missing, running, stopped, finished), epochs done and
the mean validation Dice per label (fold_N/validation/summary.json; v1 validation_raw), the mean
and spread over the folds, find_best_configuration's choice, the test evaluations, and every
case's Dice with its false-positive / false-negative voxels, worst first.

  -d, --dataset ID          dataset id
  -c, --configuration C     only this configuration (repeat for several)
  --test DIR                a folder of predictions of the test cases (imagesTs), scored
                            against labelsTs (repeat; default: every folder the app predicts
                            into, nnUNet_results/<dataset>/predictions/<model>/<input>, and an
                            older imagesTs_predicted inside the dataset)
  --evaluate                score test folders that are not scored yet (or are older than
                            their predictions) with nnUNetv2_evaluate_folder (v1:
                            nnUNet_evaluate_folder) first; it writes DIR/summary.json
  --surface                 measure HD95 and the normalised surface Dice (NSD) of every scored
                            case not measured yet (in worker threads; kept in the app's data
                            folder and shown from then on) and show them beside Dice
  --tolerance [LABEL=]MM    NSD tolerance in mm, for one label or (without LABEL=) for every
                            label without its own (repeat; default 1 mm)
  --postprocessing          determine nnU-Net's postprocessing of each trained model (v2) on its
                            finished folds' validation (nnUNetv2_accumulate_crossval_results,
                            nnUNetv2_determine_postprocessing) and show the Dice before / after;
                            predict --postprocess then applies it
  --worst N                 cases listed (default 10; --json lists all)
  --html FILE               also write the report: one self-contained HTML file (no network,
                            plots inline, prints well)
  --csv FILE                also write every case as CSV

${COMMON_HELP}

--json prints { datasetId, dataset, labels, models: [{ model, folds: [...], dice, mean }],
cases: [{ case, fold (number or "test"), model, dice: { label: value or null }, fp, fn,
surface: { label: { hd95 (mm), nsd, tolerance, empty } } once measured }],
test, findBest }.

exit codes: 0 done, 1 no results (dataset not found) or an evaluation failed, 2 bad usage.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c', multiple: true },
  test: { type: 'string', multiple: true },
  evaluate: { type: 'boolean' },
  surface: { type: 'boolean' },
  postprocessing: { type: 'boolean' },
  tolerance: { type: 'string', multiple: true },
  worst: { type: 'string' },
  html: { type: 'string' },
  csv: { type: 'string' },
} as const

const d3 = (d: number | null | undefined) => (d === null || d === undefined ? '  NaN' : d.toFixed(3))
const pad = (t: string, n: number) => t.padEnd(n)

/** The results as the terminal shows them. */
export function resultsText(r: DatasetResults, worst: number): string[] {
  const labels = r.labels.map((l) => l.name)
  const w = Math.max(6, ...labels.map((l) => l.length + 1))
  const out = [`${r.dataset} (nnU-Net ${r.version}); labels: ${r.labels.map((l) => `${l.value} ${l.name}`).join(', ') || 'unknown'}`]
  if (!r.models.length) out.push('', 'No trained model yet.')
  for (const m of r.models) {
    out.push('', m.model)
    out.push(`  ${pad('fold', 6)}${pad('state', 10)}${pad('epochs', 11)}${labels.map((l) => pad(l, w)).join('')}${pad('mean', 7)}cases`)
    for (const f of m.folds) {
      const scored = f.summary !== undefined
      out.push(`  ${pad(String(f.fold), 6)}${pad(f.state, 10)}${pad(`${f.epochsDone}/${f.totalEpochs}`, 11)}${labels.map((l) => pad(scored ? d3(f.dice[l]) : '-', w)).join('')}${pad(scored ? d3(f.mean) : '-', 7)}${scored ? f.cases : '-'}`)
    }
    const sp = (x: { mean: number | null; sd: number | null }) => `${d3(x.mean)}${x.sd !== null ? ` ± ${x.sd.toFixed(3)}` : ''}`
    out.push(`  over ${m.mean.n} fold${m.mean.n === 1 ? '' : 's'}: ${labels.map((l) => `${l} ${sp(m.dice[l] ?? { mean: null, sd: null })}`).join(', ')}; mean ${sp(m.mean)}`)
    for (const l of labels) if (m.surface?.[l]) out.push(`  ${l}: ${surfaceSummaryText(m.surface[l])} over the validation cases`)
    const pp = m.postprocessing
    if (pp) out.push(`  nnU-Net postprocessing (folds ${pp.folds.join(', ')}): ${pp.steps.length ? pp.steps.join('; ') : 'none raises the Dice'}; Dice ${d3(pp.before.mean)} -> ${d3(pp.after.mean)} (${pp.pkl})`)
  }
  if (r.findBest) out.push('', `find_best_configuration: ${r.findBest.best}, Dice ${d3(r.findBest.dice)} (after postprocessing ${d3(r.findBest.diceAfterPostprocessing)})`)
  for (const t of r.test) {
    const what = t.state === 'evaluated' ? labels.map((l) => `${l} ${d3(t.dice[l])}`).join(', ') + `; mean ${d3(t.mean)} (${t.cases} cases)` : t.state === 'stale' ? 'predictions newer than the evaluation: run with --evaluate' : 'not scored yet: run with --evaluate'
    out.push('', `test ${t.folder}: ${what}`)
    for (const l of labels) if (t.surface?.[l]) out.push(`  ${l}: ${surfaceSummaryText(t.surface[l])}`)
  }
  if (!r.labelsTs) out.push('', 'No labelsTs in the dataset: test predictions cannot be scored (prepare with a test split keeps their labels).')
  const cases = worstFirst(r.cases).slice(0, worst)
  if (cases.length) {
    const surface = cases.some((c) => c.surface)
    out.push('', `Worst ${cases.length} of ${r.cases.length} case${r.cases.length === 1 ? '' : 's'} (lowest Dice of its labels; FP/FN in voxels${surface ? '; HD95 in mm, NSD' : ''}):`)
    const figures = (c: (typeof cases)[number], l: string) => (surface ? ` HD95 ${surfaceText(c.surface?.[l], 'hd95')} NSD ${surfaceText(c.surface?.[l], 'nsd')}` : '')
    for (const c of cases) out.push(`  ${pad(c.source ? `${c.case} (${c.source})` : c.case, 16)}${pad(c.fold === 'test' ? 'test' : `fold ${c.fold}`, 8)}${pad(c.configuration ?? c.model, 20)}${labels.map((l) => `${l} ${d3(c.dice[l])} (${c.fp[l] ?? '-'}/${c.fn[l] ?? '-'})${figures(c, l)}`).join('  ')}`)
  }
  return out
}

/** --tolerance 2 (every label) and --tolerance liver=3 (one label) -> the request's tolerance / tolerances. */
export function parseTolerances(values: readonly string[] | undefined): { tolerance?: number; tolerances?: Record<string, number> } {
  const out: { tolerance?: number; tolerances?: Record<string, number> } = {}
  for (const v of values ?? []) {
    const m = /^(?:([^=]+)=)?([0-9]*\.?[0-9]+)$/.exec(v.trim())
    const mm = m ? Number(m[2]) : NaN
    if (!m || !(mm > 0)) throw new UsageError(`--tolerance ${v}: give millimetres (e.g. --tolerance 2) or LABEL=MM (e.g. --tolerance liver=3).`)
    if (m[1] === undefined) out.tolerance = mm
    else (out.tolerances ??= {})[m[1].trim()] = mm
  }
  return out
}

/** Runs the surfaceMetrics job with its log on stderr; false when it failed. */
async function measureSurfaces(service: Service, request: s.ResultsRequest, tolerances: ReturnType<typeof parseTolerances>): Promise<boolean> {
  process.stderr.write('Measuring HD95 and NSD of the scored cases ...\n')
  const off = service.jobs.onEvent((e) => {
    if (e.type === 'log') for (const l of e.lines) if (!l.partial) process.stderr.write(`${l.text}\n`)
  })
  let info: JobInfo
  try {
    const { jobId } = await service.surfaceMetrics({ ...request, ...tolerances })
    info = await service.jobs.wait(jobId)
  } finally {
    off()
  }
  if (info.state !== 'done') process.stderr.write(`nnunet-wizard results: measuring surface distances failed: ${info.error ?? info.state}${info.logFile ? ` (log ${info.logFile})` : ''}\n`)
  return info.state === 'done'
}

/** Determines nnU-Net's postprocessing of every model with validated folds, one job after the other; false when one failed. */
async function determinePostprocessing(service: Service, r: DatasetResults): Promise<boolean> {
  let ok = true
  const models = r.models.filter((m) => m.folds.some((f) => f.fold !== 'all' && f.summary))
  if (!models.length) process.stderr.write('nnunet-wizard results: no model has a finished fold with its validation, so no postprocessing can be determined yet.\n')
  for (const m of models) {
    process.stderr.write(`Determining nnU-Net's postprocessing of ${m.model} ...\n`)
    const off = service.jobs.onEvent((e) => {
      if (e.type === 'log') for (const l of e.lines) if (!l.partial) process.stderr.write(`${l.text}\n`)
    })
    let info: JobInfo
    try {
      const { jobId } = await service.determinePostprocessing({ datasetId: r.datasetId, configuration: m.configuration as s.Configuration, trainer: m.trainer, plans: m.plans })
      info = await service.jobs.wait(jobId)
    } finally {
      off()
    }
    if (info.state !== 'done') {
      ok = false
      process.stderr.write(`nnunet-wizard results: determining the postprocessing of ${m.model} failed: ${info.error ?? info.state}${info.logFile ? ` (log ${info.logFile})` : ''}\n`)
    }
  }
  return ok
}

async function evaluateFolders(service: Service, r: DatasetResults, named: readonly string[]): Promise<boolean> {
  let ok = true
  for (const t of r.test) {
    if (t.state === 'evaluated') continue
    if (!t.predictions) {
      // A folder asked for by name that holds nothing to score is a failure, not a silent skip.
      if (named.includes(t.folder)) {
        ok = false
        process.stderr.write(`nnunet-wizard results: ${t.folder} holds no segmentations to score: predict the test images (imagesTs) into it first.\n`)
      }
      continue
    }
    process.stderr.write(`Scoring ${t.folder} against ${t.reference} ...\n`)
    const off = service.jobs.onEvent((e) => {
      if (e.type === 'log') for (const l of e.lines) if (!l.partial) process.stderr.write(`${l.text}\n`)
    })
    let info: JobInfo
    try {
      const { jobId } = await service.evaluateTest({ datasetId: r.datasetId, predictions: t.folder })
      info = await service.jobs.wait(jobId)
    } finally {
      off()
    }
    if (info.state !== 'done') {
      ok = false
      process.stderr.write(`nnunet-wizard results: scoring ${t.folder} failed: ${info.error ?? info.state}${info.logFile ? ` (log ${info.logFile})` : ''}\n`)
    }
  }
  return ok
}

export async function run(argv: string[]): Promise<number> {
  let request: s.ResultsRequest
  let settings: s.Settings
  let values: ReturnType<typeof parseFlags<typeof options>>
  let worst: number
  let tolerances: ReturnType<typeof parseTolerances>
  try {
    values = parseFlags(argv, options)
    requireFlags(values, ['dataset'])
    request = validRequest(
      s.resultsRequest,
      { datasetId: parseInteger('-d', values.dataset, 1, 999), configurations: values.configuration, testPredictions: values.test?.map((t) => resolve(t)) },
      { datasetId: '-d', configurations: '-c', testPredictions: '--test' },
    )
    // A folder named on the command line that is not there was mistyped: say so, never show results without it.
    const absent = (request.testPredictions ?? []).filter((t) => !existsSync(t))
    if (absent.length) throw new UsageError(`--test ${absent.join(', ')}: no such folder. Give the folder the test cases (imagesTs) were predicted into.`)
    worst = parseInteger('--worst', values.worst, 0, 1_000_000) ?? 10
    tolerances = parseTolerances(values.tolerance)
    if (values.tolerance?.length && !values.surface) throw new UsageError('--tolerance is the NSD tolerance of --surface: add --surface.')
    settings = await settingsFrom(values)
    if (!settings.folders) throw new UsageError('the nnU-Net folders are not set: give --base (or --raw, --preprocessed, --results), or save them with nnunet-wizard env --save.')
  } catch (err) {
    return usageFailure('results', err)
  }
  const service = cliService(settings)
  // --evaluate and --postprocessing run nnU-Net: a signal stops it and exits 128 + the signal (stopOnSignal.ts).
  const stop = stopOnSignal('results', service.jobs)
  try {
    let r = await service.results(request)
    let ok = true
    if (values.evaluate) {
      ok = await evaluateFolders(service, r, request.testPredictions ?? [])
      r = await service.results(request)
    }
    if (values.postprocessing) {
      ok = (await determinePostprocessing(service, r)) && ok
      r = await service.results(request)
    }
    if (values.surface) {
      ok = (await measureSurfaces(service, request, tolerances)) && ok
      r = await service.results(request)
    }
    if (values.html || values.csv) {
      const rep = await service.resultsReport({ ...request, html: values.html ? resolve(values.html) : undefined, csv: values.csv ? resolve(values.csv) : undefined })
      for (const f of rep.files) process.stderr.write(`wrote ${f}\n`)
    }
    if (values.json) console.log(JSON.stringify(r, null, 2))
    else console.log(resultsText(r, worst).join('\n'))
    return ok ? 0 : 1
  } catch (err) {
    const e = toApiError(err)
    if (values.json) console.log(JSON.stringify({ state: 'refused', error: e.message, code: e.code }, null, 2))
    else process.stderr.write(`nnunet-wizard results: ${e.message}\n`)
    return 1
  } finally {
    if (!stop.signal) stop.off()
  }
}
