// HD95 and NSD beside nnU-Net's Dice: a job measures every scored case (validation folds and
// evaluated test folders) that has no figures yet, one case per task in the volume worker pool,
// and keeps them in the app's data folder, never in nnU-Net's folders (results are read-only).
// A case's figures count only while its reference and prediction files are unchanged (size and
// modification time) and were measured at the tolerances asked for; results() then shows them.
import { readFile, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { CaseResult, DatasetResults, SurfaceFigures, SurfaceMetricsResult, SurfaceSummary } from '../../shared/api'
import type { Settings, SurfaceMetricsRequest } from '../../shared/schema'
import { writeFileAtomic } from '../files/writeAtomic'
import type { JobContext } from '../jobs/jobManager'
import { readDatasetResults, spread } from './crossValidation'
import { datasetLabels } from '../nnunet/pipeline'
import type { DatasetLabel } from '../nnunet/summaries'
import type { SurfaceCaseResult, SurfaceTask } from './surfaceTask'

/** nnU-Net's Dice has no tolerance; NSD does. 1 mm unless the user says otherwise per label. */
export const DEFAULT_TOLERANCE_MM = 1

interface CachedCase {
  reference: string
  prediction: string
  /** "size:mtimeMs" of each file when measured. */
  referenceStamp: string
  predictionStamp: string
  figures: Record<string, SurfaceFigures>
  spacing: number[]
}

interface SurfaceCache {
  version: 1
  dataset: string
  cases: Record<string, CachedCase>
}

/** Runs one case's measurement off the main thread (the worker pool). */
export type MeasureCase = (task: SurfaceTask, signal: AbortSignal) => Promise<SurfaceCaseResult>

export function surfaceCacheFile(dataDir: string, dataset: string): string {
  return join(dataDir, 'surface-metrics', `${dataset}.json`)
}

const keyOf = (c: { reference: string; prediction: string }) => `${c.reference}\n${c.prediction}`

async function stampOf(file: string): Promise<string | null> {
  return stat(file).then((s) => `${s.size}:${s.mtimeMs}`, () => null)
}

export async function readSurfaceCache(dataDir: string, dataset: string): Promise<SurfaceCache> {
  try {
    const j = JSON.parse(await readFile(surfaceCacheFile(dataDir, dataset), 'utf8')) as SurfaceCache
    if (j.version === 1 && j.cases && typeof j.cases === 'object') return j
  } catch {
    // none yet, or unreadable: measured again
  }
  return { version: 1, dataset, cases: {} }
}

/** The cached figures of a case when its files are unchanged since they were measured. */
async function freshFigures(cache: SurfaceCache, c: CaseResult): Promise<CachedCase | null> {
  const hit = cache.cases[keyOf(c)]
  if (!hit) return null
  const [r, p] = await Promise.all([stampOf(c.reference), stampOf(c.prediction)])
  return r === hit.referenceStamp && p === hit.predictionStamp ? hit : null
}

/** HD95 / NSD per label over some cases: the spread where they are numbers, and how many were infinite or undefined. */
export function summariseSurface(cases: readonly CaseResult[], labels: readonly string[]): Record<string, SurfaceSummary> | undefined {
  const measured = cases.filter((c) => c.surface)
  if (!measured.length) return undefined
  const out: Record<string, SurfaceSummary> = {}
  for (const l of labels) {
    const f = measured.flatMap((c) => (c.surface![l] ? [c.surface![l]!] : []))
    if (!f.length) continue
    out[l] = {
      hd95: spread(f.map((x) => x.hd95)),
      nsd: spread(f.map((x) => x.nsd)),
      tolerance: f[0]!.tolerance,
      cases: f.length,
      infinite: f.filter((x) => x.empty && x.empty !== 'both-empty').length,
      undefined: f.filter((x) => x.empty === 'both-empty').length,
    }
  }
  return out
}

/** Puts the measured figures on the results' cases, and their summaries on each model and test folder. */
export async function attachSurface(results: DatasetResults, dataDir: string): Promise<DatasetResults> {
  const cache = await readSurfaceCache(dataDir, results.dataset)
  if (!Object.keys(cache.cases).length) return results
  for (const c of results.cases) {
    const hit = await freshFigures(cache, c)
    if (hit) c.surface = hit.figures
  }
  const names = results.labels.map((l) => l.name)
  for (const m of results.models) {
    const s = summariseSurface(results.cases.filter((c) => c.fold !== 'test' && c.model === m.model), names)
    if (s) m.surface = s
  }
  for (const t of results.test) {
    const s = summariseSurface(results.cases.filter((c) => c.fold === 'test' && resolve(dirname(c.prediction)) === resolve(t.folder)), names)
    if (s) t.surface = s
  }
  return results
}

/**
 * The job: every scored case of the request's results that lacks fresh figures at the asked
 * tolerances is measured in the pool (as many at once as it has workers), and the cache is
 * written once at the end (and every 20 cases, so a cancelled run keeps what it measured).
 */
export async function runSurfaceMetrics(req: SurfaceMetricsRequest, settings: Settings, ctx: JobContext, dataDir: string, measure: MeasureCase): Promise<SurfaceMetricsResult> {
  const results = await readDatasetResults(settings, req)
  // datasetLabels reads dataset.json with labelsOfDatasetJson, so a region keeps its values.
  const labels = (await datasetLabels(settings, results.dataset)) as DatasetLabel[]
  if (!labels.length) throw new Error(`The dataset.json of ${results.dataset} names no labels, so there is nothing to measure.`)
  const unknown = Object.keys(req.tolerances ?? {}).filter((n) => !labels.some((l) => l.name === n))
  if (unknown.length) throw new Error(`No label named ${unknown.join(', ')} in ${results.dataset} (its labels: ${labels.map((l) => l.name).join(', ')}).`)
  const tolerance = (name: string) => req.tolerances?.[name] ?? req.tolerance ?? DEFAULT_TOLERANCE_MM
  const taskLabels = labels.map((l) => ({ name: l.name, values: l.region ?? [l.value], tolerance: tolerance(l.name) }))
  const file = surfaceCacheFile(dataDir, results.dataset)
  const cache = await readSurfaceCache(dataDir, results.dataset)
  const unique = [...new Map(results.cases.map((c) => [keyOf(c), c])).values()]
  if (!unique.length) throw new Error(`No scored case yet in ${results.dataset}: surface distances are measured on the cases nnU-Net scored (a fold's validation, or test predictions scored against labelsTs).`)
  const todo: CaseResult[] = []
  let reused = 0
  for (const c of unique) {
    const hit = await freshFigures(cache, c)
    const sameTolerances = hit && taskLabels.every((l) => hit.figures[l.name]?.tolerance === l.tolerance)
    if (sameTolerances) reused++
    else todo.push(c)
  }
  ctx.log(`${unique.length} scored case${unique.length === 1 ? '' : 's'}: ${reused} already measured, ${todo.length} to measure (NSD tolerance ${taskLabels.map((l) => `${l.name} ${l.tolerance} mm`).join(', ')}).`, 'info')
  const failed: SurfaceMetricsResult['failed'] = []
  let done = 0
  let sinceWrite = 0
  const save = () => writeFileAtomic(file, JSON.stringify(cache))
  ctx.progress({ done, total: todo.length, unit: 'case', message: 'measuring surface distances' })
  await Promise.all(
    todo.map(async (c) => {
      const [referenceStamp, predictionStamp] = await Promise.all([stampOf(c.reference), stampOf(c.prediction)])
      try {
        if (!referenceStamp || !predictionStamp) throw new Error(`${!referenceStamp ? c.reference : c.prediction} does not exist (any more).`)
        const r = await measure({ reference: c.reference, prediction: c.prediction, labels: taskLabels }, ctx.signal)
        cache.cases[keyOf(c)] = { reference: c.reference, prediction: c.prediction, referenceStamp, predictionStamp, figures: r.figures, spacing: r.spacing }
        const said = taskLabels.map((l) => {
          const f = r.figures[l.name]!
          return f.empty ? `${l.name} ${f.empty}` : `${l.name} HD95 ${f.hd95!.toFixed(2)} mm NSD ${f.nsd!.toFixed(3)}`
        })
        ctx.log(`${c.case} (${c.fold === 'test' ? 'test' : `fold ${c.fold}`}): ${said.join(', ')}`, 'info')
      } catch (err) {
        if (ctx.signal.aborted) throw err
        failed.push({ case: c.case, error: (err as Error).message })
        ctx.log(`${c.case}: not measured: ${(err as Error).message}`, 'info')
      }
      done++
      ctx.progress({ done, total: todo.length, unit: 'case', message: c.case })
      if (++sinceWrite >= 20) {
        sinceWrite = 0
        await save()
      }
    }),
  ).finally(save)
  if (failed.length && failed.length === todo.length) throw new Error(`No case could be measured: ${failed[0]!.case}: ${failed[0]!.error}`)
  return { measured: todo.length - failed.length, reused, failed, file }
}
