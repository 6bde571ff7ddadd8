// A label read from RTSTRUCT ROIs or DICOM-SEG segments (issue 20, item 4), inside the volume
// worker that checks the case: the label's folder is indexed (every file's header, any names, any
// depth; cached per worker and read again when a file changed), the structure file that
// references the case's series and holds the ROI / segment is chosen (never by file name), and its
// contours or frames are put on the series' own grid (imaging/dicom/rtstruct*.ts, seg*.ts). The
// result is a mask on the image's grid, so every rule after it (values, overlap, merge by label
// order, regions, the body check) is the one masks from a folder go through.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import type { Finding } from '../../shared/api'
import type { DicomSeriesInfo, DicomStructureInfo } from '../../shared/api/dicom'
import { aliasesOf, isDicomStructure, matchesStructure, type DicomStructureKind, type StructureChoice } from '../../shared/structureSpec'
import { ALLOW_MISSING_HINT } from '../../shared/layout'
import { indexDicomFolder, listFilesDeep, nameFiles } from '../imaging/dicom'
import { readRtstruct, rtstructMask } from '../imaging/dicom/rtstructRead'
import { readSeg, segMask } from '../imaging/dicom/segRead'
import { StructureFileError } from '../imaging/dicom/structureDataset'
import type { Volume } from '../imaging/volume'

const indexes = new Map<string, { signature: string; structures: DicomStructureInfo[] }>()

/** The RTSTRUCT and SEG files under `dir` (any depth), as the header index finds them. */
export async function structureFilesIn(dir: string): Promise<DicomStructureInfo[]> {
  const files = await listFilesDeep(dir)
  const stats = await Promise.all(files.map((f) => stat(f).catch(() => null)))
  const signature = files.map((f, i) => `${f}\0${stats[i]?.size}\0${stats[i]?.mtimeMs}`).join('\n')
  const cached = indexes.get(dir)
  if (cached?.signature === signature) return cached.structures
  const { structures } = await indexDicomFolder(dir)
  indexes.set(dir, { signature, structures })
  return structures
}

const what = (kind: StructureChoice['kind']) => (kind === 'rtstruct' ? 'structure set (RTSTRUCT)' : 'DICOM-SEG')
const quoted = (names: string) => aliasesOf(names).map((n) => `"${n}"`).join(' or ')

export type StructurePick = { file: string } | { missing: string } | { ambiguous: string; files: string[] }

/**
 * The one file of `kind` in the label folder that references `seriesUid` and holds a structure
 * named by `names`; else why not (none references the series, none of those has the name), or
 * every file that has it when more than one does.
 */
export function pickStructureFile(structures: DicomStructureInfo[], choice: StructureChoice, seriesUid: string, dir: string): StructurePick {
  const onSeries = structures.filter((s) => s.kind === choice.kind && s.referencedSeriesUid === seriesUid)
  const named = onSeries.filter((s) => s.names.some((n) => matchesStructure(n, choice.names)) || (choice.kind === 'seg' && aliasesOf(choice.names).some((a) => /^\d+$/.test(a))))
  if (named.length === 1) return { file: named[0]!.file }
  if (named.length > 1) return { ambiguous: `${named.length} ${what(choice.kind)} files in ${dir} reference this case's series and hold ${quoted(choice.names)}: ${nameFiles(named.map((s) => s.file))}.`, files: named.map((s) => s.file) }
  if (onSeries.length === 0) return { missing: `no ${what(choice.kind)} in ${dir} references this case's series` }
  const found = [...new Set(onSeries.flatMap((s) => s.names))]
  return { missing: `the ${what(choice.kind)} ${onSeries.length === 1 ? 'file' : 'files'} in ${dir} that ${onSeries.length === 1 ? 'references' : 'reference'} this case's series (${nameFiles(onSeries.map((s) => s.file))}) ${onSeries.length === 1 ? 'has' : 'have'} no ${choice.kind === 'rtstruct' ? 'ROI' : 'segment'} named ${quoted(choice.names)} (${choice.kind === 'rtstruct' ? 'ROIs' : 'segments'} there: ${found.join(', ') || 'none'})` }
}

