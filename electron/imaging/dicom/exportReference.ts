// The image series an exported SEG / RTSTRUCT refers to: its slices in volume order (sorted by
// position along the slice normal, as ITK and the import sort them, never by file name), the UIDs
// every reference needs, its grid, and the header of its first slice (the patient and study
// modules an export must copy). Only headers are read (dcmjs, up to PixelData): the pixels of the
// reference series are never needed to write a structure on it.
//
// A folder may hold other instances (an older RTSTRUCT, a SEG, a report); they are skipped. It must
// hold exactly one image series, or `seriesUid` must name one: an export that references the
// wrong series is worse than none.
import { readdir, readFile } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import dcmjs from 'dcmjs'

/** A naturalized dcmjs dataset: keywords to values (sequences as arrays of datasets). */
export type Dataset = Record<string, unknown>

export interface ReferenceSlice {
  file: string
  sopClassUid: string
  sopInstanceUid: string
  /** ImagePositionPatient of the slice's first voxel (LPS, mm). */
  position: [number, number, number]
  /** Enhanced multi-frame: the 1-based frame of `file` holding the slice. */
  frame?: number
}

export interface ExportReference {
  dir: string
  studyInstanceUid: string
  seriesInstanceUid: string
  frameOfReferenceUid: string
  modality: string
  seriesDescription: string
  /** Volume order: index 0 is voxel k = 0. */
  slices: ReferenceSlice[]
  /** Columns, rows, slices. */
  size: [number, number, number]
  /** Column spacing (along a row), row spacing, slice distance (mm). */
  spacing: [number, number, number]
  /** ImageOrientationPatient: row direction then column direction. */
  orientation: [number, number, number, number, number, number]
  /** ITK direction, row-major: direction[r * 3 + c] = LPS component r of voxel axis c. */
  direction: number[]
  origin: [number, number, number]
  sliceThickness: number | null
  /** Header of the first slice: the patient, study and equipment modules come from here. */
  header: Dataset
}

export class ReferenceSeriesError extends Error {
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`The reference series ${dir} cannot be used: ${reason}`)
  }
}

export function asArray<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null || v === '') return []
  return (Array.isArray(v) ? v : [v]) as T[]
}

export function text(v: unknown): string {
  const a = asArray(v)
  const x = a[0]
  if (x && typeof x === 'object' && 'Alphabetic' in (x as object)) return String((x as { Alphabetic?: string }).Alphabetic ?? '')
  return x === undefined || x === null ? '' : String(x).trim()
}

function numbers(v: unknown): number[] {
  return asArray(v).map(Number)
}

const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!
const cross = (a: readonly number[], b: readonly number[]): [number, number, number] => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!]

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true })
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile()) out.push(p)
    }
  }
  await walk(dir)
  return out
}

/** The header of a DICOM file up to PixelData, or null when the file is not DICOM. */
async function readHeader(file: string): Promise<Dataset | null> {
  const bytes = await readFile(file)
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') return null
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const msg = dcmjs.data.DicomMessage.readFile(ab, { untilTag: '7FE00010', includeUntilTagValue: false })
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict) as Dataset
}

const NON_IMAGE_MODALITIES = new Set(['RTSTRUCT', 'SEG', 'RTPLAN', 'RTDOSE', 'SR', 'PR', 'KO', 'REG'])

