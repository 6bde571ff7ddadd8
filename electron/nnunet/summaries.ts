// nnU-Net's own result files, read for the cards the app shows: the final validation Dice per
// label of a training fold, and the plans (spacing, patch and batch size, normalisation) of a
// planned dataset. Read-only; a missing or unreadable file is "not known", never an error that
// stops a run that has already ended well.
import { readFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { LabelDice, PlanConfigSummary, PlansSummary, ValidationSummary } from '../../shared/api'
import type { NnunetVersion } from '../../shared/schema'

/**
 * nnU-Net writes its JSON with Python's json.dump, which spells a missing Dice as the bare token
 * NaN (a label absent from both reference and prediction). JSON.parse refuses that; null keeps it.
 */
export function parsePythonJson(text: string): unknown {
  return JSON.parse(text.replace(/(?<=[:[,]\s*)-?(NaN|Infinity)(?=\s*[,\]}])/g, 'null'))
}

async function readJson(file: string): Promise<unknown> {
  return parsePythonJson(await readFile(file, 'utf8'))
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** A label of a dataset.json; a region (region-based training) also has the values it unites. */
export interface DatasetLabel {
  name: string
  /** The value in label maps and predictions: for a region, the value nnU-Net writes it back as (regions_class_order). */
  value: number
  region?: number[]
}

/**
 * Labels by value from a dataset.json (v2 name -> value or region, MSD/v1 value -> name), the
 * background and the ignore label left out. A region ("liver": [1, 2]) is the foreground entry at
 * the same place in regions_class_order, which says the value its voxels are written back as.
 */
export function labelsOfDatasetJson(json: unknown): DatasetLabel[] {
  const j = json as { labels?: unknown; regions_class_order?: unknown } | null
  const labels = j?.labels
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) return []
  const order = Array.isArray(j!.regions_class_order) ? (j!.regions_class_order as unknown[]) : null
  const out: DatasetLabel[] = []
  let foreground = 0
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    if (v === 0 || k === 'ignore') continue
    const at = foreground++
    if (typeof v === 'number' && Number.isInteger(v)) out.push({ name: k, value: v })
    else if (typeof v === 'string' && /^\d+$/.test(k)) out.push({ name: v, value: Number(k) })
    else if (Array.isArray(v) && v.length && v.every((x) => Number.isInteger(x)) && Number.isInteger(order?.[at])) out.push({ name: k, value: order![at] as number, region: v as number[] })
  }
  return out.filter((l) => l.value > 0).sort((a, b) => a.value - b.value)
}

/**
 * The name of a summary.json key: "1" -> liver; a region key as Python prints its tuple, "(1, 2)"
 * or "(3,)", -> the region's name; else "label 3" or "region (4, 5)".
 */
export function labelName(key: string, labels: readonly DatasetLabel[]): string {
  const tuple = (r: number[]) => `(${r.join(', ')}${r.length === 1 ? ',' : ''})`
  return labels.find((l) => (l.region && tuple(l.region) === key) || (!l.region && String(l.value) === key))?.name ?? (/^\d+$/.test(key) ? `label ${key}` : `region ${key}`)
}

export async function readDatasetLabels(file: string): Promise<DatasetLabel[] | undefined> {
  try {
    const labels = labelsOfDatasetJson(await readJson(file))
    return labels.length ? labels : undefined
  } catch {
    return undefined
  }
}

/**
 * The per-label mean Dice of a summary.json. v2: { mean: { "1": { Dice }, ... }, foreground_mean:
 * { Dice }, metric_per_case: [...] }; v1: { results: { mean: { "0": ..., "1": { Dice } }, all: [...] } }
 * (v1 also scores the background, which is left out).
 */
