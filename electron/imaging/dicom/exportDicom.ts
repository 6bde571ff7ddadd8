// A label map back to DICOM: read the label map and the headers of its reference series, check
// that the label map lies on the series' grid (exportGrid.ts: refused by name otherwise, never
// resampled), build a DICOM-SEG or an RTSTRUCT that references the series, and write it
// atomically. Neither the label map nor the series folder is ever written to.
import { basename, resolve } from 'node:path'
import { leadsInside } from '../../files/pathInside'
import { writeFileAtomic } from '../../files/writeAtomic'
import type { Rgb } from '../../../shared/schema'
import { as3d, readVolume } from '../volume'
import { labelsOnReference } from './exportGrid'
import { readExportReference, type ExportReference } from './exportReference'
import { exportSegments, type ExportAlgorithm } from './exportSegments'
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, part10Bytes } from './writePart10'
import { buildRtstruct, type RoiSummary } from './writeRtstruct'
import { buildSeg, type SegFrameSummary } from './writeSeg'

export type DicomExportFormat = 'seg' | 'rtstruct'

export interface DicomExportOptions {
  /** The label map (a prediction: .nii.gz, .nrrd, .mha...). */
  labels: string
  /** The folder of the image series the label map was predicted on. */
  reference: string
  format: DicomExportFormat
  /** The file to write. */
  out: string
  /** Label names by value (dataset.json); values without a name are exported as "label N". */
  names?: readonly { name: string; value: number }[]
  /** Colours by label name; others take the app's label colour table. */
  colours?: Readonly<Record<string, Rgb>>
  algorithm?: ExportAlgorithm
  /** Picks the series when the reference folder holds several. */
  seriesUid?: string
  /** The series already chosen (a case folder indexed by the caller); `reference` is then its folder. */
  series?: ExportReference
}

export interface DicomExportResult {
  out: string
  format: DicomExportFormat
  bytes: number
  sopInstanceUid: string
  seriesInstanceUid: string
  referencedSeriesUid: string
  referencedStudyUid: string
  frameOfReferenceUid: string
  slices: number
  /** SEG: frames and voxels per segment; RTSTRUCT: contours and slices per ROI. */
  segments: (SegFrameSummary | RoiSummary)[]
}

export async function exportDicom(opts: DicomExportOptions): Promise<DicomExportResult> {
  const out = resolve(opts.out)
  const reference = resolve(opts.reference)
  if (await leadsInside(out, reference)) {
    throw new Error(`The output ${out} is inside the reference series folder ${reference}; a series folder is never written to (and the next import would take the export for part of the series). Write it to another folder.`)
  }
  if (await leadsInside(out, resolve(opts.labels)).catch(() => false)) throw new Error(`The output ${out} is the label map itself; choose another file name.`)
  const ref = opts.series ?? (await readExportReference(reference, opts.seriesUid))
  const read = await readVolume(resolve(opts.labels), { native: true })
  const volume = as3d(read)
  if (!volume) throw new Error(`The label map ${opts.labels} is not a 3D volume (it has ${read.dimension} dimensions, size ${read.size.join('x')}).`)
  const labels = labelsOnReference(opts.labels, volume, ref)
  const present = new Set<number>(labels)
  const segments = exportSegments(opts.names ?? [], present, opts.colours)
  if (!segments.length) throw new Error(`The label map ${opts.labels} holds no labels (all voxels are 0) and no label names were given; there is nothing to export.`)
  const algorithm = opts.algorithm ?? { version: '' }
  const built = opts.format === 'seg' ? buildSeg(ref, labels, segments, algorithm) : buildRtstruct(ref, labels, segments, algorithm)
  // RTSTRUCT in implicit VR (as planning systems write it): a long contour's ContourData needs a 32-bit length.
  const bytes = part10Bytes(built.dataset, opts.format === 'rtstruct' ? IMPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN)
  await writeFileAtomic(out, bytes)
  return {
    out,
    format: opts.format,
    bytes: bytes.length,
    sopInstanceUid: String(built.dataset.SOPInstanceUID),
    seriesInstanceUid: String(built.dataset.SeriesInstanceUID),
    referencedSeriesUid: ref.seriesInstanceUid,
    referencedStudyUid: ref.studyInstanceUid,
    frameOfReferenceUid: ref.frameOfReferenceUid,
    slices: ref.slices.length,
    segments: built.summary,
  }
}

/** Default output name beside others of a case: CASE_seg.dcm / CASE_rtstruct.dcm. */
export function exportFileName(caseId: string, format: DicomExportFormat): string {
  return `${basename(caseId)}_${format}.dcm`
}