/** One frame per slice: classic images (one per file) and enhanced multi-frame ones (frames in per-frame groups). */
function slicesOf(file: string, ds: Dataset): { slice: ReferenceSlice; orientation: number[]; thickness: number | null; pixelSpacing: number[] }[] {
  const sopClassUid = text(ds.SOPClassUID)
  const sopInstanceUid = text(ds.SOPInstanceUID)
  const perFrame = asArray<Dataset>(ds.PerFrameFunctionalGroupsSequence)
  if (perFrame.length) {
    const shared = asArray<Dataset>(ds.SharedFunctionalGroupsSequence)[0] ?? {}
    return perFrame.map((fg, i) => {
      const pick = (seq: string) => asArray<Dataset>(fg[seq])[0] ?? asArray<Dataset>(shared[seq])[0] ?? {}
      const measures = pick('PixelMeasuresSequence')
      return {
        slice: { file, sopClassUid, sopInstanceUid, position: numbers(pick('PlanePositionSequence').ImagePositionPatient) as [number, number, number], frame: i + 1 },
        orientation: numbers(pick('PlaneOrientationSequence').ImageOrientationPatient),
        thickness: measures.SliceThickness === undefined ? null : Number(text(measures.SliceThickness)),
        pixelSpacing: numbers(measures.PixelSpacing),
      }
    })
  }
  const thickness = ds.SliceThickness === undefined || text(ds.SliceThickness) === '' ? null : Number(text(ds.SliceThickness))
  return [{ slice: { file, sopClassUid, sopInstanceUid, position: numbers(ds.ImagePositionPatient) as [number, number, number] }, orientation: numbers(ds.ImageOrientationPatient), thickness, pixelSpacing: numbers(ds.PixelSpacing) }]
}

/**
 * Reads the image series in `dir` (any depth, any file names). `seriesUid` picks one when the
 * folder holds several; without it, several image series are refused with their list.
 */
export async function readExportReference(dir: string, seriesUid?: string): Promise<ExportReference> {
  let files: string[]
  try {
    files = await filesUnder(dir)
  } catch (err) {
    throw new ReferenceSeriesError(dir, `the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); give the folder holding the series' DICOM files.`)
  }
  const bySeries = new Map<string, { file: string; ds: Dataset }[]>()
  for (const file of files) {
    let ds: Dataset | null
    try {
      ds = await readHeader(file)
    } catch {
      continue // not a DICOM file we can parse: a folder from a PACS export holds DICOMDIRs, notes, thumbnails
    }
    if (!ds) continue
    const modality = text(ds.Modality).toUpperCase()
    if (NON_IMAGE_MODALITIES.has(modality) || !(Number(text(ds.Rows)) > 0)) continue
    const uid = text(ds.SeriesInstanceUID)
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), { file, ds }])
  }
  if (!bySeries.size) throw new ReferenceSeriesError(dir, 'it holds no DICOM image series (no file with rows, columns and an image position). Give the folder of the scan the labels were predicted on.')
  let chosen: { file: string; ds: Dataset }[] | undefined
  if (seriesUid) {
    chosen = bySeries.get(seriesUid)
    if (!chosen) throw new ReferenceSeriesError(dir, `it holds no series ${seriesUid}; it holds ${seriesList(bySeries)}.`)
  } else if (bySeries.size > 1) {
    throw new ReferenceSeriesError(dir, `it holds ${bySeries.size} image series: ${seriesList(bySeries)}. Give a folder with only the series the labels were predicted on.`)
  } else chosen = [...bySeries.values()][0]!
  return buildReference(dir, chosen)
}

function seriesList(bySeries: Map<string, { file: string; ds: Dataset }[]>): string {
  return [...bySeries.entries()]
    .map(([uid, items]) => `${uid || '(no SeriesInstanceUID)'} (${text(items[0]!.ds.Modality) || '?'}, "${text(items[0]!.ds.SeriesDescription)}", ${items.length} file${items.length === 1 ? '' : 's'})`)
    .join('; ')
}

