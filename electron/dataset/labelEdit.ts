// Saving a label map corrected in the viewer's editor (issue 21). The page sends only the voxels it
// changed, as runs in the file's own voxel order; everything else is decided here: the base label
// is read again from disk (in the volume worker, checked against the scan's grid), the runs are
// applied and counted per label, and the result is written atomically on the scan's grid. A
// correction never lands in a source folder: a prediction gets a corrected copy beside it, a
// training case's labelsTr file is replaced under the dataset's lock and the manifest records it.
import { createHash } from 'node:crypto'
import { open, readdir, readFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Geometry, LabelEditCount, LabelEditResult, ProjectFile, SaveLabelEditRequest } from '../../shared/api'
import { composeDatasetFolderName, labelPathFor, imagePathFor } from '../../shared/layout'
import { DomainError } from '../domainError'
import { isInside, realPathOf } from '../files/pathInside'
import { writeFileAtomic } from '../files/writeAtomic'
import { encodeNiftiGz, NIFTI_INTENT_LABEL, VOX_OFFSET } from '../imaging/niftiWriter'
import { casePool } from './casePool'
import { lockDataset } from './lock'
import { readManifest, writeManifest, type Manifest, type ManifestCase } from './manifest'
import { datasetKey } from './outputPlan'
import { labelNamesFromDatasetJson } from './viewFiles'

/** The folder beside a prediction that holds its corrected copies; the prediction itself is never rewritten. */
export const CORRECTED_FOLDER = 'corrected'

/** Where the corrected copy of a prediction goes: <its folder>/corrected/<its name>. */
export function correctedPathFor(prediction: string): string {
  return join(dirname(resolve(prediction)), CORRECTED_FOLDER, basename(prediction))
}

/** One run of changed voxels: `length` voxels from flat index `start` (file order) now hold `value`. */
export interface ChangeRun {
  start: number
  length: number
  value: number
}

/** The runs of a request: base64 of little-endian uint32 triples, checked against the volume's size. */
export function decodeChanges(b64: string, voxels: number): ChangeRun[] {
  const bytes = Buffer.from(b64, 'base64')
  if (bytes.length % 12 !== 0) throw new DomainError('The correction is not a whole number of runs (12 bytes each): it was cut short on the way. Save again.', 'edit-malformed')
  const runs: ChangeRun[] = []
  let end = 0
  for (let o = 0; o < bytes.length; o += 12) {
    const run = { start: bytes.readUInt32LE(o), length: bytes.readUInt32LE(o + 4), value: bytes.readUInt32LE(o + 8) }
    if (run.length === 0 || run.start < end || run.start + run.length > voxels) {
      throw new DomainError(`The correction's run ${o / 12 + 1} (${run.start}+${run.length}) is out of order or outside the ${voxels} voxels of the label map: it was made for another volume. Open the case again and redo the edit.`, 'edit-malformed')
    }
    if (run.value > 255) throw new DomainError(`The correction writes the value ${run.value}; the editor's labels are 1 to 255.`, 'edit-malformed')
    end = run.start + run.length
    runs.push(run)
  }
  return runs
}

/** Encodes runs as the request carries them (the page does the same with a DataView). */
export function encodeChanges(runs: readonly ChangeRun[]): string {
  const buf = Buffer.alloc(runs.length * 12)
  runs.forEach((r, i) => {
    buf.writeUInt32LE(r.start, i * 12)
    buf.writeUInt32LE(r.length, i * 12 + 4)
    buf.writeUInt32LE(r.value, i * 12 + 8)
  })
  return buf.toString('base64')
}

/**
 * Applies the runs to a copy of `base`; counts per value the voxels that now hold it (added) and
 * the voxels that held it before (removed). A run that rewrites a voxel's own value changes nothing.
 */
export function applyChanges(base: Uint8Array | Uint16Array, runs: readonly ChangeRun[]): { data: Uint8Array | Uint16Array; changed: number; added: Map<number, number>; removed: Map<number, number> } {
  const data = base.slice()
  const added = new Map<number, number>()
  const removed = new Map<number, number>()
  let changed = 0
  for (const r of runs) {
    let got = 0
    for (let i = r.start; i < r.start + r.length; i++) {
      const old = data[i]!
      if (old === r.value) continue
      removed.set(old, (removed.get(old) ?? 0) + 1)
      data[i] = r.value
      got++
    }
    if (got) added.set(r.value, (added.get(r.value) ?? 0) + got)
    changed += got
  }
  return { data, changed, added, removed }
}

