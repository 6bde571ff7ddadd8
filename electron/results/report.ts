// The results report: one self-contained HTML file (no script, no network, plots as inline SVG,
// a print stylesheet) and a CSV of every case. What it holds: the dataset (cases, labels, voxels
// per label, spacing range), the plans, the commands that were run, the cross-validation and test
// tables, the plots.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { CaseResult, DatasetResults, PlansSummary, Spread } from '../../shared/api'
import { diceStripPlot, escapeXml, trainingCurvesPlot } from '../../shared/resultsPlots'
import type { Settings } from '../../shared/schema'
import { surfaceCsv, surfaceSummaryText, surfaceText } from '../../shared/surfaceFigures'
import { readPlansSummary } from '../nnunet/summaries'
import { rawDatasetDir } from './crossValidation'
import type { ModelCommand } from './modelCommands'

export interface DatasetFacts {
  cases: { train: number; test: number }
  /** Label name -> voxels over all written cases (from the dataset's manifest.json). */
  voxels: Record<string, number>
  /** Per axis, the smallest and largest spacing (nnU-Net's fingerprint, its axis order). */
  spacing?: { min: number[]; max: number[] }
  plans?: PlansSummary
}

/** What the report says about the dataset, from the files the app and nnU-Net wrote beside it. */
export async function datasetFacts(settings: Settings, dataset: string): Promise<DatasetFacts> {
  const facts: DatasetFacts = { cases: { train: 0, test: 0 }, voxels: {} }
  try {
    const m = JSON.parse(await readFile(join(rawDatasetDir(settings, dataset), 'manifest.json'), 'utf8')) as { cases?: Record<string, { split?: string; voxelCounts?: Record<string, number> }> }
    for (const c of Object.values(m.cases ?? {})) {
      if (c.split === 'test') facts.cases.test++
      else facts.cases.train++
      for (const [k, v] of Object.entries(c.voxelCounts ?? {})) facts.voxels[k] = (facts.voxels[k] ?? 0) + v
    }
  } catch {
    // A dataset not written by the app has no manifest: its counts are simply not shown.
  }
  const pre = join(settings.folders!.preprocessed, dataset)
  try {
    const fp = JSON.parse(await readFile(join(pre, 'dataset_fingerprint.json'), 'utf8')) as { spacings?: number[][] }
    const sp = fp.spacings ?? []
    if (sp.length) facts.spacing = { min: sp[0]!.map((_, i) => Math.min(...sp.map((s) => s[i]!))), max: sp[0]!.map((_, i) => Math.max(...sp.map((s) => s[i]!))) }
  } catch {
    // Not planned yet (or v1, whose fingerprint is a pickle).
  }
  if (settings.nnunetVersion === 'v2') {
    const plans = await readPlansSummary(join(pre, 'nnUNetPlans.json'))
    if (plans) facts.plans = plans
  }
  if (!facts.cases.train && !facts.cases.test) {
    // No manifest: count the files nnU-Net reads.
    const raw = rawDatasetDir(settings, dataset)
    facts.cases.train = (await readdir(join(raw, 'labelsTr')).catch(() => [])).length
    facts.cases.test = (await readdir(join(raw, 'imagesTs')).catch(() => [])).filter((n) => /_0000\.|\.nii/.test(n)).length
  }
  return facts
}

const d3 = (d: number | null | undefined) => (d === null || d === undefined ? 'NaN' : d.toFixed(3))
// No scored fold (a model training, validating or stopped in its validation) is "—", not NaN: NaN is nnU-Net's word for a Dice it could not compute.
const spreadText = (s: Spread) => (s.mean === null ? '—' : `${s.mean.toFixed(3)}${s.sd !== null ? ` ± ${s.sd.toFixed(3)}` : ''} (n=${s.n})`)

