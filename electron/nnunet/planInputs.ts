// The fingerprints a plan read (shared/runInputs.ts), recorded beside nnU-Net's preprocessed data
// when a plan finishes, and compared with the raw dataset as it is now: Train refuses preprocessed
// data older than the dataset, and the Plan step loses its tick with the reason. A plan made
// elsewhere (no record) is compared through nnU-Net's own copy of dataset.json in preprocessed/.
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { inputsChanged, MODEL_INPUTS_FILE, olderDataset, PLAN_INPUTS_FILE, type DatasetInputs, type FoldInputs, type OlderDataset, type PlanInputsRecord } from '../../shared/runInputs'
import type { Settings } from '../../shared/schema'
import { readManifest } from '../dataset/manifest'
import { writeFileAtomic } from '../files/writeAtomic'

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

/** The raw dataset folder nnU-Net plans from (v2 raw/DatasetX, v1 raw/nnUNet_raw_data/TaskX). */
export function rawDatasetDir(settings: Settings, dataset: string): string {
  const f = settings.folders!
  return settings.nnunetVersion === 'v2' ? join(f.raw, dataset) : join(f.raw, 'nnUNet_raw_data', dataset)
}

async function caseFiles(dir: string): Promise<{ name: string; size: number }[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort()
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(dir, name)).catch(() => ({ size: -1 }))).size })))
}

/** The raw dataset's fingerprints now; undefined when it has no dataset.json. */
export async function readDatasetInputs(rawDir: string): Promise<DatasetInputs | undefined> {
  const json = await readFile(join(rawDir, 'dataset.json')).catch(() => null)
  if (!json) return undefined
  let numTraining: number | undefined
  try {
    const n = (JSON.parse(json.toString('utf8')) as { numTraining?: unknown }).numTraining
    if (typeof n === 'number') numTraining = n
  } catch {
    /* nnU-Net says what is wrong with it; the hash still changes */
  }
  const images = await caseFiles(join(rawDir, 'imagesTr'))
  const test = await caseFiles(join(rawDir, 'imagesTs'))
  const labels = await caseFiles(join(rawDir, 'labelsTr'))
  const m = await readManifest(rawDir).catch(() => null)
  const manifest = m && 'manifest' in m ? m.manifest : undefined
  // The manifest knows what each case was made from (source hashes): a case rewritten from other
  // masks differs even at the same size. Without one, names and sizes are what there is.
  const cases = manifest
    ? Object.values(manifest.cases)
        .map((c) => `${c.caseId}|${c.split}|${c.sources.map((s) => s.sha256).join(',')}|${c.imageBytes}|${c.labelBytes}`)
        .sort()
        .join('\n')
    : [...images.map((f) => `Tr/${f.name}|${f.size}`), ...labels.map((f) => `L/${f.name}|${f.size}`), ...test.map((f) => `Ts/${f.name}|${f.size}`)].join('\n')
  const channels = (list: { name: string }[]) => new Set(list.map((f) => f.name.replace(/_\d{4}\.[^_]+$/, ''))).size
  return {
    datasetJson: sha256(json),
    ...(numTraining !== undefined && { numTraining }),
    trainingCases: labels.length || channels(images),
    testCases: channels(test),
    cases: sha256(cases),
    casesFrom: manifest ? 'manifest' : 'files',
  }
}

/** Records what a finished plan read (beside its preprocessed data). */
export async function recordPlanInputs(settings: Settings, dataset: string): Promise<void> {
  const inputs = await readDatasetInputs(rawDatasetDir(settings, dataset))
  if (!inputs) return
  const record: PlanInputsRecord = { dataset: inputs, plannedAt: new Date().toISOString() }
  await writeFileAtomic(join(settings.folders!.preprocessed, dataset, PLAN_INPUTS_FILE), `${JSON.stringify(record, null, 2)}\n`)
}

/**
 * Why the dataset's preprocessed data is older than the raw dataset, or undefined when it is
 * current (or nothing was planned, or there is no raw dataset to compare with).
 */
export async function stalePlanReason(settings: Settings, dataset: string): Promise<string | undefined> {
  if (!settings.folders) return undefined
  const pre = join(settings.folders.preprocessed, dataset)
  const now = await readDatasetInputs(rawDatasetDir(settings, dataset))
  if (!now) return undefined
  const recorded = await readFile(join(pre, PLAN_INPUTS_FILE), 'utf8').then((t) => JSON.parse(t) as PlanInputsRecord, () => undefined)
  if (recorded?.dataset) return inputsChanged(recorded.dataset, now)
  // Planned without the wizard's record: nnU-Net copied dataset.json into preprocessed/ when it planned.
  const copy = await readFile(join(pre, 'dataset.json')).catch(() => null)
  if (!copy) return undefined
  if (sha256(copy) === now.datasetJson) return undefined
  try {
    const then = (JSON.parse(copy.toString('utf8')) as { numTraining?: number }).numTraining
    if (then !== undefined && now.numTraining !== undefined && then !== now.numTraining) return `the dataset changed since it was planned: numTraining ${now.numTraining} in dataset.json (planned with ${then})`
  } catch {
    /* a damaged copy: said as a change below */
  }
  return 'the dataset changed since it was planned: its dataset.json differs from the copy nnU-Net made when it planned'
}

/**
 * Copies the plan's record of the dataset (what the preprocessed data was made from) into a
 * training's fold folder as it starts: what this fold is trained on. Without a record (planned
 * elsewhere) nothing is written; nnU-Net's own copy of dataset.json in the model folder is read then.
 */
export async function recordTrainInputs(preprocessedDir: string, foldFolder: string): Promise<void> {
  const record = await readFile(join(preprocessedDir, PLAN_INPUTS_FILE), 'utf8').then((t) => JSON.parse(t) as PlanInputsRecord, () => undefined)
  if (!record?.dataset) return
  await mkdir(foldFolder, { recursive: true })
  await writeFileAtomic(join(foldFolder, MODEL_INPUTS_FILE), `${JSON.stringify({ ...record, trainedFrom: preprocessedDir, recordedAt: new Date().toISOString() }, null, 2)}\n`)
}

/** Whether a model's folds were trained on an older version of the dataset than `now` (shared/runInputs.ts olderDataset). */
export async function modelOlderDataset(modelFolder: string, folds: readonly string[], now: DatasetInputs): Promise<OlderDataset | undefined> {
  const copy = await readFile(join(modelFolder, 'dataset.json'), 'utf8').then((t) => (JSON.parse(t) as { numTraining?: unknown }).numTraining, () => undefined)
  const read: FoldInputs[] = []
  for (const fold of folds) {
    const record = await readFile(join(modelFolder, `fold_${fold}`, MODEL_INPUTS_FILE), 'utf8').then((t) => JSON.parse(t) as PlanInputsRecord, () => undefined)
    read.push({ fold, ...(record?.dataset && { inputs: record.dataset }), ...(typeof copy === 'number' && { numTrainingCopy: copy }) })
  }
  return olderDataset(read, now)
}