/** Per-label counts (background left out), ascending by value, named where names are known. */
export function countsPerLabel(added: Map<number, number>, removed: Map<number, number>, names: Map<number, string> | null): LabelEditCount[] {
  const values = [...new Set([...added.keys(), ...removed.keys()])].filter((v) => v !== 0).sort((a, b) => a - b)
  return values.map((value) => ({ value, name: names?.get(value) ?? `label ${value}`, added: added.get(value) ?? 0, removed: removed.get(value) ?? 0 }))
}

/** Refuses, by name, an output inside a source folder (as written or through symbolic links). */
export async function refuseSourceFolder(out: string, sourceFolders: readonly string[]): Promise<void> {
  const real = await realPathOf(out)
  for (const dir of sourceFolders) {
    if (isInside(out, dir) || isInside(real, await realPathOf(dir))) {
      throw new DomainError(
        `${out} lies inside the source folder ${dir}: corrections are never written into a source folder (the scans and masks stay as they were). Keep predictions and datasets outside the source folders.`,
        'source-folder',
        'conflict',
      )
    }
  }
}

interface BaseLabel {
  geometry: Geometry
  data: Uint8Array | Uint16Array
}

/** The first `n` bytes of a file, inflated when it is gzip, reading no more of it than that takes (a scan can be 100 MB). */
async function headBytes(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const magic = Buffer.alloc(2)
    await handle.read(magic, 0, 2, 0)
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
      const buf = Buffer.alloc(n)
      const { bytesRead } = await handle.read(buf, 0, n, 0)
      return buf.subarray(0, bytesRead)
    }
    const chunks: Buffer[] = []
    let got = 0
    const gunzip = createGunzip()
    const done = new Promise<void>((resolve, reject) => {
      gunzip.on('data', (c: Buffer) => {
        chunks.push(c)
        got += c.length
        if (got >= n) resolve()
      })
      gunzip.on('end', resolve)
      gunzip.on('error', reject)
    })
    // 64 KiB of compressed bytes at a time until the header is out.
    for (let pos = 0; got < n; pos += 65536) {
      const buf = Buffer.alloc(65536)
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos)
      if (bytesRead === 0) {
        gunzip.end()
        break
      }
      gunzip.write(buf.subarray(0, bytesRead))
      await new Promise((r) => setImmediate(r))
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 0))])
    gunzip.destroy()
    return Buffer.concat(chunks).subarray(0, n)
  } finally {
    await handle.close()
  }
}

/** NIfTI-1 qform (quaternion, pixdim, qfac, offset) as a 3x4 voxel-to-world matrix, row by row. */
function qformMatrix(b: number, c: number, d: number, off: number[], pix: number[], qfac: number): number[] {
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d))
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ]
  const sc = [pix[0]!, pix[1]!, pix[2]! * qfac]
  return r.flatMap((row, i) => [...row.map((v, j) => v * sc[j]!), off[i]!])
}

const close = (a: number[], b: number[], tol: number) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(v)))

/**
 * The grid a NIfTI-1 header declares: its sizes and voxel-to-world matrix (sform, else qform),
 * or null for another format, a header with neither, or one whose qform and sform disagree (then
 * readers differ on where it is: the save reads both files whole instead). Two NIfTI files that
 * declare the same grid are on it for every reader: the save compares headers instead of decoding
 * the scan's voxels, which is two thirds of its time on a 512x512x160 CT.
 */
async function niftiGrid(path: string): Promise<{ dims: number[]; matrix: number[] } | null> {
  if (!/\.nii(\.gz)?$/i.test(path)) return null
  const h = await headBytes(path, 348).catch(() => null)
  if (!h || h.length < 348 || h.readInt32LE(0) !== 348) return null
  const f = (o: number) => h.readFloatLE(o)
  const dims = [1, 2, 3].map((i) => h.readInt16LE(40 + 2 * i))
  const pix = [1, 2, 3].map((i) => f(76 + 4 * i))
  const qform = h.readInt16LE(252)
  const sform = h.readInt16LE(254)
  const q = qform > 0 ? qformMatrix(f(256), f(260), f(264), [f(268), f(272), f(276)], pix, f(76) < 0 ? -1 : 1) : null
  const srow = sform > 0 ? Array.from({ length: 12 }, (_, i) => f(280 + 4 * i)) : null
  if (q && srow && !close(q, srow, 1e-3)) return null
  const matrix = srow ?? q
  return matrix ? { dims, matrix } : null
}

