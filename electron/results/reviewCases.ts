// A prediction folder as a review list (issue 21): every predicted case with its label volumes and
// uncertainty score, most unsure first. Reads only: nnU-Net's CASE.nii.gz / CASE.npz, the
// dataset.json nnU-Net copies into the folder, and the wizard's own record of the model that
// predicted it (nnunet_wizard_prediction.json, written by predictionOrigin.ts after a prediction).
import { readdir, readFile, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { ModelOrigin, ReviewCase, ReviewList } from '../../shared/api'
import type { ReviewCasesRequest, Settings } from '../../shared/schema'
import { rankByUncertainty } from '../../shared/reviewRank'
import { taskModule, volumePool } from '../imaging/workerPool'
import { datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { DomainError } from '../domainError'
import { PREDICTION_ORIGIN_FILE, readPredictionOrigin } from './predictionOrigin'
import type * as ReviewTask from './reviewTask'
import type { ScoreCaseResult, ScoreCaseTask } from './reviewTask'

const reviewTask = taskModule<typeof ReviewTask>('reviewTask', import.meta.url)

export const RANK_RULE =
  'Mean entropy of the predicted probabilities over the predicted structures and a one-voxel border around them, scaled to 0..1 (1: the model cannot choose). With several folds nnU-Net saves their mean, so their disagreement raises it too. A case with nothing predicted is put first.'

interface FolderDatasetJson {
  labels: { name: string; value: number }[]
  regions: boolean
  fileEnding: string
}

/** dataset.json's labels as value -> name (a region's value is the one regions_class_order writes for it). */
export function labelsOfDatasetJson(json: unknown): FolderDatasetJson | undefined {
  if (!json || typeof json !== 'object') return undefined
  const j = json as { labels?: Record<string, unknown>; regions_class_order?: number[]; file_ending?: string }
  if (!j.labels || typeof j.labels !== 'object') return undefined
  const entries = Object.entries(j.labels).map(([key, raw]) => (typeof raw === 'string' ? ([raw, Number(key)] as const) : ([key, raw] as const))) // v2: name -> value; MSD / v1: value -> name
  // Region-based (some label is a list of values): every foreground label is a region, and the
  // prediction holds, for the k-th, the value regions_class_order[k].
  const regions = entries.some(([, v]) => Array.isArray(v))
  const foreground = entries.filter(([name, v]) => v !== 0 && name !== 'background' && name !== 'ignore')
  const out = regions
    ? foreground.flatMap(([name], k) => (j.regions_class_order?.[k] !== undefined ? [{ name, value: j.regions_class_order[k]! }] : []))
    : foreground.filter(([, v]) => typeof v === 'number').map(([name, v]) => ({ name, value: v as number }))
  return { labels: out, regions, fileEnding: j.file_ending ?? '.nii.gz' }
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}

/** The scan's channel files of a case in the folder that was predicted (CASE_0000.nii.gz, ...). */
async function channelFiles(images: string | undefined, caseId: string, ending: string): Promise<string[]> {
  if (!images) return []
  const names = await readdir(images).catch(() => [] as string[])
  const re = new RegExp(`^${caseId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d{4}${ending.replace(/\./g, '\\.')}$`)
  return names.filter((n) => re.test(n)).sort().map((n) => join(images, n))
}

/**
 * Scores already computed in this process, by the files' size and modification time: listing a
 * folder again (after saving a correction, adding a case) does not inflate every probability file
 * again. A changed file has another key.
 */
const SCORES = new Map<string, ScoreCaseResult>()
const MAX_SCORES = 2000

async function scoreKey(task: ScoreCaseTask): Promise<string> {
  const print = async (f?: string) => (f ? await stat(f).then((st) => `${f}:${st.size}:${st.mtimeMs}`, () => `${f}:?`) : '-')
  return JSON.stringify([await print(task.prediction), await print(task.probabilities), task.labels, task.regions])
}

function remember(key: string, r: ScoreCaseResult): void {
  SCORES.delete(key)
  SCORES.set(key, r)
  if (SCORES.size > MAX_SCORES) SCORES.delete(SCORES.keys().next().value!)
}

export async function reviewCases(settings: Settings, req: ReviewCasesRequest): Promise<ReviewList> {
  const folder = req.folder
  const names = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
    throw new DomainError(`The prediction folder ${folder} cannot be read (${err.code ?? err.message}). Choose the folder nnU-Net predicted into.`, 'review-folder', 'not-found')
  })
  const origin = await readPredictionOrigin(folder)
  let ds = existsSync(join(folder, 'dataset.json')) ? labelsOfDatasetJson(await readJson(join(folder, 'dataset.json')).catch(() => undefined)) : undefined
  const datasetId = req.datasetId ?? origin?.model.datasetId
  if (!ds && datasetId && settings.folders) {
    const dataset = await datasetFolderName(settings, datasetId)
    if (dataset) ds = { labels: await datasetLabels(settings, dataset), regions: false, fileEnding: '.nii.gz' }
  }
  const ending = ds?.fileEnding ?? '.nii.gz'
  const cases = names.filter((n) => n.endsWith(ending) && !n.startsWith('.')).map((n) => n.slice(0, -ending.length)).sort()
  if (!cases.length) throw new DomainError(`${folder} holds no predictions (${ending} files). Choose the folder nnU-Net predicted into.`, 'review-empty', 'not-found')
  const images = req.images ?? origin?.input
  const pool = volumePool()
  const listed = await Promise.all(
    cases.map(async (c): Promise<Omit<ReviewCase, 'rank'>> => {
      const prediction = join(folder, c + ending)
      const npz = names.includes(`${c}.npz`) ? join(folder, `${c}.npz`) : undefined
      const base = { case: c, prediction, ...(npz && { probabilities: npz }), images: await channelFiles(images, c, ending) }
      try {
        const task = { prediction, ...(npz && { probabilities: npz }), labels: ds?.labels ?? [], regions: ds?.regions ?? false }
        const key = await scoreKey(task)
        const r = SCORES.get(key) ?? (await pool.run(reviewTask, 'scoreCase', task))
        remember(key, r)
        return { ...base, ...r }
      } catch (err) {
        return { ...base, score: null, scoredVoxels: 0, volumes: [], problem: (err as Error).message }
      }
    }),
  )
  const ranked = rankByUncertainty(listed)
  const scored = ranked.some((c) => c.score !== null)
  return {
    folder,
    cases: ranked,
    rule: RANK_RULE,
    ...(origin && { model: origin.model }),
    ...(!scored && { hint: `No case has probabilities (CASE.npz) in ${folder}: predict again with "save probabilities" (nnU-Net --save_probabilities) to rank the cases by how unsure the model is.` }),
  }
}

export { PREDICTION_ORIGIN_FILE }
export type { ModelOrigin }
