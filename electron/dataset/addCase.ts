// "Add to the dataset" (issue 21): an accepted case (scan + corrected label) joins a raw nnU-Net
// v2 dataset as a new training case. Every check runs before the first write (the label on the
// scan's grid, its values within dataset.json's labels, the files' ending, the case id free);
// then, under the dataset's lock, each file is written atomically: imagesTr/ID_0000.., labelsTr/ID,
// dataset.json's numTraining, the cross-validation folds (passed in: they live in preprocessed/),
// and the case's origin in manifest.json ("added", by case id). A failure before the folds takes
// the case back out. Sources are only read; nothing is written into the folders they came from.
import { readdir, readFile, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { AddedCaseRecord, AddToDatasetResult, LabelChange, ModelOrigin } from '../../shared/api'
import type { AddToDatasetRequest } from '../../shared/schema'
import { caseIdFor, channelFileName } from '../../shared/layout'
import { DomainError } from '../domainError'
import { realPathOf } from '../files/pathInside'
import { writeFileAtomic } from '../files/writeAtomic'
import { taskModule, volumePool } from '../imaging/workerPool'
import { lockDataset } from './lock'
import { MANIFEST_FILE, readManifest, writeManifest, type Manifest } from './manifest'
import type * as AddCaseTask from './addCaseTask'

const addCaseTask = taskModule<typeof AddCaseTask>('addCaseTask', import.meta.url)

/** Where a dataset without a wizard manifest (made by hand or by nnU-Net's converters) records its added cases. */
export const ADDED_CASES_FILE = 'nnunet_wizard_added.json'

interface DatasetJsonView {
  raw: Record<string, unknown>
  channels: number
  ending: string
  /** Label values a label map may hold (0 included; a region's member values). */
  allowed: number[]
  names: Map<number, string>
}

function readDatasetJsonView(raw: Record<string, unknown>, file: string): DatasetJsonView {
  const channels = Object.keys((raw.channel_names ?? raw.modality ?? {}) as object).length
  const labels = raw.labels as Record<string, unknown> | undefined
  if (!labels || typeof labels !== 'object' || !channels) throw new DomainError(`${file} has no labels or channel_names: it is not an nnU-Net v2 dataset.json.`, 'add-dataset-json', 'invalid')
  const allowed = new Set<number>([0])
  const names = new Map<number, string>()
  for (const [name, v] of Object.entries(labels)) {
    if (typeof v === 'number') {
      allowed.add(v)
      if (v !== 0) names.set(v, name)
    } else if (Array.isArray(v)) for (const x of v) if (typeof x === 'number') allowed.add(x)
  }
  return { raw, channels, ending: typeof raw.file_ending === 'string' ? raw.file_ending : '.nii.gz', allowed: [...allowed], names }
}

/** Case ids of labelsTr, and the next free one in the dataset's own naming (prefix_NNN). */
export function nextCaseId(existing: readonly string[]): string | undefined {
  let prefix: string | undefined
  let max = 0
  let digits = 3
  for (const id of existing) {
    const m = /^(.*)_(\d+)$/.exec(id)
    if (!m) continue
    // The prefix most cases share; the first seen on a tie (ids are sorted).
    prefix ??= m[1]
    if (m[1] !== prefix) continue
    max = Math.max(max, Number(m[2]))
    digits = Math.max(digits, m[2]!.length)
  }
  return prefix === undefined ? undefined : caseIdFor(prefix, max + 1, digits)
}

export interface AddCaseOptions {
  /** The raw dataset folder (nnUNet_raw/DatasetXXX_Name). */
  datasetDir: string
  /** Dataset key for the lock (Dataset011). */
  lockKey: string
  /** Puts the new case into the cross-validation folds (preprocessed/); called under the lock, after the files are written. */
  assignFold: (caseId: string) => Promise<{ file?: string; fold?: number; note?: string }>
  origin?: ModelOrigin
}

export async function addCaseToDataset(req: AddToDatasetRequest, opts: AddCaseOptions): Promise<AddToDatasetResult> {
  const { datasetDir } = opts
  const jsonFile = join(datasetDir, 'dataset.json')
  const jsonText = await readFile(jsonFile, 'utf8').catch(() => {
    throw new DomainError(`${jsonFile} does not exist: write the dataset first (Prepare), then add cases to it.`, 'add-no-dataset', 'not-found')
  })
  const ds = readDatasetJsonView(JSON.parse(jsonText) as Record<string, unknown>, jsonFile)
  const images = (Array.isArray(req.image) ? req.image : [req.image]).map((p) => resolve(p))
  const label = resolve(req.label)
  const prediction = req.prediction ? resolve(req.prediction) : undefined
  if (images.length !== ds.channels) {
    throw new DomainError(`Dataset ${basename(datasetDir)} has ${ds.channels} channel${ds.channels === 1 ? '' : 's'} per case (dataset.json channel_names); ${images.length} scan file${images.length === 1 ? ' was' : 's were'} given. Give one file per channel, in the dataset's channel order.`, 'add-channels')
  }
  for (const f of [...images, label, ...(prediction ? [prediction] : [])]) {
    if (!existsSync(f)) throw new DomainError(`${f} does not exist.`, 'add-missing-file', 'not-found')
  }
  for (const f of [...images, label]) {
    if (!f.toLowerCase().endsWith(ds.ending.toLowerCase())) throw new DomainError(`${f} is not a ${ds.ending} file, the dataset's file_ending: save it as ${ds.ending} (the editor does) and add it again.`, 'add-file-ending')
  }
  const imagesTr = join(datasetDir, 'imagesTr')
  const labelsTr = join(datasetDir, 'labelsTr')
  // Writing a new file into a folder a source file sits in would write into a source folder.
  for (const f of [...images, label]) {
    const dir = await realPathOf(dirname(f))
    for (const target of [imagesTr, labelsTr]) {
      if (existsSync(target) && dir === (await realPathOf(target))) throw new DomainError(`${f} is inside the dataset's ${basename(target)}: a case is added from files outside the dataset (e.g. the prediction's corrected/ copy and the predicted scan).`, 'add-source-in-dataset')
    }
  }
  const labelNames = (await readdir(labelsTr).catch(() => [] as string[])).filter((n) => n.endsWith(ds.ending) && !n.startsWith('.'))
  const existing = labelNames.map((n) => n.slice(0, -ds.ending.length)).sort()
  const caseId = req.caseId ?? nextCaseId(existing)
  if (!caseId) throw new DomainError(`The case ids in ${labelsTr} follow no PREFIX_NUMBER pattern: name the new case (--case-id).`, 'add-case-id')
  if (existing.includes(caseId) || existsSync(join(imagesTr, channelFileName(caseId, ds.ending)))) throw new DomainError(`The case ${caseId} is already in ${basename(datasetDir)}: choose another case id.`, 'add-case-exists', 'conflict')
  const manifestRead = await readManifest(datasetDir)
  if (manifestRead && 'problem' in manifestRead) throw new DomainError(`${join(datasetDir, MANIFEST_FILE)} cannot be trusted (${manifestRead.problem}); the case's origin could not be recorded. Write the dataset again with Prepare first.`, 'add-manifest')

  const check = await volumePool().run(addCaseTask, 'checkAddedCase', { images, label, ...(prediction && { prediction }), allowed: ds.allowed })
  if (check.problems.length) throw new DomainError(check.problems.join(' '), 'add-case-invalid', 'invalid', check.problems.map((text) => ({ severity: 'error', code: 'add-case-invalid', file: label, text })))

  const unlock = await lockDataset(dirname(datasetDir), opts.lockKey)
  const imageFiles = images.map((_, c) => join(imagesTr, channelFileName(caseId, ds.ending, c)))
  const labelFile = join(labelsTr, `${caseId}${ds.ending}`)
  // Until the case is in dataset.json and the folds, a failure takes back what was written, so
  // nnU-Net never finds half a case (an image without its label, a fold naming a missing case).
  const written: string[] = []
  let jsonBefore: string | undefined
  try {
    // Checked again under the lock: another add may have taken the id meanwhile.
    if ([...imageFiles, labelFile].some((f) => existsSync(f))) throw new DomainError(`The case ${caseId} was added to ${basename(datasetDir)} meanwhile: add the case again (it gets the next id).`, 'add-case-exists', 'conflict')
    let splits: Awaited<ReturnType<AddCaseOptions['assignFold']>>
    let numTraining: number
    try {
      // The bytes as they are: the checked files carried across, nothing decoded and encoded again.
      for (const [i, src] of images.entries()) {
        await writeFileAtomic(imageFiles[i]!, await readFile(src))
        written.push(imageFiles[i]!)
      }
      await writeFileAtomic(labelFile, await readFile(label))
      written.push(labelFile)
      // dataset.json read again under the lock; only numTraining changes (and MSD's training list).
      jsonBefore = await readFile(jsonFile, 'utf8')
      const now = JSON.parse(jsonBefore) as Record<string, unknown>
      numTraining = (await readdir(labelsTr)).filter((n) => n.endsWith(ds.ending) && !n.startsWith('.')).length
      now.numTraining = numTraining
      if (Array.isArray(now.training)) now.training = [...now.training, { image: `./imagesTr/${caseId}${ds.ending}`, label: `./labelsTr/${caseId}${ds.ending}` }]
      await writeFileAtomic(jsonFile, `${JSON.stringify(now, null, 4)}\n`)
      splits = await opts.assignFold(caseId)
    } catch (err) {
      if (jsonBefore !== undefined) await writeFileAtomic(jsonFile, jsonBefore).catch(() => undefined)
      await Promise.all(written.map((f) => rm(f, { force: true })))
      throw err
    }
    const changes: LabelChange[] | undefined = check.changes
      ? Object.entries(check.changes).map(([v, c]) => ({ name: ds.names.get(Number(v)) ?? `label ${v}`, value: Number(v), ...c })).sort((a, b) => a.value - b.value)
      : undefined
    const record: AddedCaseRecord = {
      caseId,
      sources: { images, label, ...(prediction && { prediction }) },
      ...(opts.origin && { origin: opts.origin }),
      ...(changes && { changes }),
      ...(splits.fold !== undefined && { fold: splits.fold }),
      addedAt: new Date().toISOString(),
    }
    if (manifestRead && 'manifest' in manifestRead) {
      const m = manifestRead.manifest as Manifest & { added?: Record<string, AddedCaseRecord> }
      m.added = { ...(m.added ?? {}), [caseId]: record }
      await writeManifest(datasetDir, m)
    } else {
      const file = join(datasetDir, ADDED_CASES_FILE)
      const prev = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { added?: Record<string, AddedCaseRecord> }, () => ({ added: {} }))
      await writeFileAtomic(file, `${JSON.stringify({ added: { ...(prev.added ?? {}), [caseId]: record } }, null, 2)}\n`)
    }
    return { caseId, images: imageFiles, label: labelFile, numTraining, record, splits: { ...(splits.file && { file: splits.file }), ...(splits.fold !== undefined && { fold: splits.fold }), ...(splits.note && { note: splits.note }) } }
  } finally {
    await unlock()
  }
}