/** Cases worst first: the lowest Dice over their labels (NaN counts as not scored, so last). */
export function worstFirst(cases: readonly CaseResult[], label?: string): CaseResult[] {
  const key = (c: CaseResult) => {
    const v = label ? [c.dice[label]] : Object.values(c.dice)
    const known = v.filter((d): d is number => d !== null && d !== undefined)
    return known.length ? Math.min(...known) : Infinity
  }
  return [...cases].sort((a, b) => key(a) - key(b) || a.case.localeCompare(b.case))
}

const CSV_SAFE = /^[^",\n\r]*$/
function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return ''
  const s = String(v)
  // A cell starting with = + - @ is a formula to a spreadsheet: quote it with a leading apostrophe.
  const t = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s
  return CSV_SAFE.test(t) ? t : `"${t.replace(/"/g, '""')}"`
}

/**
 * One row per case: model, configuration, fold ("test" for a test case), case, source (manifest.json's
 * case key, empty when unknown), then Dice, FP and FN
 * per label, and HD95 (mm), NSD and its tolerance per label once measured (inf / nan: an empty side).
 */
export function resultsCsv(r: DatasetResults): string {
  const labels = r.labels.length ? r.labels.map((l) => l.name) : [...new Set(r.cases.flatMap((c) => Object.keys(c.dice)))]
  const surface = r.cases.some((c) => c.surface)
  const surfaceHead = (l: string) => (surface ? [`hd95_mm_${l}`, `nsd_${l}`, `nsd_tolerance_mm_${l}`] : [])
  const surfaceCells = (c: CaseResult, l: string) => (surface ? [surfaceCsv(c.surface?.[l], 'hd95'), surfaceCsv(c.surface?.[l], 'nsd'), c.surface?.[l]?.tolerance ?? null] : [])
  const head = ['model', 'configuration', 'fold', 'case', 'source', ...labels.flatMap((l) => [`dice_${l}`, `fp_${l}`, `fn_${l}`, ...surfaceHead(l)])]
  const rows = r.cases.map((c) => [c.model, c.configuration ?? '', c.fold, c.case, c.source ?? '', ...labels.flatMap((l) => [c.dice[l] ?? null, c.fp[l] ?? null, c.fn[l] ?? null, ...surfaceCells(c, l)])])
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n'
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f2f2f2}td.l,th.l{text-align:left}
.muted{color:#666}.test{color:#c2185b;font-weight:600}.plots{display:flex;flex-wrap:wrap;gap:12px}.plots svg{border:1px solid #eee}
code{font-size:12px;background:#f6f6f6;padding:1px 3px;word-break:break-all}
@media print{body{margin:10mm;max-width:none}h2{break-after:avoid}table,svg,.plots>*{break-inside:avoid}a{color:inherit;text-decoration:none}}
`

export interface ReportInput {
  results: DatasetResults
  facts: DatasetFacts
  /** Per model (folder name), the nnU-Net commands that made it, oldest first (modelCommands.ts). */
  commands: Record<string, readonly ModelCommand[]>
  generatedAt: Date
}

export function resultsHtml(input: ReportInput): string {
  const { results: r, facts, commands } = input
  const e = escapeXml
  const labels = r.labels.map((l) => l.name)
  const h: string[] = []
  h.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
  h.push(`<title>${e(r.dataset)}: nnU-Net results</title><style>${STYLE}</style></head><body>`)
  h.push(`<h1>${e(r.dataset)}: nnU-Net results</h1><p class="muted">nnU-Net ${r.version}, written by nnU-Net Wizard on ${e(input.generatedAt.toISOString().replace('T', ' ').slice(0, 16))} UTC. Every figure is read from nnU-Net's own summary.json files.</p>`)

  h.push('<h2>Dataset</h2><table><tbody>')
  h.push(`<tr><th class="l">Cases</th><td class="l">${facts.cases.train} training, ${facts.cases.test} held-out test${r.labelsTs ? ' (labels in labelsTs)' : ''}</td></tr>`)
  h.push(`<tr><th class="l">Labels</th><td class="l">${r.labels.map((l) => `${l.value} = ${e(l.name)}${facts.voxels[l.name] !== undefined ? ` (${facts.voxels[l.name]!.toLocaleString('en')} voxels)` : ''}`).join(', ') || '—'}</td></tr>`)
  if (facts.spacing) h.push(`<tr><th class="l">Spacing range (mm)</th><td class="l">${facts.spacing.min.map((v, i) => `${v.toFixed(2)}–${facts.spacing!.max[i]!.toFixed(2)}`).join(' × ')}</td></tr>`)
  h.push('</tbody></table>')

  if (facts.plans) {
    h.push(`<h2>Plans (${e(facts.plans.plans)})</h2><table><thead><tr><th class="l">configuration</th><th>spacing</th><th>patch size</th><th>batch</th><th class="l">normalisation</th></tr></thead><tbody>`)
    for (const c of facts.plans.configurations) h.push(`<tr><td class="l">${e(c.name)}</td><td>${c.spacing.map((v) => v.toFixed(2)).join(' × ')}</td><td>${c.patchSize.join(' × ')}</td><td>${c.batchSize}</td><td class="l">${e(c.normalization.join(', '))}</td></tr>`)
    h.push('</tbody></table>')
  }

  h.push('<h2>Cross-validation</h2>')
  if (!r.models.length) h.push('<p class="muted">No trained model yet.</p>')
  for (const m of r.models) {
    h.push(`<h3>${e(m.model)}</h3><table><thead><tr><th class="l">fold</th><th class="l">state</th><th>epochs</th>${labels.map((l) => `<th>${e(l)}</th>`).join('')}<th>mean</th><th>cases</th></tr></thead><tbody>`)
    for (const f of m.folds) {
      h.push(`<tr><td class="l">${e(String(f.fold))}</td><td class="l">${f.state}</td><td>${f.epochsDone}/${f.totalEpochs}</td>${labels.map((l) => `<td>${f.summary ? d3(f.dice[l]) : '—'}</td>`).join('')}<td>${f.summary ? d3(f.mean) : '—'}</td><td>${f.summary ? f.cases : '—'}</td></tr>`)
    }
    h.push(`<tr><th class="l" colspan="3">mean ± sd over folds</th>${labels.map((l) => `<th>${spreadText(m.dice[l] ?? { mean: null, sd: null, min: null, max: null, n: 0 })}</th>`).join('')}<th>${spreadText(m.mean)}</th><th></th></tr></tbody></table>`)
    if (m.surface) h.push(`<p>Surface distances over the validation cases: ${labels.filter((l) => m.surface![l]).map((l) => `${e(l)}: ${e(surfaceSummaryText(m.surface![l]!))}`).join('; ')}.</p>`)
    const pp = m.postprocessing
    if (pp) h.push(`<p>nnU-Net's postprocessing (nnUNetv2_determine_postprocessing on folds ${pp.folds.join(', ')}): ${e(pp.steps.length ? pp.steps.join('; ') : 'nothing raises the Dice')}; cross-validation Dice ${d3(pp.before.mean)} → ${d3(pp.after.mean)}.</p>`)
    const mine = r.cases.filter((c) => c.model === m.model)
    h.push(`<div class="plots">${diceStripPlot(mine, labels, { title: `Dice per case: ${m.configuration}` })}${trainingCurvesPlot(m.folds, { title: `Training curves: ${m.configuration}, all folds` })}</div>`)
  }
  if (r.findBest) {
    h.push(`<p>find_best_configuration: best <b>${e(r.findBest.best)}</b>, cross-validation Dice ${d3(r.findBest.dice)} (after postprocessing ${d3(r.findBest.diceAfterPostprocessing)}).</p>`)
  }

  h.push('<h2>Held-out test set</h2>')
  if (!r.test.length) h.push(`<p class="muted">No test predictions scored.${r.labelsTs ? '' : ' The dataset has no labelsTs.'}</p>`)
  for (const t of r.test) {
    h.push(`<h3 class="test">test: ${e(t.folder)}</h3><p class="muted">${t.state === 'evaluated' ? `scored against ${e(t.reference)}` : t.state === 'stale' ? 'predictions are newer than the evaluation: evaluate again' : 'not evaluated yet'}; ${t.predictions} prediction${t.predictions === 1 ? '' : 's'}.</p>`)
    if (t.summary) {
      h.push(`<table><thead><tr>${labels.map((l) => `<th>${e(l)}</th>`).join('')}<th>mean</th><th>cases</th></tr></thead><tbody><tr>${labels.map((l) => `<td>${d3(t.dice[l])}</td>`).join('')}<td>${d3(t.mean)}</td><td>${t.cases}</td></tr></tbody></table>`)
    }
    if (t.surface) h.push(`<p>Surface distances: ${labels.filter((l) => t.surface![l]).map((l) => `${e(l)}: ${e(surfaceSummaryText(t.surface![l]!))}`).join('; ')}.</p>`)
  }
  const testCases = r.cases.filter((c) => c.fold === 'test')
  if (testCases.length) h.push(`<div class="plots">${diceStripPlot(testCases, labels, { title: 'Dice per test case' })}</div>`)

  h.push('<h2>Cases, worst first</h2>')
  // The source name (manifest.json's case key, e.g. case01) beside nnU-Net's id, as in Results and the CSV.
  // HD95 (mm) and NSD beside Dice once measured; an empty side is written out (∞ / n/a and why).
  const surface = r.cases.some((c) => c.surface)
  if (surface) h.push('<p class="muted">HD95: 95th-percentile Hausdorff distance (mm); NSD: normalised surface Dice at the tolerance shown in each summary; both as DeepMind\'s surface-distance computes them, on each case\'s own spacing.</p>')
  h.push(`<table><thead><tr><th class="l">case</th><th class="l">source</th><th class="l">fold</th><th class="l">model</th>${labels.map((l) => `<th>Dice ${e(l)}</th><th>FP</th><th>FN</th>${surface ? '<th>HD95</th><th>NSD</th>' : ''}`).join('')}</tr></thead><tbody>`)
  for (const c of worstFirst(r.cases)) {
    h.push(`<tr><td class="l">${e(c.case)}</td><td class="l">${c.source ? e(c.source) : '—'}</td><td class="l${c.fold === 'test' ? ' test' : ''}">${c.fold}</td><td class="l">${e(c.configuration ?? c.model)}</td>${labels.map((l) => `<td>${d3(c.dice[l])}</td><td>${c.fp[l] ?? '—'}</td><td>${c.fn[l] ?? '—'}</td>${surface ? `<td>${e(surfaceText(c.surface?.[l], 'hd95'))}</td><td>${e(surfaceText(c.surface?.[l], 'nsd'))}</td>` : ''}`).join('')}</tr>`)
  }
  h.push('</tbody></table>')

  // Per model, the commands that made it (its plans, each fold's training, its postprocessing); a
  // training that failed, was stopped or still runs is marked, a SLURM task named.
  h.push('<h2>Commands run</h2>')
  if (!r.models.length) h.push('<p class="muted">No model, so no commands.</p>')
  const mark = (c: ModelCommand) => [c.via !== 'app' && c.via !== 'cli' ? c.via.replace('slurm ', 'SLURM task ') : c.via === 'cli' ? 'CLI' : '', c.state === 'done' ? '' : c.state === 'cancelled' ? 'stopped' : c.state].filter(Boolean).join(', ')
  for (const m of r.models) {
    const mine = commands[m.model] ?? []
    h.push(`<h3>${e(m.model)}</h3>`)
    if (mine.length) h.push(`<ol>${mine.map((c) => `<li${c.state === 'done' ? '' : ' class="muted"'}><code>${e(c.line)}</code>${mark(c) ? ` <span class="muted">(${e(mark(c))})</span>` : ''}</li>`).join('')}</ol>`)
    else h.push('<p class="muted">No command recorded for this model (trained elsewhere, or the job history was cleared).</p>')
  }
  h.push('</body></html>')
  return h.join('\n')
}
