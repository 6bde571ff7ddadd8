// Files on disk for the viewer: a scan and a label map on its grid, typically an nnU-Net
// prediction shown over the scan it was predicted from. Read in a volume worker (the same pool and
// NIfTI encoding as the preview), returned as uncompressed NIfTI bytes; nothing is written.
import { readdir, readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { CaseReport, Finding, LabelInfo, PreviewReduction } from '../../shared/api'
import type { ViewFilesRequest } from '../../shared/schema'
import { defaultLabelColor } from '../../shared/labelColors'
import { caseFileParts, channelFileName } from '../../shared/layout'
import { casePool } from './casePool'
import { isInside, realPathOf } from '../files/pathInside'
import { readVolumeHeader } from '../imaging/volumeHeader'
import { statusOf } from './caseWork'

export interface ViewedFiles {
  caseKey: string
  image: Uint8Array
  label: Uint8Array
  labels: LabelInfo[]
  report: CaseReport
  imagePath: string
  labelPath?: string
  datasetJson?: string
  reduced?: PreviewReduction
}

/**
 * Label names by value from a dataset.json: nnU-Net v2 maps name -> value ({"liver": 1}), the
 * Decathlon (v1) value -> name ({"1": "liver"}). v2 region entries (name -> [values]) name no
 * single value and are skipped; so is background.
 */
export function labelNamesFromDatasetJson(json: unknown): Map<number, string> {
  const labels = (json as { labels?: unknown } | null)?.labels
  if (!labels || typeof labels !== 'object' || Array.isArray(labels)) throw new Error('it has no "labels" table.')
  const names = new Map<number, string>()
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    if (typeof v === 'number' && Number.isInteger(v)) names.set(v, k)
    else if (typeof v === 'string' && /^\d+$/.test(k)) names.set(Number(k), v)
  }
  names.delete(0)
  return names
}

/** The scan a prediction was made from: prediction case.nii.gz -> imagesDir/case_0000.nii.gz. */
export async function imageForLabel(imagesDir: string, label: string): Promise<string> {
  const parts = caseFileParts(basename(label))
  if (!parts) throw new Error(`${basename(label)} is not a volume file (.nii.gz, .nii, .nrrd, .mha, ...), so it has no scan to pair with.`)
  let names: string[]
  try {
    names = await readdir(imagesDir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(code === 'ENOENT' ? `The folder of scans ${imagesDir} does not exist.` : `The folder of scans ${imagesDir} cannot be read: ${(err as Error).message}`)
  }
  const want = channelFileName(parts.caseId, parts.ending)
  if (names.includes(want)) return join(imagesDir, want)
  // The same case with another ending (a .nrrd model input, upper-case .NII.GZ).
  const stem = channelFileName(parts.caseId, '')
  const other = names.find((n) => caseFileParts(n)?.caseId === stem)
  if (other) return join(imagesDir, other)
  throw new Error(`There is no scan for case "${parts.caseId}" in ${imagesDir}: expected ${want} (nnU-Net names channel 0 of a case ${stem}).`)
}

async function readDatasetJson(path: string, explicit: boolean, findings: Finding[]): Promise<Map<number, string> | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new Error(`The dataset.json ${path} cannot be read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist.' : (err as Error).message}`)
  }
  try {
    return labelNamesFromDatasetJson(JSON.parse(text))
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON.' : (err as Error).message
    if (explicit) throw new Error(`The label names cannot be taken from ${path}: ${why}`)
    findings.push({ severity: 'warning', code: 'dataset-json-unusable', file: path, text: `The label names cannot be taken from ${path}: ${why} Labels are shown as "label N".` })
    return null
  }
}

export class OutsideProjectError extends Error {}

/**
 * Refuses a file the page asked to see unless it lies, through symbolic links, inside one of the
 * project's folders (`roots`: sources, dataset, nnU-Net folders, predictions). For a volume, the
 * file that holds its voxels (a .nhdr's or .mhd's data file) must lie inside them too: a crafted
 * header must not make the page a reader of any file on the machine.
 */
