// DICOM input (issue 20): what the header index finds in a folder of DICOM files, per series and
// per structure set / SEG, and which series a case uses. Pure types, shared by the import
// (electron/imaging/dicom/), the RTSTRUCT/SEG readers, the exporters, `nnunet-wizard dicom list`
// and the Sources step. Geometry is LPS, as DICOM and ITK give it; the slice axis points from the
// first slice to the last of `slices` (sorted by position along the normal, never by file name).
// Patient, study and series tags are here for showing the user which series is which; nothing
// from a DICOM tag may go into dataset.json, file names or a manifest without source paths.
import { z } from 'zod'
import { type Input, namedRecord, pathText } from './common'

export type DicomInstanceKind = 'image' | 'rtstruct' | 'seg' | 'other'

/** One slice of an image series, in volume order (index 0 = voxel k = 0). */
export interface DicomSlice {
  /** Absolute path of the file holding it. */
  file: string
  sopInstanceUid: string
  /** ImagePositionPatient (LPS, mm) of the slice's first voxel. */
  position: [number, number, number]
  /** Position along the slice normal (mm): position . (row x column direction). */
  along: number
  /** Enhanced multi-frame: the 1-based frame number in `file`; absent for one slice per file. */
  frame?: number
}

/** What is wrong with a series or a case, by name: a case with any such problem is refused, never resampled. */
export type DicomProblemCode =
  | 'unreadable'
  | 'no-position'
  | 'gantry-tilt'
  | 'missing-slices'
  | 'uneven-spacing'
  | 'duplicate-position'
  | 'mixed-orientation'
  | 'mixed-size'
  | 'mixed-pixel-format'
  | 'single-slice'
  | 'no-series'
  | 'ambiguous-series'
  | 'referenced-series-missing'
  | 'series-not-matched'

export interface DicomProblem {
  code: DicomProblemCode
  /** A full sentence for the user: what is wrong, where (positions, files), what to do. */
  text: string
  /** The files concerned (a few), for the finding's `file`. */
  files: string[]
}

export interface DicomSeriesInfo {
  seriesInstanceUid: string
  studyInstanceUid: string
  frameOfReferenceUid: string
  modality: string
  seriesDescription: string
  seriesNumber: number | null
  /** For display only (the overview); never written into a dataset. */
  patientId: string
  patientName: string
  studyDate: string
  studyDescription: string
  /** TransferSyntaxUID of the first file, and its common name. */
  transferSyntaxUid: string
  transferSyntax: string
  /** Enhanced (multi-frame) image storage: all slices in one file. */
  multiFrame: boolean
  /** Sorted along the slice normal (see DicomSlice.along). */
  slices: DicomSlice[]
  /** The distinct files of the series, in slice order. */
  files: string[]
  /** Columns, rows, slices. */
  size: [number, number, number]
  /** Column spacing, row spacing, distance between slice positions (mm); the last is 0 for one slice. */
  spacing: [number, number, number]
  /** ImageOrientationPatient: row direction then column direction. */
  orientation: [number, number, number, number, number, number]
  /** ITK direction, row-major (direction[r * 3 + c] = LPS component r of voxel axis c). */
  direction: number[]
  /** ImagePositionPatient of the first slice. */
  origin: [number, number, number]
  rows: number
  columns: number
  bitsAllocated: number
  pixelRepresentation: number
  rescaleSlope: number
  rescaleIntercept: number
  /** A 3D volume that can be read (>= 2 slices, no geometry problem). */
  volumetric: boolean
  problems: DicomProblem[]
}

/** A structure set (RTSTRUCT) or DICOM-SEG found in the case folder. */
export interface DicomStructureInfo {
  kind: 'rtstruct' | 'seg'
  file: string
  sopInstanceUid: string
  seriesInstanceUid: string
  seriesDescription: string
  /** The image series it references (RTSTRUCT: RTReferencedSeriesSequence; SEG: ReferencedSeriesSequence); null if none is named. */
  referencedSeriesUid: string | null
  frameOfReferenceUid: string
  /** ROI names (RTSTRUCT StructureSetROISequence) or segment labels (SEG SegmentSequence). */
  names: string[]
}

/** Everything the header index found under one case folder. */
export interface DicomCaseIndex {
  dir: string
  series: DicomSeriesInfo[]
  structures: DicomStructureInfo[]
  /** Files that are not DICOM or cannot be parsed (name and why). */
  unreadable: { file: string; reason: string }[]
  /** DICOM files of other kinds (presentation states, reports, ...): counted, not used. */
  otherInstances: number
}

export type DicomSeriesChoice =
  | { ok: true; series: DicomSeriesInfo; why: 'referenced' | 'only-volumetric' | 'pattern' }
  | { ok: false; problem: DicomProblem }

/** `nnunet-wizard dicom list --json` and the Sources overview: one entry per case folder. */
export interface DicomOverviewCase {
  caseKey: string
  dir: string
  series: (Omit<DicomSeriesInfo, 'slices' | 'files'> & { files: number; referencedBy: { kind: 'rtstruct' | 'seg'; file: string; names: string[] }[] })[]
  structures: DicomStructureInfo[]
  /** The series the case would use, or null (then `problems` says why). */
  chosenSeriesUid: string | null
  problems: DicomProblem[]
  unreadable: { file: string; reason: string }[]
}

/** The overview of a folder: one case per sub-folder holding DICOM files, or the folder itself when it holds them directly. */
export interface DicomOverview {
  dir: string
  cases: DicomOverviewCase[]
}

export const dicomOverviewRequest = z.object({
  dir: pathText,
  /** As prepare's --series: a regular expression on SeriesDescription for folders with several series. */
  series: z.string().min(1).max(500).optional(),
  /** The series chosen per case in the app: case key -> SeriesInstanceUID (wins over `series`). */
  seriesByCase: namedRecord(z.string().min(1).max(64)).optional(),
})

/** The methods of this area, each with the zod schema of its request. */
export const dicomRequests = {
  dicomOverview: dicomOverviewRequest,
} as const

export interface DicomApi {
  /** Every case folder's series, structure sets / SEGs and problems (`nnunet-wizard dicom list`, the Sources step). */
  dicomOverview(req: Input<typeof dicomOverviewRequest>): Promise<DicomOverview>
}