function sameGrid(a: { dims: number[]; matrix: number[] }, b: { dims: number[]; matrix: number[] }): boolean {
  return a.dims.every((d, i) => d === b.dims[i]) && close(a.matrix, b.matrix, 1e-4)
}

/** Label values as uint8/uint16, refusing what is not a label map (negative, fractional or above 65535). */
function asLabels(nii: Uint8Array, n: number, path: string): Uint8Array | Uint16Array {
  const code = new DataView(nii.buffer, nii.byteOffset, nii.byteLength).getInt16(70, true)
  const bytes = nii.slice(VOX_OFFSET)
  const typed = { 2: Uint8Array, 256: Int8Array, 4: Int16Array, 512: Uint16Array, 8: Int32Array, 768: Uint32Array, 16: Float32Array, 64: Float64Array }[code as 2]
  if (!typed) throw new DomainError(`${path} is not a label map (NIfTI data type ${code}).`, 'label-type')
  const data = new typed(bytes.buffer, 0, n) as ArrayLike<number>
  if (data instanceof Uint8Array) return data
  let max = 0
  for (let i = 0; i < n; i++) {
    const v = data[i]!
    if (!(v >= 0 && v <= 65535 && Number.isInteger(v))) throw new DomainError(`${path} holds the value ${v}: label values are whole numbers from 0 to 65535.`, 'label-out-of-range')
    if (v > max) max = v
  }
  const out = max <= 255 ? new Uint8Array(n) : new Uint16Array(n)
  for (let i = 0; i < n; i++) out[i] = data[i]!
  return out
}

/**
 * Reads the label map in the volume worker, on the scan's grid. Two NIfTI files are compared by
 * their headers and only the label is decoded; any other pair is read whole and compared as ITK
 * sees it (viewFiles' rule).
 */
async function readBase(image: string, label: string): Promise<BaseLabel> {
  const [gi, gl] = await Promise.all([niftiGrid(image), niftiGrid(label)])
  if (gi && gl) {
    if (!sameGrid(gi, gl)) throw new DomainError(`The label map ${basename(label)} is not on the grid of the scan ${basename(image)} (their NIfTI headers differ in size, spacing or orientation): it cannot be saved as a correction of this scan.`, 'grid-mismatch')
    const r = await casePool().view({ image: label, label: null })
    const bad = r.findings.find((f) => f.severity === 'error')
    if (bad) throw new DomainError(bad.text, bad.code, 'invalid', r.findings)
    const n = r.geometry.size.reduce((a, b) => a * b, 1)
    return { geometry: r.geometry, data: asLabels(r.imageNii, n, label) }
  }
  const r = await casePool().view({ image, label })
  const bad = r.findings.find((f) => f.severity === 'error')
  if (bad) throw new DomainError(bad.text, bad.code, 'invalid', r.findings)
  const n = r.geometry.size.reduce((a, b) => a * b, 1)
  return { geometry: r.geometry, data: asLabels(r.labelNii, n, label) }
}

