// The pixel work of one case, run inside a volume worker: read the image and its masks, check
// every rule, merge, and (when writing) write the NIfTI files: the image carried across from its
// compressed input where that already holds the right voxels (imaging/carry.ts), else encoded.
// Everything a case needs happens in one task so its volumes never cross threads and memory stays
// bounded by the pool.
import { rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { CaseReport, Finding, Geometry, PreviewReduction } from '../../shared/api'
import { as3d, readVolume, VolumeReadError, type Volume, type VoxelArray } from '../imaging/volume'
import { tryCarry, type CarriedImage } from '../imaging/carry'
import { compareGeometry, describeDifference } from '../imaging/geometry'
import { encodeNifti, encodeNiftiGz, NIFTI_INTENT_LABEL } from '../imaging/niftiWriter'
import { writeFileAtomic } from '../files/writeAtomic'
import { reduceForPreview } from '../imaging/reduce'
import { describeNonFinite, formatValues, judgeMask, maskValues, mergeMasks, nonFiniteOf, overlapPairs } from './maskRules'
import { inBodyByName } from './bodyOverlap'
import { describeWipedOut, wipedOutLabels } from '../../shared/regions'
import { dict } from '../../shared/dict'
import { ALLOW_MISSING_HINT } from '../../shared/layout'
import { environmentCode, environmentProblem, type EnvironmentProblem } from '../files/environmentError'
import { budgetOf, CaseFiles, caseClaim } from './caseSources'
import { isDicomCase, readDicomCaseImage } from './dicomCase'
import { readStructureMask, seriesReferencedByLabels } from './structureMask'
import { aliasesOf, isFileMatched, type StructureChoice } from '../../shared/structureSpec'
import { labelMapMask, readSegNrrdMask } from './labelSourceMask'

export interface CaseInput {
  caseKey: string
  image: string | null
  masks: (string | null)[]
  /** Label names, in value order (index 0 = value 1). */
  labelNames: string[]
  /** The mask folders, for messages about a missing mask. */
  labelDirs: string[]
  allowMissingMask: boolean
  /** Per label: read from RTSTRUCT ROIs / SEG segments in its folder (structureMask.ts), or null / absent for a folder of masks. */
  structures?: (StructureChoice | null)[]
  /** DICOM case folders (dicomCase.ts): --series pattern, and the series chosen for this case in the app. */
  dicomSeries?: string
  dicomSeriesUid?: string
}

export type InspectWant = 'report' | 'preview'

export interface InspectTask extends BudgetedTask {
  op: 'inspect'
  input: CaseInput
  want: InspectWant
  /** want 'preview': volumes with more voxels are returned strided (see reduceForPreview); checks and counts stay full resolution. */
  maxVoxels?: number
}

export interface InspectResult {
  report: CaseReport
  /** want 'preview': uncompressed .nii of the image and of the merged label. */
  imageNii?: Uint8Array
  labelNii?: Uint8Array
  /** Present when the preview volumes were reduced (maxVoxels). */
  reduced?: PreviewReduction
}

/**
 * Check a case and, when it passes, encode its outputs into a private staging folder. The prepare
 * job renames staged files into the dataset only after every case has been checked, so each
 * volume is read once and nothing appears in the dataset before the whole input is validated.
 */
export interface StageTask extends BudgetedTask {
  op: 'stage'
  input: CaseInput
  /** Absolute paths inside the staging folder. */
  imageOut: string
  /** Null for test cases: their masks are checked but no label is written. */
  labelOut: string | null
}

import type { SourceFingerprint } from './caseSources'
export type { SourceFingerprint }

/** What a stage task met that is the machine's fault, not the case's (environmentError.ts): the run stops. */
export type { EnvironmentProblem } from '../files/environmentError'

/** Shared by every task of a run (imaging/memoryBudget.ts); without it a worker's own budget. */
export interface BudgetedTask {
  budget?: SharedArrayBuffer
}

export interface StageResult {
  report: CaseReport
  /** Absent when the case failed its checks (nothing was staged). */
  staged?: { imageBytes: number; labelBytes: number; sources: SourceFingerprint[] }
  /** Set when the disk or file system failed (full, read-only, quota, I/O error): the case is neither failed nor staged. */
  environment?: EnvironmentProblem
}

/** A scan and a label map from disk for the viewer (viewFiles): no merging, nothing written. */
export interface ViewTask {
  op: 'view'
  image: string
  /** A label map on the image grid with integer values (e.g. an nnU-Net prediction); null = the scan alone. */
  label: string | null
  /** Volumes with more voxels are returned strided (see reduceForPreview); values are counted at full resolution. */
  maxVoxels?: number
}

export interface ViewResult {
  /** Problems with the label map; the scan is still shown (with an empty label map) when there are errors. */
  findings: Finding[]
  geometry: Geometry
  imageType: string
  /** Voxels of each non-zero value in the label map, ascending by value. */
  values: { value: number; voxels: number }[]
  /** Uncompressed .nii of the image and of the label map (uint8, or uint16 for values above 255). */
  imageNii: Uint8Array
  labelNii: Uint8Array
  /** Present when the volumes were reduced (maxVoxels). */
  reduced?: PreviewReduction
}

export type VolumeTask = InspectTask | StageTask | ViewTask

export function statusOf(findings: Finding[]): CaseReport['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'error'
  if (findings.some((f) => f.severity === 'warning')) return 'warning'
  return 'ok'
}

function shapeFinding(v: Volume, file: string, role: string): Finding | null {
  if (v.components !== 1) {
    return { severity: 'error', code: 'multi-component', file, text: `The ${role} has ${v.components} values per voxel (${v.pixelType}); nnU-Net needs one grey value per voxel.`, hint: 'Convert it to a single-channel (scalar) volume, one file per channel.' }
  }
  if (as3d(v)) return null
  if (v.dimension === 2) {
    return { severity: 'error', code: 'not-3d', file, text: `The ${role} is a 2D image (${v.size.join('x')}); nnU-Net Wizard prepares 3D volumes.`, hint: 'Export the whole series as one 3D volume (e.g. stack the slices into a .nrrd or .nii.gz).' }
  }
  if (v.dimension === 4) {
    return { severity: 'error', code: 'not-3d', file, text: `The ${role} is a 4D image (${v.size.join('x')}): ${v.size[3]} volumes in one file.`, hint: 'Split it into one 3D file per channel or time point; this wizard takes one 3D volume per case.' }
  }
  return { severity: 'error', code: 'not-3d', file, text: `The ${role} has ${v.dimension} dimensions (${v.size.join('x')}); a 3D volume is needed.` }
}

function geometryOf(v: Volume): Geometry {
  return { size: v.size, spacing: v.spacing, origin: v.origin, direction: v.direction }
}

/** Uncompressed .nii of an image and its label map for the viewer, strided alike above `maxVoxels`. */
function viewerVolumes(geometry: Geometry, image: VoxelArray, label: Uint8Array | Uint16Array, maxVoxels: number | undefined): { imageNii: Uint8Array; labelNii: Uint8Array; reduced?: PreviewReduction } {
  const r = reduceForPreview(geometry, image, label, maxVoxels)
  return {
    imageNii: encodeNifti(r.geometry, r.image),
    labelNii: encodeNifti(r.geometry, r.label, { intentCode: NIFTI_INTENT_LABEL }),
    ...(r.stride && { reduced: { fullSize: geometry.size, size: r.geometry.size, spacing: r.geometry.spacing, stride: r.stride } }),
  }
}

async function readOrFinding(path: string, role: string, findings: Finding[], files: CaseFiles, printRole?: string): Promise<Volume | null> {
  try {
    const raw = await readVolume(path, { native: true, files: files.of(path) })
    if (printRole) files.record(printRole, raw)
    const bad = shapeFinding(raw, path, role)
    if (bad) {
      findings.push(bad)
      return null
    }
    return as3d(raw)
  } catch (err) {
    if (environmentCode(err)) throw err
    const reason = err instanceof VolumeReadError ? err.reason : err instanceof Error ? err.message : String(err)
    findings.push({ severity: 'error', code: 'unreadable', file: path, text: `The ${role} ${path} cannot be read: ${reason}` })
    return null
  }
}

/** Any other error while a case is checked is a finding about the file being read then, never a stack trace. */
function internalFinding(file: string | undefined, err: unknown): Finding {
  const why = err instanceof VolumeReadError ? err.reason : err instanceof Error ? err.message : String(err)
  return { severity: 'error', code: 'check-failed', ...(file && { file }), text: `Checking ${file ?? 'this case'} failed: ${why}`, hint: 'The file may be damaged or of a kind this build does not read; re-export it, or report this message if the file opens elsewhere.' }
}

interface CheckedCase {
  report: CaseReport
  /** data is null when the image is carried (its voxels were checked as a stream, not decoded). */
  image: Volume | null
  label: Uint8Array | null
  /** The image's compressed voxels, when they can be written as they are (carry.ts); else why not. */
  carry: { carried: CarriedImage } | { reason: string } | null
  /** With `carryTo`: the carried image being written there (bytes), started as soon as its check passed. */
  imageWriting?: Promise<number>
}

/**
 * Reads and checks one case; merges its masks when every check passed. With `carry` (staging),
 * the image is read through the carry path when its payload allows, without decoding it.
 */
async function checkCase(input: CaseInput, opts: { carry?: boolean; carryTo?: string; partialLabel?: boolean; files?: CaseFiles } = {}): Promise<CheckedCase> {
  const files = opts.files ?? new CaseFiles()
  const findings: Finding[] = []
  const current: { file?: string } = { file: input.image ?? undefined }
  try {
    return await checkCaseFiles(input, opts, files, findings, current)
  } catch (err) {
    if (environmentCode(err) || (err as Error)?.name === 'AbortError') throw err
    findings.push(internalFinding(current.file, err))
    return { report: { caseKey: input.caseKey, status: 'error', findings, voxelCounts: {}, overlapVoxels: 0 }, image: null, label: null, carry: null }
  } finally {
    if (!opts.files) await files.close()
  }
}

async function checkCaseFiles(input: CaseInput, opts: { carry?: boolean; carryTo?: string; partialLabel?: boolean }, files: CaseFiles, findings: Finding[], current: { file?: string }): Promise<CheckedCase> {
  const report = (extra: Partial<CaseReport> = {}): CaseReport => ({ caseKey: input.caseKey, status: statusOf(findings), findings, voxelCounts: {}, overlapVoxels: 0, ...extra })
  if (!input.image) {
    findings.push({ severity: 'error', code: 'image-missing', text: `Case "${input.caseKey}" has masks but no image.` })
    return { report: report(), image: null, label: null, carry: null }
  }
  // With carryTo the carried image is written while it is checked (one read of the input); its
  // sync and rename finish while the masks are read and merged below, and the caller removes the
  // file again if the case fails.
  let carry: CheckedCase['carry'] = null
  // A folder as the image is a DICOM case (dicomCase.ts): read from its chosen series, never carried.
  const dicom = await isDicomCase(input.image)
  if (!dicom && (opts.carry || opts.carryTo)) {
    try {
      carry = await tryCarry(input.image, { writeTo: opts.carryTo, files: files.of(input.image) })
    } catch (err) {
      if (environmentCode(err) || (err as Error)?.name === 'AbortError') throw err
      findings.push({ severity: 'error', code: 'unreadable', file: input.image, text: `The image ${input.image} cannot be read: ${err instanceof VolumeReadError ? err.reason : (err as Error).message}` })
      return { report: report(), image: null, label: null, carry: null }
    }
  }
  if (carry && 'carried' in carry) files.record('image', carry.carried.volume)
  // A folder of several series uses the one its structure labels' files reference (structureMask.ts).
  const dicomImage = dicom ? await readDicomCaseImage(input.image, { ...input, ...(await seriesReferencedByLabels(input, files)) }, findings, files) : null
  const image = dicom ? (dicomImage?.volume ?? null) : carry && 'carried' in carry ? carry.carried.volume : await readOrFinding(input.image, 'image', findings, files, 'image')
  if (!image) return { report: report(), image: null, label: null, carry }
  const imageWriting = carry && 'carried' in carry ? carry.carried.writing : undefined
  const geometry = geometryOf(image)
  const bad = image.data ? nonFiniteOf(image.data, image.stored) : image.stored ?? { nan: 0, infinite: 0 }
  if (bad.nan + bad.infinite > 0) {
    findings.push({ severity: 'error', code: 'image-nan', file: input.image, text: `The image ${input.image} contains ${describeNonFinite(bad)} (not finite numbers); nnU-Net's normalisation would turn the whole case into NaN.`, hint: 'Replace them with a background value (e.g. the minimum intensity) and save it again.' })
  }

  const masks: (VoxelArray | null)[] = []
  // This case's label maps / .seg.nrrd files, each read once however many labels it gives (labelSourceMask.ts).
  const multiFiles = new Map<string, Promise<unknown>>()
  // Keyed by the user's label names: prototype-free, so a label named __proto__ keeps its count (shared/dict.ts).
  const foreground = dict<number>()
  for (let k = 0; k < input.masks.length; k++) {
    const name = input.labelNames[k] ?? `label ${k + 1}`
    const path = input.masks[k]
    // RTSTRUCT ROIs / SEG segments (structureMask.ts): the file is the one referencing the case's series.
    const structure = input.structures?.[k]
    // A .seg.nrrd or a label map (labelSourceMask.ts) is the case's own file, matched by name like a mask: read below.
    const multi = structure && isFileMatched(structure.kind) ? structure : null
    if (structure && !multi) {
      const mask = await readStructureMask({ caseKey: input.caseKey, labelName: name, dir: input.labelDirs[k] ?? '', choice: structure, allowMissingMask: input.allowMissingMask }, image, dicomImage?.series ?? null, findings)
      if (mask) files.record(name, mask)
      const values = mask ? maskValues(mask.data!) : null
      if (values) foreground[name] = values.foreground
      if (values && judgeMask(values) === 'empty') findings.push({ severity: 'warning', code: 'mask-empty', file: mask!.sources[0]?.path, text: `The "${name}" structure is empty (no contour or frame inside the scan): this case has no "${name}".` })
      masks.push(mask?.data ?? null)
      continue
    }
    if (!path) {
      const dir = input.labelDirs[k] ?? ''
      findings.push(
        input.allowMissingMask
          ? { severity: 'warning', code: 'mask-missing', text: `No "${name}" mask for case "${input.caseKey}" in ${dir}: "${name}" is left empty for this case (--allow-missing-mask).` }
          : { severity: 'error', code: 'mask-missing', text: `No "${name}" mask for case "${input.caseKey}" in ${dir}.`, hint: `Add ${input.caseKey} with the same name as the image to that folder, or ${ALLOW_MISSING_HINT} to treat "${name}" as absent in this case.` },
      )
      masks.push(null)
      continue
    }
    current.file = path
    const multiInput = multi && { caseKey: input.caseKey, labelName: name, path, choice: multi, allowMissingMask: input.allowMissingMask }
    let mapValues: string | null = null
    let mask: Volume | null
    if (multiInput?.choice.kind === 'segnrrd') {
      mask = await readSegNrrdMask(multiInput, image, findings, multiFiles)
      if (mask) files.record(name, mask)
    } else if (multiInput) {
      // Several labels from one label map read it once per case (and say an unreadable one once).
      if (!multiFiles.has(path)) multiFiles.set(path, readOrFinding(path, `"${name}" label map`, findings, files))
      const map = (await multiFiles.get(path)) as Volume | null
      if (map) files.record(name, map)
      mapValues = map ? formatValues(maskValues(map.data!)) : null
      mask = map && labelMapMask(multiInput, map, findings)
    } else mask = await readOrFinding(path, `"${name}" mask`, findings, files, name)
    if (!mask) {
      masks.push(null)
      continue
    }
    const diffs = compareGeometry(geometry, geometryOf(mask))
    // Another grid in size and in two more ways is not a resampling slip: most likely the mask of
    // another scan. Said once, with every difference, instead of four errors for one file.
    const otherScan = diffs.length >= 3 && diffs.some((d) => d.field === 'size')
    if (otherScan) {
      findings.push({
        severity: 'error',
        code: 'size-mismatch',
        file: path,
        text: `The "${name}" mask does not match its image ${basename(input.image)} and looks like the mask of another scan: ${diffs.map(describeDifference).join('; ')}.`,
        hint: 'Check that this file belongs to this scan (a mask copied under the wrong case name?); replace it with the mask drawn on this image.',
      })
    }
    for (const d of otherScan ? [] : diffs) {
      findings.push({
        severity: 'error',
        code: `${d.field}-mismatch`,
        file: path,
        text: `The "${name}" mask does not match its image ${basename(input.image)}: ${describeDifference(d)}.`,
        hint: d.field === 'size' || d.field === 'spacing' ? 'The mask must be on the image grid: resample it to the image (nearest neighbour) in the program that made it.' : 'The mask was saved with different geometry: re-export it from the image it was drawn on.',
      })
    }
    const values = maskValues(mask.data!)
    foreground[name] = values.foreground
    const verdict = judgeMask(values)
    const badMask = nonFiniteOf(mask.data!, mask.stored)
    if (badMask.nan + badMask.infinite > 0) {
      findings.push({ severity: 'error', code: 'mask-nan', file: path, text: `The "${name}" mask ${path} contains ${describeNonFinite(badMask)} (not finite numbers); a mask holds 0 and 1.`, hint: 'Replace them with 0 (background) or 1 and save it as 0/1 again.' })
    } else if (verdict === 'non-integer') {
      findings.push({ severity: 'error', code: 'mask-not-integer', file: path, text: `The "${name}" mask holds non-integer values (${formatValues(values)}): it looks like a probability map, not a binary mask.`, hint: 'Threshold it (e.g. > 0.5) and save it as 0/1 before preparing.' })
    } else if (verdict === 'multi-value') {
      findings.push({ severity: 'error', code: 'mask-multi-value', file: path, text: `The "${name}" mask holds several foreground values (its values: ${formatValues(values)}); a mask folder must hold one structure as 0/1.`, hint: /\.seg\.nrrd$/i.test(path) ? `It is a 3D Slicer segmentation: give each structure by its segment name (--label ${name}=segnrrd:DIR:SEGMENT, or "3D Slicer .seg.nrrd" in the Labels step).` : `If it is a label map, give each structure its value (--label ${name}=labelmap:DIR:VALUE, or "Label maps" in the Labels step); else split it into one binary mask per structure.` })
    } else if (verdict === 'other-single-value') {
      findings.push({ severity: 'warning', code: 'mask-not-binary', file: path, text: `The "${name}" mask uses ${values.values[0]} instead of 1 for foreground (values ${formatValues(values)}); every non-zero voxel is taken as "${name}".` })
    } else if (verdict === 'empty' && multi) {
      const what = multi.kind === 'labelmap' ? `label map ${path} holds no voxel of value ${aliasesOf(multi.names).join(' or ')} (its values: ${mapValues})` : `segment of ${path} is empty`
      findings.push({ severity: 'warning', code: 'mask-empty', file: path, text: `The "${name}" ${what}: this case has no "${name}".` })
    } else if (verdict === 'empty') {
      findings.push({ severity: 'warning', code: 'mask-empty', file: path, text: `The "${name}" mask is empty (all zero): this case has no "${name}".` })
    }
    masks.push(diffs.length ? null : mask.data)
  }

  const voxels = image.size.reduce((a, b) => a * b, 1)
  if (findings.some((f) => f.severity === 'error')) {
    // Never written; a preview still draws the masks that lie on the image's grid, so the user sees what is wrong.
    const partial = opts.partialLabel ? mergeMasks(voxels, masks) : null
    // The preview counts what it draws (0 for a mask off the grid); the check counts each mask's own foreground.
    const shown = partial ? dict(input.labelNames.map((n, k) => [n, partial.visible[k] ?? 0])) : foreground
    return { report: report({ geometry, imageType: image.componentType, voxelCounts: shown, rawVoxelCounts: foreground }), image, label: partial?.label ?? null, carry, imageWriting }
  }
  const merged = mergeMasks(voxels, masks)
  const voxelCounts = dict(input.labelNames.map((n, k) => [n, merged.visible[k] ?? 0]))
  if (merged.overlap > 0) {
    findings.push({ severity: 'info', code: 'overlap', text: `${merged.overlap} voxel${merged.overlap === 1 ? ' is' : 's are'} in more than one mask; the later label wins (${input.labelNames.join(' < ')}).` })
  }
  // Which masks share the overlapping voxels: the nested-regions analysis (shared/regions.ts) needs each pair.
  const pairs = merged.overlap > 0 ? overlapPairs(input.labelNames, masks) : undefined
  // A label the order hid completely (its mask has voxels, the merged map none) is a warning on the case.
  for (const w of wipedOutLabels(input.labelNames, foreground, voxelCounts, pairs)) {
    findings.push({ severity: 'warning', code: 'label-hidden-by-order', ...describeWipedOut(w, input.labelNames) })
  }
  return { report: report({ geometry, imageType: image.componentType, voxelCounts, rawVoxelCounts: foreground, overlapVoxels: merged.overlap, ...(pairs && { overlapPairs: pairs }) }), image, label: merged.label, carry, imageWriting }
}

/**
 * Runs `work` with the case's files open once (CaseFiles) and the memory its volumes claim held
 * from the run's budget; a case that claims more than the whole budget fails by name.
 */
async function withCase<T>(input: CaseInput, budget: SharedArrayBuffer | undefined, carrying: boolean, work: (files: CaseFiles) => Promise<T>, refused: (f: Finding) => T): Promise<T> {
  const files = new CaseFiles()
  try {
    let release = () => {}
    if (input.image) {
      const claim = await caseClaim(input.image, input.masks, files, carrying)
      try {
        release = await budgetOf(budget).reserve(claim.bytes, claim.largest)
      } catch (err) {
        if (!(err instanceof VolumeReadError)) throw err
        return refused({ severity: 'error', code: 'memory-budget', file: err.file, text: `Case "${input.caseKey}" was not read: ${err.file}: ${err.reason}` })
      }
    }
    try {
      return await work(files)
    } finally {
      release()
    }
  } finally {
    await files.close()
  }
}

const refusedReport = (input: CaseInput, f: Finding): CaseReport => ({ caseKey: input.caseKey, status: 'error', findings: [f], voxelCounts: {}, overlapVoxels: 0 })

export async function inspectCase(task: InspectTask): Promise<InspectResult> {
  return withCase(task.input, task.budget, false, (files) => inspectOpen(task, files), (f) => {
    if (task.want === 'preview') throw new Error(`Case "${task.input.caseKey}" cannot be previewed: ${f.text}`)
    return { report: refusedReport(task.input, f) }
  })
}

async function inspectOpen(task: InspectTask, files: CaseFiles): Promise<InspectResult> {
  const { report, image, label } = await checkCase(task.input, { partialLabel: task.want === 'preview', files })
  if (task.want === 'preview') {
    if (!image || !report.geometry) {
      const why = report.findings.find((f) => f.severity === 'error')?.text ?? 'the image cannot be read.'
      throw new Error(`Case "${task.input.caseKey}" cannot be previewed: ${why}`)
    }
    // A case with errors still shows its image and the masks that fit it, so the user can see why.
    const labelData = label ?? new Uint8Array(image.data!.length)
    return { report, ...viewerVolumes(report.geometry, image.data!, labelData, task.maxVoxels) }
  }
  // The check alone measures where each label lies (outliers.ts flags a mask outside the body).
  return { report: { ...report, inBody: inBodyByName(image?.data ?? null, label, task.input.labelNames) } }
}

/** Staged files go into a folder prepare made; one removed under a late write (a stop) must not come back. */
const STAGED = { createFolder: false } as const

export async function stageCase(task: StageTask): Promise<StageResult> {
  try {
    return await withCase(task.input, task.budget, true, (files) => stageOpen(task, files), (f) => ({ report: refusedReport(task.input, f) }))
  } catch (err) {
    // A full disk, a read-only or failing one: the run stops; the case is not blamed.
    const problem = environmentProblem(err)
    if (problem) return { report: { caseKey: task.input.caseKey, status: 'ok', findings: [], voxelCounts: {}, overlapVoxels: 0 }, environment: problem }
    throw err
  }
}

async function stageOpen(task: StageTask, files: CaseFiles): Promise<StageResult> {
  const { input } = task
  const { report, image, label, carry, imageWriting } = await checkCase(input, { carryTo: task.imageOut, files })
  if (report.status === 'error' || !image || !report.geometry || (task.labelOut && !label)) {
    if (imageWriting) {
      await imageWriting.catch(() => undefined)
      await rm(task.imageOut, { force: true })
    }
    return { report }
  }
  const carried = carry && 'carried' in carry ? carry.carried : null
  try {
    if (carried && !imageWriting) throw new Error(`The image ${input.image} was checked but not written; prepare it again.`)
    const imageBytes = imageWriting ? await imageWriting : await writeFileAtomic(task.imageOut, await encodeNiftiGz(report.geometry, image.data!), STAGED)
    report.imageWrite = carried ? { path: 'carried' } : { path: 'encoded', reason: carry && 'reason' in carry ? carry.reason : undefined }
    const labelBytes = task.labelOut ? await writeFileAtomic(task.labelOut, await encodeNiftiGz(report.geometry, label!, { intentCode: NIFTI_INTENT_LABEL }), STAGED) : 0
    // Where each label lies, as the Check measures it: prepare flags a mask that leaves the body too (outliers.ts).
    if (label && image.data) report.inBody = inBodyByName(image.data, label, input.labelNames)
    // Every source as it was read: the bytes checked and written are the bytes these hashes are of.
    return { report, staged: { imageBytes, labelBytes, sources: files.prints } }
  } catch (err) {
    await rm(task.imageOut, { force: true })
    if (task.labelOut) await rm(task.labelOut, { force: true })
    throw err
  }
}

type LabelMapValues = { label: Uint8Array | Uint16Array; values: { value: number; voxels: number }[] } | { bad: number }

/** A label map's values, counted; a value that is not a whole number from 0 to 65535 is returned as `bad`. */
function labelMapValues(data: VoxelArray): LabelMapValues {
  const counts = new Float64Array(data instanceof Uint8Array ? 256 : 65536)
  let max = 0
  if (data instanceof Uint8Array) {
    for (let i = 0; i < data.length; i++) counts[data[i]!]!++
    for (let v = 255; v > 0 && max === 0; v--) if (counts[v]) max = v
  } else {
    const big = data instanceof BigInt64Array || data instanceof BigUint64Array
    for (let i = 0; i < data.length; i++) {
      const v = big ? Number(data[i]) : (data[i] as number)
      if (v === 0) continue
      if (!Number.isInteger(v) || v < 0 || v > 65535) return { bad: v }
      counts[v]!++
      if (v > max) max = v
    }
  }
  const values: { value: number; voxels: number }[] = []
  for (let v = 1; v <= max; v++) if (counts[v]) values.push({ value: v, voxels: counts[v]! })
  if (data instanceof Uint8Array) return { label: data, values }
  const label = max <= 255 ? new Uint8Array(data.length) : new Uint16Array(data.length)
  for (let i = 0; i < data.length; i++) label[i] = Number(data[i])
  return { label, values }
}

export async function viewFilesCase(task: ViewTask): Promise<ViewResult> {
  const files = new CaseFiles()
  try {
    return await viewOpen(task, files)
  } finally {
    await files.close()
  }
}

async function viewOpen(task: ViewTask, files: CaseFiles): Promise<ViewResult> {
  const findings: Finding[] = []
  const image = await readOrFinding(task.image, 'image', findings, files)
  if (!image) throw new Error(`${task.image} cannot be shown: ${findings[0]?.text ?? 'the image cannot be read.'}`)
  const geometry = geometryOf(image)
  let label: Uint8Array | Uint16Array | null = null
  let values: ViewResult['values'] = []
  const lab = task.label ? await readOrFinding(task.label, 'label map', findings, files) : null
  if (task.label && lab) {
    const diffs = compareGeometry(geometry, geometryOf(lab))
    for (const d of diffs) {
      findings.push({
        severity: 'error',
        code: `${d.field}-mismatch`,
        file: task.label,
        text: `The label map ${basename(task.label)} does not match the image ${basename(task.image)}: ${describeDifference(d)}.`,
        hint: 'Choose the scan this label map was made from: nnU-Net writes each prediction on the grid of its input scan.',
      })
    }
    const counted = diffs.length ? null : labelMapValues(lab.data!)
    if (counted && 'bad' in counted) {
      findings.push({
        severity: 'error',
        code: Number.isInteger(counted.bad) ? 'label-out-of-range' : 'label-not-integer',
        file: task.label,
        text: Number.isInteger(counted.bad)
          ? `The label map ${basename(task.label)} holds the value ${counted.bad}; label values are whole numbers from 0 to 65535.`
          : `The label map ${basename(task.label)} holds non-integer values (e.g. ${+counted.bad.toPrecision(4)}): it looks like a probability map, not a segmentation.`,
        hint: 'Choose the segmentation file (nnU-Net writes case.nii.gz; probabilities go to case.npz).',
      })
    } else if (counted) {
      label = counted.label
      values = counted.values
    }
  }
  return {
    findings,
    geometry,
    imageType: image.componentType,
    values,
    ...viewerVolumes(geometry, image.data!, label ?? new Uint8Array(image.data!.length), task.maxVoxels),
  }
}
// The DICOM overview's per-case task (dicomOverview.ts) runs in this task module's workers.
export { dicomOverviewCase } from './dicomCase'
// The Labels step's structure names (structureNames.ts): a label folder's RTSTRUCT / SEG headers, parsed in a worker.
export { structureFilesIn } from './structureMask'
// The Labels step's names of .seg.nrrd files / label maps (structureNames.ts), read in a worker.
export { multiLabelNames } from './labelSourceMask'
