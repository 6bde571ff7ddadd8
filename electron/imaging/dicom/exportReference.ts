// The image series an exported SEG / RTSTRUCT refers to: the import's header index of the folder
// (headerIndex.ts: series grouped by SeriesInstanceUID, slices sorted along the normal, geometry
// problems named) and its series choice (chooseSeries.ts), plus what an export needs beyond that:
// each slice's SOP class, the slice thickness, and the header of the first slice (the patient and
// study modules an export must copy). Only headers are read: the pixels of the reference series
// are never needed to write a structure on it.
import type { DicomSeriesInfo } from '../../../shared/api/dicom'
import { chooseSeries } from './chooseSeries'
import { indexDicomFolder, parseDicomHeader } from './headerIndex'
import { asArray, str, type Dataset } from './tags'
import { patientAndStudy } from './patientStudy'

export type { Dataset } from './tags'

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
  /**
   * The patient and study modules of the first slice, as plain JSON data (an export copies them;
   * plain so the reference can be sent to a worker: dcmjs' parsed values cannot be cloned).
   */
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

function thicknessOf(ds: Dataset): number | null {
  const shared = asArray<Dataset>(ds.SharedFunctionalGroupsSequence)[0]
  const measures = shared ? asArray<Dataset>(shared.PixelMeasuresSequence)[0] : undefined
  const t = Number(str(ds.SliceThickness ?? measures?.SliceThickness))
  return str(ds.SliceThickness ?? measures?.SliceThickness) !== '' && t > 0 ? t : null
}

/** The export reference of an indexed series (its first file's header read again, whole up to PixelData). */
export async function referenceOf(dir: string, series: DicomSeriesInfo): Promise<ExportReference> {
  if (series.problems.length) throw new ReferenceSeriesError(dir, series.problems.map((p) => p.text).join(' '))
  const parsed = await parseDicomHeader(series.files[0]!)
  if (!parsed) throw new ReferenceSeriesError(dir, `${series.files[0]} is no longer a DICOM file.`)
  const header = parsed.dataset
  const missing = (['StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID', 'SOPClassUID'] as const).filter((k) => !str(header[k]))
  if (missing.length) throw new ReferenceSeriesError(dir, `${series.files[0]} has no ${missing.join(', ')}; a SEG or RTSTRUCT must reference them (an anonymiser that empties UIDs must replace them instead).`)
  const noUid = series.slices.find((s) => !s.sopInstanceUid)
  if (noUid) throw new ReferenceSeriesError(dir, `${noUid.file} has no SOPInstanceUID, which every referenced slice needs.`)
  const sopClassUid = str(header.SOPClassUID)
  return {
    dir,
    studyInstanceUid: series.studyInstanceUid,
    seriesInstanceUid: series.seriesInstanceUid,
    frameOfReferenceUid: series.frameOfReferenceUid,
    modality: series.modality,
    seriesDescription: series.seriesDescription,
    slices: series.slices.map((s) => ({ file: s.file, sopClassUid, sopInstanceUid: s.sopInstanceUid, position: s.position, ...(s.frame !== undefined && { frame: s.frame }) })),
    size: series.size,
    spacing: series.spacing,
    orientation: series.orientation,
    direction: series.direction,
    origin: series.origin,
    sliceThickness: thicknessOf(header),
    header: JSON.parse(JSON.stringify(patientAndStudy(header))) as Dataset,
  }
}

/**
 * The series of `dir` (any depth, any file names) an export refers to: the one `seriesUid` names,
 * else the one a structure set there references, else the only volumetric one; otherwise refused
 * with the series listed.
 */
export async function readExportReference(dir: string, seriesUid?: string): Promise<ExportReference> {
  let index
  try {
    index = await indexDicomFolder(dir)
  } catch (err) {
    throw new ReferenceSeriesError(dir, `the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); give the folder holding the series' DICOM files.`)
  }
  const choice = chooseSeries(index, seriesUid ? { seriesUid } : {})
  if (!choice.ok) throw new ReferenceSeriesError(dir, choice.problem.text)
  return referenceOf(dir, choice.series)
}