async function printOf(path: string): Promise<{ path: string; size: number; mtimeMs: number; sha256: string }> {
  const [info, bytes] = await Promise.all([stat(path), readFile(path)])
  return { path, size: info.size, mtimeMs: info.mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') }
}

export interface StructureMaskInput {
  caseKey: string
  labelName: string
  dir: string
  choice: StructureChoice
  allowMissingMask: boolean
}

/**
 * The label's mask on the grid of `image` (read from `series`), as a volume of that grid; null
 * with a finding when the case has none (an error, or a warning with "cases may lack a mask") or
 * when its file cannot be used (an error naming the file).
 */
export async function readStructureMask(input: StructureMaskInput, image: Volume, series: DicomSeriesInfo | null, findings: Finding[]): Promise<Volume | null> {
  const { labelName: name, dir, choice } = input
  if (!series) {
    findings.push({ severity: 'error', code: 'structure-needs-dicom', file: dir, text: `"${name}" comes from ${what(choice.kind)} files, which are matched to a case by the DICOM series they reference; case "${input.caseKey}" is not a DICOM folder.`, hint: 'Give the images as one folder of DICOM files per case, or give "' + name + '" as a folder of masks.' })
    return null
  }
  let structures: DicomStructureInfo[]
  try {
    structures = await structureFilesIn(dir)
  } catch (err) {
    findings.push({ severity: 'error', code: 'folder-unreadable', file: dir, text: `The "${name}" folder ${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, hint: 'Check the path and the folder permissions.' })
    return null
  }
  const pick = pickStructureFile(structures, choice, series.seriesInstanceUid, dir)
  if ('missing' in pick) {
    findings.push(
      input.allowMissingMask
        ? { severity: 'warning', code: 'mask-missing', file: dir, text: `No "${name}" for case "${input.caseKey}": ${pick.missing}. "${name}" is left empty for this case (cases may lack a mask).` }
        : { severity: 'error', code: 'mask-missing', file: dir, text: `No "${name}" for case "${input.caseKey}": ${pick.missing}.`, hint: `Add the ${choice.kind === 'rtstruct' ? 'ROI' : 'segment'} (or another of its names as an alias, A|B), or ${ALLOW_MISSING_HINT} to treat "${name}" as absent in this case.` },
    )
    return null
  }
  if ('ambiguous' in pick) {
    findings.push({ severity: 'error', code: 'structure-ambiguous', file: pick.files[0], text: `"${name}" of case "${input.caseKey}": ${pick.ambiguous}`, hint: 'Keep one of them in the folder (e.g. the approved structure set), or name the structure so that only one file matches.' })
    return null
  }
  try {
    const mask = choice.kind === 'rtstruct' ? rtstructMask(await readRtstruct(pick.file), choice.names, series) : segMask(await readSeg(pick.file), choice.names, series)
    const skipped = 'skipped' in mask ? mask.skipped : 0
    if (skipped > 0) findings.push({ severity: 'info', code: 'contours-skipped', file: pick.file, text: `"${name}": ${skipped} contour${skipped === 1 ? '' : 's'} of ${pick.file} ${skipped === 1 ? 'is' : 'are'} not CLOSED_PLANAR (points or open lines hold no area) and ${skipped === 1 ? 'was' : 'were'} skipped.` })
    return { ...image, componentType: 'uint8', pixelType: 'Scalar', components: 1, data: mask.mask, stored: null, sources: [await printOf(pick.file)] }
  } catch (err) {
    if (!(err instanceof StructureFileError)) throw err
    findings.push({ severity: 'error', code: 'structure-unusable', file: err.file, text: `The "${name}" ${what(choice.kind)} ${err.file} cannot be used for case "${input.caseKey}": ${err.reason}` })
    return null
  }
}

/**
 * The scan's view of a structure folder: it must be a readable folder; which file belongs to which
 * case is decided per case in the worker, by the series it references (so `files` stays empty, and
 * the case's mask entry is the folder itself).
 */
export async function listStructureFolder(dir: string, labelName: string, kind: StructureChoice['kind']): Promise<{ dir: string; files: Map<string, string>; findings: Finding[] }> {
  const findings: Finding[] = []
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => err)
  if (info instanceof Error) {
    findings.push({ severity: 'error', code: info.code === 'ENOENT' ? 'folder-missing' : 'folder-unreadable', file: dir, text: `The "${labelName}" ${what(kind)} folder ${dir} ${info.code === 'ENOENT' ? 'does not exist' : `cannot be read (${info.code})`}.`, hint: 'Check the path (spelling, a drive that is not mounted).' })
  } else if (!info.isDirectory()) {
    findings.push({ severity: 'error', code: 'folder-not-directory', file: dir, text: `The "${labelName}" ${what(kind)} path ${dir} is a file, not a folder.`, hint: `Choose the folder that holds the ${what(kind)} files (any names, any depth).` })
  } else if ((await listFilesDeep(dir).catch(() => [])).length === 0) {
    findings.push({ severity: 'error', code: 'folder-empty', file: dir, text: `The "${labelName}" ${what(kind)} folder ${dir} holds no files.`, hint: `Choose the folder that holds the ${what(kind)} files (any names, any depth).` })
  }
  return { dir, files: new Map(), findings }
}

/**
 * The series of a DICOM case folder that its structure labels' files reference, when exactly one
 * of its series is: a folder holding several series (a scout, a bone and a soft-tissue
 * reconstruction) uses the one the structure sets were drawn on, as it would with the structure
 * set inside the folder. Nothing when the user chose a series, or when the files reference none
 * or several of them (the series choice then decides, or refuses by name).
 */
export async function seriesReferencedByLabels(input: { image: string | null; structures?: (StructureChoice | null)[]; labelDirs: string[]; dicomSeries?: string; dicomSeriesUid?: string }, files: { dicomIndex?: { series: DicomSeriesInfo[] } }): Promise<{ dicomSeriesUid?: string }> {
  const dirs = (input.structures ?? []).map((s, k) => (s && isDicomStructure(s.kind) ? { kind: s.kind, dir: input.labelDirs[k] ?? '' } : null)).filter((d): d is { kind: DicomStructureKind; dir: string } => d !== null && d.dir !== '')
  if (!input.image || dirs.length === 0 || input.dicomSeries || input.dicomSeriesUid) return {}
  files.dicomIndex ??= await indexDicomFolder(input.image)
  const own = new Set(files.dicomIndex.series.map((s) => s.seriesInstanceUid))
  if (own.size < 2) return {}
  const referenced = new Set<string>()
  for (const { kind, dir } of dirs) {
    const structures = await structureFilesIn(dir).catch(() => [])
    for (const s of structures) if (s.kind === kind && s.referencedSeriesUid && own.has(s.referencedSeriesUid)) referenced.add(s.referencedSeriesUid)
  }
  return referenced.size === 1 ? { dicomSeriesUid: [...referenced][0]! } : {}
}