function buildReference(dir: string, items: { file: string; ds: Dataset }[]): ExportReference {
  const first = items[0]!.ds
  const name = (f: string) => relative(dir, f) || basename(f)
  const missing = (['StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID'] as const).filter((k) => !text(first[k]))
  if (missing.length) throw new ReferenceSeriesError(dir, `${name(items[0]!.file)} has no ${missing.join(', ')}; a SEG or RTSTRUCT must reference them, so the series needs them (an anonymiser that empties UIDs must replace them instead).`)
  const frames = items.flatMap(({ file, ds }) => slicesOf(file, ds))
  const noUid = frames.find((f) => !f.slice.sopInstanceUid || !f.slice.sopClassUid)
  if (noUid) throw new ReferenceSeriesError(dir, `${name(noUid.slice.file)} has no SOPInstanceUID or SOPClassUID, which every referenced slice needs.`)
  const o = frames[0]!.orientation
  if (o.length !== 6 || o.some((x) => !Number.isFinite(x))) throw new ReferenceSeriesError(dir, `${name(frames[0]!.slice.file)} has no ImageOrientationPatient.`)
  const badOrientation = frames.find((f) => f.orientation.length !== 6 || f.orientation.some((x, i) => Math.abs(x - o[i]!) > 1e-4))
  if (badOrientation) throw new ReferenceSeriesError(dir, `its slices have different orientations (${name(frames[0]!.slice.file)} and ${name(badOrientation.slice.file)}).`)
  const noPosition = frames.find((f) => f.slice.position.length !== 3 || f.slice.position.some((x) => !Number.isFinite(x)))
  if (noPosition) throw new ReferenceSeriesError(dir, `${name(noPosition.slice.file)} has no ImagePositionPatient.`)
  const rowDir = o.slice(0, 3)
  const colDir = o.slice(3, 6)
  const normal = cross(rowDir, colDir)
  const along = (f: (typeof frames)[number]) => dot(f.slice.position, normal)
  frames.sort((a, b) => along(a) - along(b))
  const rows = Number(text(first.Rows))
  const columns = Number(text(first.Columns))
  const ps = frames[0]!.pixelSpacing
  if (ps.length !== 2 || !(ps[0]! > 0) || !(ps[1]! > 0)) throw new ReferenceSeriesError(dir, `${name(frames[0]!.slice.file)} has no PixelSpacing.`)
  let sliceSpacing = frames.length > 1 ? (along(frames[frames.length - 1]!) - along(frames[0]!)) / (frames.length - 1) : (frames[0]!.thickness ?? 1)
  if (frames.length > 1) {
    for (let i = 1; i < frames.length; i++) {
      const step = along(frames[i]!) - along(frames[i - 1]!)
      if (Math.abs(step - sliceSpacing) > Math.max(1e-3, 1e-3 * sliceSpacing)) {
        throw new ReferenceSeriesError(dir, `its slices are not evenly spaced (${name(frames[i - 1]!.slice.file)} to ${name(frames[i]!.slice.file)}: ${step.toFixed(3)} mm, the series averages ${sliceSpacing.toFixed(3)} mm), so no label map lies on its grid.`)
      }
    }
    // Tilted: the slice positions do not advance along the normal.
    const p0 = frames[0]!.slice.position
    const pn = frames[frames.length - 1]!.slice.position
    const d = [pn[0] - p0[0], pn[1] - p0[1], pn[2] - p0[2]]
    const len = Math.hypot(d[0]!, d[1]!, d[2]!)
    if (len > 0 && Math.abs(dot(d, normal)) / len < 1 - 1e-4) throw new ReferenceSeriesError(dir, 'its slices are not stacked along their normal (gantry tilt), so no label map lies on its grid.')
  } else sliceSpacing = Math.abs(sliceSpacing)
  const direction = [rowDir[0]!, colDir[0]!, normal[0], rowDir[1]!, colDir[1]!, normal[1], rowDir[2]!, colDir[2]!, normal[2]]
  return {
    dir,
    studyInstanceUid: text(first.StudyInstanceUID),
    seriesInstanceUid: text(first.SeriesInstanceUID),
    frameOfReferenceUid: text(first.FrameOfReferenceUID),
    modality: text(first.Modality),
    seriesDescription: text(first.SeriesDescription),
    slices: frames.map((f) => f.slice),
    size: [columns, rows, frames.length],
    // PixelSpacing is (row spacing, column spacing): the distance between rows first.
    spacing: [ps[1]!, ps[0]!, sliceSpacing],
    orientation: o as ExportReference['orientation'],
    direction,
    origin: [...frames[0]!.slice.position] as [number, number, number],
    sliceThickness: frames[0]!.thickness,
    header: first,
  }
}