export function validationOf(json: unknown, labels: readonly DatasetLabel[], file: string): ValidationSummary {
  const j = json as { mean?: unknown; foreground_mean?: { Dice?: unknown }; metric_per_case?: unknown[]; results?: { mean?: unknown; all?: unknown[] } } | null
  const mean = (j?.mean ?? j?.results?.mean) as Record<string, { Dice?: unknown }> | undefined
  if (!mean || typeof mean !== 'object') throw new Error(`${file} has no per-label "mean" table: it is not an nnU-Net validation summary.`)
  const rank = (name: string) => {
    const i = labels.findIndex((l) => l.name === name)
    return i < 0 ? labels.length : i
  }
  const entries: LabelDice[] = Object.entries(mean)
    .filter(([key]) => key !== '0')
    .map(([key, m]) => ({ key, name: labelName(key, labels), dice: num(m?.Dice) }))
    // In the dataset's label order: JSON objects put "2" before "(1, 2)" whatever the file says.
    .sort((a, b) => rank(a.name) - rank(b.name))
  const known = entries.flatMap((e) => (e.dice === null ? [] : [e.dice]))
  const fg = j?.foreground_mean ? num(j.foreground_mean.Dice) : known.length ? known.reduce((a, b) => a + b, 0) / known.length : null
  const cases = (j?.metric_per_case ?? j?.results?.all ?? []).length
  return { file, labels: entries, mean: fg, cases }
}

/** The summary.json of a training fold's final validation. */
export function validationSummaryFile(foldDir: string, version: NnunetVersion): string {
  return join(foldDir, version === 'v2' ? 'validation' : 'validation_raw', 'summary.json')
}

export async function readValidationSummary(foldDir: string, version: NnunetVersion, labels: readonly DatasetLabel[]): Promise<ValidationSummary | undefined> {
  const file = validationSummaryFile(foldDir, version)
  try {
    return validationOf(await readJson(file), labels, file)
  } catch {
    return undefined // no validation ran (fold "all", --disable_checkpointing) or it was cut short
  }
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [])

/**
 * The configurations of a v2 plans file. A configuration may inherit from another
 * ("inherits_from": 3d_cascade_fullres takes 3d_fullres and overrides a few keys).
 */
export function plansOf(json: unknown, file: string): PlansSummary {
  const j = json as { plans_name?: unknown; configurations?: Record<string, Record<string, unknown>> } | null
  const configs = j?.configurations
  if (!configs || typeof configs !== 'object') throw new Error(`${file} has no "configurations": it is not an nnU-Net v2 plans file.`)
  const resolved = (name: string, seen = new Set<string>()): Record<string, unknown> => {
    const c = configs[name] ?? {}
    const parent = typeof c.inherits_from === 'string' && !seen.has(name) ? resolved(c.inherits_from, seen.add(name)) : {}
    return { ...parent, ...c }
  }
  const configurations: PlanConfigSummary[] = Object.keys(configs).map((name) => {
    const c = resolved(name)
    return {
      name,
      spacing: numbers(c.spacing),
      patchSize: numbers(c.patch_size),
      batchSize: typeof c.batch_size === 'number' ? c.batch_size : 0,
      normalization: Array.isArray(c.normalization_schemes) ? c.normalization_schemes.map(String) : [],
      ...(Array.isArray(c.median_image_size_in_voxels) && { medianImageSize: numbers(c.median_image_size_in_voxels) }),
      ...(typeof configs[name]!.previous_stage === 'string' && { previousStage: configs[name]!.previous_stage as string }),
    }
  })
  return { file, plans: typeof j?.plans_name === 'string' ? j.plans_name : 'nnUNetPlans', configurations }
}

/**
 * v2 only: v1 keeps its plans in a Python pickle, which the app does not unpickle. Each
 * configuration says whether its preprocessed data exists (planning writes every configuration
 * into the plans, preprocessing only the ones asked for).
 */
export async function readPlansSummary(file: string): Promise<PlansSummary | undefined> {
  let json: unknown
  let plans: PlansSummary
  try {
    json = await readJson(file)
    plans = plansOf(json, file)
  } catch {
    return undefined
  }
  const ids = dataIdentifiers(json)
  for (const c of plans.configurations) {
    const id = ids[c.name]
    c.preprocessed = id !== undefined && (await stat(join(dirname(file), id)).then((s) => s.isDirectory(), () => false))
  }
  return plans
}

/** Each configuration's data_identifier (the preprocessed folder's name), inherited like the rest. */
function dataIdentifiers(json: unknown): Record<string, string | undefined> {
  const configs = (json as { configurations: Record<string, { data_identifier?: unknown; inherits_from?: unknown }> }).configurations
  const of = (name: string, depth = 0): string | undefined => {
    const c = configs[name]
    if (!c) return undefined
    if (typeof c.data_identifier === 'string') return c.data_identifier
    return typeof c.inherits_from === 'string' && depth < 10 ? of(c.inherits_from, depth + 1) : undefined
  }
  return Object.fromEntries(Object.keys(configs).map((n) => [n, of(n)]))
}