async function labelNames(datasetJson: string): Promise<Map<number, string> | null> {
  try {
    return labelNamesFromDatasetJson(JSON.parse(await readFile(datasetJson, 'utf8')))
  } catch {
    return null
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

export interface LabelEditContext {
  /** The project's source folders (scans, masks, the scans given to Predict): never written. */
  sourceFolders: readonly string[]
  /** Called before any file is read: refuses a path outside the project's folders (viewFiles' checkServable). */
  checkReadable?: (path: string) => Promise<void>
}

/** What manifest.json records per training case corrected in the editor (newest last). */
export interface CorrectionRecord {
  at: string
  changed: number
  perLabel: LabelEditCount[]
  /** SHA-256 of the label file before and after. */
  before?: string
  after: string
}

export type ManifestCaseWithCorrections = ManifestCase & { corrections?: CorrectionRecord[] }

export async function saveLabelEdit(req: SaveLabelEditRequest, ctx: LabelEditContext): Promise<LabelEditResult> {
  return req.target === 'prediction' ? savePrediction(req, ctx) : saveDatasetCase(req, ctx)
}

async function savePrediction(req: Extract<SaveLabelEditRequest, { target: 'prediction' }>, ctx: LabelEditContext): Promise<LabelEditResult> {
  const prediction = resolve(req.label)
  // A prediction opened from its corrected copy (corrected/<name>) is saved back to that copy.
  const isCopy = basename(dirname(prediction)) === CORRECTED_FOLDER
  const out = isCopy ? prediction : correctedPathFor(prediction)
  const predictionDir = isCopy ? dirname(dirname(prediction)) : dirname(prediction)
  await refuseSourceFolder(out, ctx.sourceFolders)
  // The base is the file the page loaded and edited: the runs are its differences from that file,
  // so what is saved is what the page showed (a page that saved once sends the corrected copy next).
  const base = prediction
  await ctx.checkReadable?.(req.image)
  await ctx.checkReadable?.(base)
  const { geometry, data } = await readBase(req.image, base)
  const runs = decodeChanges(req.changes, data.length)
  const applied = applyChanges(data, runs)
  const gz = await encodeNiftiGz(geometry, applied.data, { intentCode: NIFTI_INTENT_LABEL })
  const bytes = await writeFileAtomic(out, gz)
  // nnU-Net copies the model's dataset.json into the prediction folder: it names the labels.
  const names = await labelNames(join(predictionDir, 'dataset.json'))
  return { path: out, base, changed: applied.changed, perLabel: countsPerLabel(applied.added, applied.removed, names), bytes }
}

/** The dataset's manifest, trusted and complete (no unfinished write), or a refusal naming what to do. */
async function manifestOf(datasetDir: string): Promise<Manifest> {
  const read = await readManifest(datasetDir)
  if (!read) throw new DomainError(`${datasetDir} has no manifest.json: only a dataset written by nnU-Net Wizard can have its labels corrected here (the manifest records each correction).`, 'no-manifest', 'not-found')
  if ('problem' in read) throw new DomainError(`${datasetDir}: ${read.problem}. Write the dataset again before correcting its labels.`, 'manifest-invalid', 'conflict')
  // An unfinished write keeps its cases in manifest.journal, which a later read applies over manifest.json.
  if (read.journal) throw new DomainError(`${basename(datasetDir)} has an unfinished write (manifest.journal): finish it (run Write again) before correcting its labels.`, 'dataset-unfinished', 'conflict')
  return read.manifest
}

async function saveDatasetCase(req: Extract<SaveLabelEditRequest, { target: 'dataset' }>, ctx: LabelEditContext): Promise<LabelEditResult> {
  const datasetDir = resolve(req.datasetDir)
  const first = await manifestOf(datasetDir)
  const label = join(datasetDir, labelPathFor(req.caseId))
  await refuseSourceFolder(label, ctx.sourceFolders)
  await ctx.checkReadable?.(label)
  const unlock = await lockDataset(dirname(datasetDir), datasetKey(first.settings.layout, first.settings.id))
  try {
    // Read again under the lock: the manifest written at the end must be the one on disk now.
    const m = await manifestOf(datasetDir)
    const c = m.cases[req.caseId] as ManifestCaseWithCorrections | undefined
    if (!c || c.split !== 'train' || !c.label) throw new DomainError(`${req.caseId} is not a training case of ${basename(datasetDir)} (its manifest names no labelsTr file for it).`, 'no-such-case', 'not-found')
    const image = join(datasetDir, imagePathFor(m.settings.layout, 'train', c.caseId))
    const before = await readFile(label)
    const { geometry, data } = await readBase(image, label)
    const runs = decodeChanges(req.changes, data.length)
    const applied = applyChanges(data, runs)
    const gz = await encodeNiftiGz(geometry, applied.data, { intentCode: NIFTI_INTENT_LABEL })
    const names = new Map(m.settings.labels.map((l) => [l.value, l.name]))
    const perLabel = countsPerLabel(applied.added, applied.removed, names)
    const bytes = await writeFileAtomic(label, gz, { createFolder: false })
    // The case's size and voxel counts follow the new file: a re-run of prepare keeps it (the sizes
    // agree), and the plan's input hash changes, so Plan knows to preprocess again.
    const voxelCounts: Record<string, number> = { ...c.voxelCounts }
    for (const p of perLabel) voxelCounts[p.name] = (voxelCounts[p.name] ?? 0) + p.added - p.removed
    const record: CorrectionRecord = { at: new Date().toISOString(), changed: applied.changed, perLabel, before: sha256(before), after: sha256(gz) }
    m.cases[c.caseId] = { ...c, labelBytes: bytes, voxelCounts, corrections: [...(c.corrections ?? []), record] } as ManifestCase
    const manifest = await writeManifest(datasetDir, m)
    return { path: label, base: label, changed: applied.changed, perLabel, bytes, manifest }
  } finally {
    await unlock()
  }
}

/** The folders a project reads its sources from: the scans, every mask folder, and the scans given to Predict. */
export function sourceFoldersOf(project: ProjectFile | null): string[] {
  if (!project) return []
  const dirs = [project.sources.imagesDir, ...project.sources.labels.map((l) => l.dir), project.forms.predict?.input]
  return [...new Set(dirs.filter((d): d is string => typeof d === 'string' && d.trim() !== '').map((d) => d.trim()))]
}

/**
 * The files of training case `caseId` of dataset `datasetId` in the nnU-Net raw folder, from its
 * manifest (only a dataset the wizard wrote can have a label corrected: the manifest records it).
 */
export async function trainingCaseFiles(rawDir: string | undefined, datasetId: number, caseId: string): Promise<{ datasetDir: string; image: string; label: string; datasetJson: string }> {
  if (!rawDir) throw new DomainError('The nnU-Net folders are not set: choose them on the Environment step first.', 'no-folders', 'conflict')
  const names = await readdir(rawDir).catch(() => [] as string[])
  const id3 = String(datasetId).padStart(3, '0')
  const dir = names.find((n) => n.startsWith(`Dataset${id3}_`)) ?? names.find((n) => n.startsWith(`Task${id3}_`))
  if (!dir) throw new DomainError(`There is no dataset ${datasetId} in ${rawDir}.`, 'no-such-dataset', 'not-found')
  const datasetDir = join(rawDir, dir)
  const m = await manifestOf(datasetDir)
  const c = m.cases[caseId]
  if (!c || c.split !== 'train' || !c.label) throw new DomainError(`${caseId} is not a training case of ${dir} (its manifest names no labelsTr file for it).`, 'no-such-case', 'not-found')
  return { datasetDir, image: join(datasetDir, c.image), label: join(datasetDir, c.label), datasetJson: join(datasetDir, 'dataset.json') }
}

/**
 * The files of the training case the open project wrote from source case `caseKey` (as Check and
 * Preview name it), in the dataset its Output step names, found through the manifest's case keys:
 * Preview opens the label editor on what Write made of the case it shows.
 */
export async function projectTrainingCaseFiles(output: Partial<ProjectFile['output']> | undefined, caseKey: string): Promise<{ datasetDir: string; caseId: string; image: string; label: string; datasetJson: string }> {
  if (!output?.outDir || !output.id || !output.name) throw new DomainError('The Output step has no folder, dataset id and name yet: set them and write the dataset, then correct its labels here.', 'no-output', 'conflict')
  const datasetDir = join(output.outDir, composeDatasetFolderName(output.layout ?? 'nnunet-v2', output.id, output.name))
  const m = await manifestOf(datasetDir).catch((err: unknown) => {
    if (err instanceof DomainError && err.code === 'no-manifest') throw new DomainError(`${datasetDir} is not written yet: run the Write step first, then correct the case’s label here.`, 'dataset-not-written', 'not-found')
    throw err
  })
  const c = Object.values(m.cases).find((k) => k.caseKey === caseKey)
  if (!c) throw new DomainError(`The case ${caseKey} is not in ${basename(datasetDir)}: it has not been written (run Write), or its manifest keeps no source names (written without source paths); open it from Results instead.`, 'case-not-written', 'not-found')
  if (c.split !== 'train' || !c.label) throw new DomainError(`The case ${caseKey} is the test case ${c.caseId} of ${basename(datasetDir)}: only training cases (labelsTr) are corrected here.`, 'no-such-case', 'not-found')
  return { datasetDir, caseId: c.caseId, image: join(datasetDir, c.image), label: join(datasetDir, c.label), datasetJson: join(datasetDir, 'dataset.json') }
}
