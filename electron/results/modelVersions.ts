// Model versions (issue 21): each fine-tuning round is a version of a dataset's model for one
// configuration, recorded in the wizard's data folder (model-versions.json: number, parent, start,
// folds, training cases when it started), and compared from nnU-Net's own results: the mean
// cross-validation Dice per label over its finished folds, and the test Dice of a prediction folder
// it made (the wizard's nnunet_wizard_prediction.json names the model) once evaluated.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelVersion, ModelVersionRow, ModelVersionsTable } from '../../shared/api'
import type { ModelVersionsRequest, Settings } from '../../shared/schema'
import { writeFileAtomic } from '../files/writeAtomic'
import { readDatasetResults } from './crossValidation'
import { readPredictionOrigin } from './predictionOrigin'

export const MODEL_VERSIONS_FILE = 'model-versions.json'

interface VersionsFile {
  versions: ModelVersion[]
}

export async function readModelVersions(dataDir: string): Promise<ModelVersion[]> {
  try {
    const j = JSON.parse(await readFile(join(dataDir, MODEL_VERSIONS_FILE), 'utf8')) as VersionsFile
    return Array.isArray(j.versions) ? j.versions : []
  } catch {
    return []
  }
}

/** Adds (or replaces, by dataset, configuration and number) version records, atomically. */
export async function recordModelVersions(dataDir: string, add: ModelVersion[]): Promise<void> {
  const same = (a: ModelVersion, b: ModelVersion) => a.datasetId === b.datasetId && a.configuration === b.configuration && a.version === b.version
  const kept = (await readModelVersions(dataDir)).filter((v) => !add.some((a) => same(a, v)))
  await writeFileAtomic(join(dataDir, MODEL_VERSIONS_FILE), `${JSON.stringify({ versions: [...kept, ...add] }, null, 2)}\n`)
}

/** The versions of one dataset and configuration, oldest first. */
export function versionsOf(all: readonly ModelVersion[], datasetId: number, configuration?: string): ModelVersion[] {
  return all.filter((v) => v.datasetId === datasetId && (!configuration || v.configuration === configuration)).sort((a, b) => a.configuration.localeCompare(b.configuration) || a.version - b.version)
}

export async function modelVersionsTable(settings: Settings, dataDir: string, req: ModelVersionsRequest): Promise<ModelVersionsTable> {
  const versions = versionsOf(await readModelVersions(dataDir), req.datasetId, req.configuration)
  if (!versions.length) return { datasetId: req.datasetId, labels: [], versions: [] }
  const results = await readDatasetResults(settings, { datasetId: req.datasetId, ...(req.configuration && { configurations: [req.configuration] }), ...(req.testPredictions && { testPredictions: req.testPredictions }) })
  const labels = results.labels.map((l) => l.name)
  const origins = await Promise.all(results.test.map(async (t) => ({ t, origin: await readPredictionOrigin(t.folder) })))
  const rows: ModelVersionRow[] = versions.map((v) => {
    const model = results.models.find((m) => m.trainer === v.trainer && m.plans === v.plans && m.configuration === v.configuration)
    const finished = model?.folds.filter((f) => f.state === 'finished' && v.folds.some((x) => String(x) === String(f.fold))) ?? []
    // Over the version's own folds only: another fold trained later under the same trainer is not this round.
    const mean = (pick: (f: (typeof finished)[number]) => number | null) => {
      const xs = finished.map(pick).filter((x): x is number => x !== null && Number.isFinite(x))
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null
    }
    const cvDice = Object.fromEntries(labels.map((l) => [l, mean((f) => f.dice[l] ?? null)]))
    const test = origins.find(({ t, origin }) => t.state !== 'not-evaluated' && origin?.model.trainer === v.trainer && origin.model.configuration === v.configuration && origin.model.plans === v.plans)?.t
    return {
      ...v,
      folder: model?.folder ?? `${v.trainer}__${v.plans}__${v.configuration}`,
      cvDice,
      cvMean: mean((f) => f.mean),
      finishedFolds: finished.length,
      ...(test && { test: { folder: test.folder, dice: test.dice, mean: test.mean } }),
    }
  })
  return { datasetId: req.datasetId, labels, versions: rows }
}