export async function checkServable(path: string, roots: readonly string[], volume: boolean): Promise<void> {
  const real = await Promise.all(roots.map((r) => realPathOf(r)))
  const inside = async (p: string) => {
    const rp = await realPathOf(p)
    return real.some((r) => isInside(rp, r))
  }
  const where = roots.length ? `the project's folders (${roots.join(', ')})` : "the project's folders (none is set yet)"
  if (!(await inside(path))) throw new OutsideProjectError(`${path} is outside ${where}: the viewer shows only the project's sources, dataset, nnU-Net folders and predictions.`)
  if (!volume) return
  const header = await readVolumeHeader(path)
  if (header.payload.file !== path && !(await inside(header.payload.file))) {
    throw new OutsideProjectError(`${path} takes its voxels from ${header.payload.file}, which is outside ${where}: it is not shown. Keep a header's data file beside it.`)
  }
}

/** A detached data file (.nhdr's data file, .mhd's ElementDataFile) must lie, through links, inside its header's folder. */
export async function checkDataFileBeside(path: string): Promise<void> {
  const header = await readVolumeHeader(path)
  if (header.payload.file === path) return
  if (!isInside(await realPathOf(header.payload.file), await realPathOf(dirname(await realPathOf(path))))) {
    throw new OutsideProjectError(`${path} takes its voxels from ${header.payload.file}, which is outside its folder: it is not shown. Keep a header's data file beside it (in its folder or below).`)
  }
}

/** roots: the folders the project names; when given, every file read must lie inside them (checkServable). */
export async function viewFiles(req: ViewFilesRequest, opts: { roots?: readonly string[] } = {}): Promise<ViewedFiles> {
  const labelPath = req.label
  const imagePath = req.image ?? (req.imagesDir && labelPath ? await imageForLabel(req.imagesDir, labelPath) : undefined)
  if (!imagePath) throw new Error('Give the scan to show, or a label map and the folder that holds its scan.')
  if (opts.roots) {
    await checkServable(imagePath, opts.roots, true)
    if (labelPath) await checkServable(labelPath, opts.roots, true)
    if (req.datasetJson) await checkServable(req.datasetJson, opts.roots, false)
  } else {
    // Without the project's folders: still never the voxels of a file outside the header's own folder.
    await checkDataFileBeside(imagePath)
    if (labelPath) await checkDataFileBeside(labelPath)
  }
  const findings: Finding[] = []
  // nnUNetv2_predict copies the model's dataset.json into its output folder, next to the predictions.
  const jsonPath = req.datasetJson ?? (labelPath ? join(dirname(labelPath), 'dataset.json') : undefined)
  const names = jsonPath ? await readDatasetJson(jsonPath, req.datasetJson !== undefined, findings) : null

  const r = await casePool().view({ image: imagePath, label: labelPath ?? null, maxVoxels: req.maxVoxels })
  findings.push(...r.findings)
  const labels: LabelInfo[] = r.values.map(({ value }) => ({ name: names?.get(value) ?? `label ${value}`, value, color: defaultLabelColor(value) }))
  if (labelPath && r.findings.length === 0) {
    if (r.values.length === 0) {
      findings.push({ severity: 'warning', code: 'label-empty', file: labelPath, text: `The label map ${basename(labelPath)} is empty (all zero): nothing was segmented in this scan.` })
    }
    const unnamed = names ? r.values.filter((v) => !names.has(v.value)).map((v) => v.value) : []
    if (unnamed.length > 0) {
      findings.push({ severity: 'warning', code: 'label-unknown-value', file: labelPath, text: `The label map holds value${unnamed.length === 1 ? '' : 's'} ${unnamed.join(', ')}, which ${jsonPath} does not name.` })
    }
  }
  const caseKey = caseFileParts(basename(labelPath ?? imagePath))?.caseId ?? basename(labelPath ?? imagePath)
  const report: CaseReport = {
    caseKey,
    status: statusOf(findings),
    findings,
    geometry: r.geometry,
    imageType: r.imageType,
    voxelCounts: Object.fromEntries(r.values.map((v, i) => [labels[i]!.name, v.voxels])),
    overlapVoxels: 0,
  }
  return { caseKey, image: r.imageNii, label: r.labelNii, labels, report, imagePath, labelPath, datasetJson: names ? jsonPath : undefined, ...(r.reduced && { reduced: r.reduced }) }
}
