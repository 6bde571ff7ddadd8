// The geometry of one image series from its parsed headers: slices sorted by their position along
// the slice normal (never by file name or InstanceNumber, which exports get wrong), the spacing
// between them, and every reason the series cannot be read as one regular 3D volume, by name:
// gantry tilt, missing or uneven slices (with the positions and files), mixed orientation, size
// or pixel format. A series with a problem is refused, never resampled or shifted.
import { basename } from 'node:path'
import type { DicomProblem, DicomSeriesInfo, DicomSlice } from '../../../shared/api/dicom'
import { asArray, num, nums, str, transferSyntaxName, type Dataset } from './tags'

export interface ParsedImage {
  file: string
  transferSyntaxUid: string
  dataset: Dataset
}

/** Orientation cosines that differ by more than this are a different orientation. */
const ORIENTATION_TOLERANCE = 1e-4
/** Slice gaps (mm) that differ from the series' step by more than this are uneven. */
const GAP_TOLERANCE_MM = 0.01
/** In-plane drift (mm per slice) of the positions beyond which the series is tilted (sheared). */
const TILT_TOLERANCE_MM = 0.01

type Vec = [number, number, number]
const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const norm = (a: Vec) => Math.hypot(a[0], a[1], a[2])

/** A slice before sorting: its plane as its own header (or its frame's functional groups) gives it. */
interface RawSlice {
  file: string
  sopInstanceUid: string
  frame?: number
  position: Vec | null
  orientation: number[] | null
  pixelSpacing: number[] | null
  rows: number
  columns: number
}

function fmt(n: number): string {
  return Number(n.toFixed(3)).toString()
}

function fmtVec(v: number[]): string {
  return `(${v.map(fmt).join(', ')})`
}

/** Names a few files (by base name, with the count of the rest). */
export function nameFiles(files: string[], max = 4): string {
  const names = [...new Set(files.map((f) => basename(f)))]
  return names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '')
}

function groupItem(ds: Dataset | undefined, seq: string): Dataset | undefined {
  return ds ? asArray<Dataset>(ds[seq])[0] : undefined
}

/** The slices of one file: one for a classic image, one per frame for an enhanced multi-frame image. */
function slicesOf(img: ParsedImage): RawSlice[] {
  const ds = img.dataset
  const rows = num(ds.Rows, 0)
  const columns = num(ds.Columns, 0)
  const sop = str(ds.SOPInstanceUID)
  const perFrame = asArray<Dataset>(ds.PerFrameFunctionalGroupsSequence)
  if (perFrame.length > 0) {
    const shared = asArray<Dataset>(ds.SharedFunctionalGroupsSequence)[0]
    return perFrame.map((pf, i) => {
      const pos = groupItem(pf, 'PlanePositionSequence') ?? groupItem(shared, 'PlanePositionSequence')
      const ori = groupItem(pf, 'PlaneOrientationSequence') ?? groupItem(shared, 'PlaneOrientationSequence')
      const meas = groupItem(pf, 'PixelMeasuresSequence') ?? groupItem(shared, 'PixelMeasuresSequence')
      const p = pos ? nums(pos.ImagePositionPatient) : []
      const o = ori ? nums(ori.ImageOrientationPatient) : []
      const s = meas ? nums(meas.PixelSpacing) : []
      return { file: img.file, sopInstanceUid: sop, frame: i + 1, position: p.length === 3 ? (p as Vec) : null, orientation: o.length === 6 ? o : null, pixelSpacing: s.length === 2 ? s : null, rows, columns }
    })
  }
  const p = nums(ds.ImagePositionPatient)
  const o = nums(ds.ImageOrientationPatient)
  const s = nums(ds.PixelSpacing)
  return [{ file: img.file, sopInstanceUid: sop, position: p.length === 3 && p.every(Number.isFinite) ? (p as Vec) : null, orientation: o.length === 6 && o.every(Number.isFinite) ? o : null, pixelSpacing: s.length === 2 ? s : null, rows, columns }]
}

function rescaleOf(ds: Dataset): { slope: number; intercept: number } {
  const shared = asArray<Dataset>(ds.SharedFunctionalGroupsSequence)[0]
  const t = groupItem(shared, 'PixelValueTransformationSequence') ?? groupItem(asArray<Dataset>(ds.PerFrameFunctionalGroupsSequence)[0], 'PixelValueTransformationSequence')
  return { slope: num(ds.RescaleSlope ?? t?.RescaleSlope, 1), intercept: num(ds.RescaleIntercept ?? t?.RescaleIntercept, 0) }
}

/** Builds one series' info from its parsed images (all with the same SeriesInstanceUID). */
export function buildSeries(images: ParsedImage[]): DicomSeriesInfo {
  const first = images[0]!.dataset
  const problems: DicomProblem[] = []
  const raw = images.flatMap(slicesOf)
  const where = `series ${Number.isFinite(num(first.SeriesNumber)) ? `#${num(first.SeriesNumber)} ` : ''}"${str(first.SeriesDescription)}"`

  const noPos = raw.filter((s) => !s.position || !s.orientation)
  if (noPos.length > 0) {
    problems.push({ code: 'no-position', text: `${noPos.length} slice${noPos.length === 1 ? '' : 's'} of ${where} ${noPos.length === 1 ? 'has' : 'have'} no ImagePositionPatient / ImageOrientationPatient (${nameFiles(noPos.map((s) => s.file))}), so ${noPos.length === 1 ? 'its' : 'their'} place in the volume is unknown.`, files: noPos.map((s) => s.file) })
  }
  const placed = raw.filter((s) => s.position && s.orientation)
  const ref = placed[0] ?? raw[0]!
  const orientation = (ref.orientation ?? [1, 0, 0, 0, 1, 0]) as DicomSeriesInfo['orientation']
  const rowDir: Vec = [orientation[0], orientation[1], orientation[2]]
  const colDir: Vec = [orientation[3], orientation[4], orientation[5]]
  const normal = cross(rowDir, colDir)

  const otherOrientation = placed.filter((s) => s.orientation!.some((v, i) => Math.abs(v - orientation[i]!) > ORIENTATION_TOLERANCE))
  if (otherOrientation.length > 0) {
    problems.push({ code: 'mixed-orientation', text: `${where} mixes slice orientations: ${fmtVec(orientation)} and ${fmtVec(otherOrientation[0]!.orientation!)} (${nameFiles(otherOrientation.map((s) => s.file))}); one volume needs one orientation.`, files: otherOrientation.map((s) => s.file) })
  }
  const otherSize = raw.filter((s) => s.rows !== ref.rows || s.columns !== ref.columns)
  if (otherSize.length > 0) {
    problems.push({ code: 'mixed-size', text: `${where} mixes slice sizes: ${ref.columns}x${ref.rows} and ${otherSize[0]!.columns}x${otherSize[0]!.rows} (${nameFiles(otherSize.map((s) => s.file))}); one volume needs one slice size.`, files: otherSize.map((s) => s.file) })
  }
  const pixelSpacing = ref.pixelSpacing ?? [1, 1]
  const otherSpacing = raw.filter((s) => s.pixelSpacing && s.pixelSpacing.some((v, i) => Math.abs(v - pixelSpacing[i]!) > 1e-4))
  if (otherSpacing.length > 0) {
    problems.push({ code: 'mixed-size', text: `${where} mixes pixel spacings: ${pixelSpacing.map(fmt).join(' x ')} mm and ${otherSpacing[0]!.pixelSpacing!.map(fmt).join(' x ')} mm (${nameFiles(otherSpacing.map((s) => s.file))}).`, files: otherSpacing.map((s) => s.file) })
  }
  const fmtKey = (ds: Dataset) => `${num(ds.BitsAllocated)}/${num(ds.PixelRepresentation)}/${num(ds.SamplesPerPixel, 1)}`
  const otherFormat = images.filter((i) => fmtKey(i.dataset) !== fmtKey(first))
  if (otherFormat.length > 0) {
    problems.push({ code: 'mixed-pixel-format', text: `${where} mixes pixel formats (bits allocated / signedness / samples per pixel ${fmtKey(first)} and ${fmtKey(otherFormat[0]!.dataset)}: ${nameFiles(otherFormat.map((i) => i.file))}).`, files: otherFormat.map((i) => i.file) })
  }

  // Volume order: ascending position along the normal (row x column), as GDCM and ITK order it.
  const sorted: DicomSlice[] = placed
    .map((s) => ({ file: s.file, sopInstanceUid: s.sopInstanceUid, position: s.position!, along: dot(s.position!, normal), ...(s.frame !== undefined && { frame: s.frame }) }))
    .sort((a, b) => a.along - b.along)
  let step = 0
  if (sorted.length >= 2) {
    const gaps = sorted.slice(1).map((s, i) => s.along - sorted[i]!.along)
    const dupes = gaps.map((g, i) => (g < GAP_TOLERANCE_MM ? i : -1)).filter((i) => i >= 0)
    if (dupes.length > 0) {
      const files = dupes.flatMap((i) => [sorted[i]!.file, sorted[i + 1]!.file])
      problems.push({ code: 'duplicate-position', text: `${where} has ${dupes.length} pair${dupes.length === 1 ? '' : 's'} of slices at the same position (first at ${fmt(sorted[dupes[0]!]!.along)} mm along the normal: ${nameFiles(files)}): two acquisitions or a copied file in one series.`, files })
    }
    const positive = gaps.filter((g) => g >= GAP_TOLERANCE_MM).sort((a, b) => a - b)
    step = positive.length ? positive[Math.floor((positive.length - 1) / 2)]! : 0
    if (dupes.length === 0 && step > 0) {
      const missing: string[] = []
      const uneven: string[] = []
      const files: string[] = []
      gaps.forEach((g, i) => {
        if (Math.abs(g - step) <= GAP_TOLERANCE_MM) return
        const a = sorted[i]!
        const b = sorted[i + 1]!
        const k = Math.round(g / step)
        files.push(a.file, b.file)
        if (k >= 2 && Math.abs(g - k * step) <= GAP_TOLERANCE_MM) missing.push(`${k - 1} slice${k === 2 ? '' : 's'} between ${fmt(a.along)} mm (${basename(a.file)}) and ${fmt(b.along)} mm (${basename(b.file)})`)
        else uneven.push(`${fmt(g)} mm between ${fmt(a.along)} mm (${basename(a.file)}) and ${fmt(b.along)} mm (${basename(b.file)})`)
      })
      if (missing.length > 0) problems.push({ code: 'missing-slices', text: `${where} is missing slices (its step is ${fmt(step)} mm): ${missing.slice(0, 4).join('; ')}${missing.length > 4 ? '; …' : ''}. Export the whole series again.`, files })
      else if (uneven.length > 0) problems.push({ code: 'uneven-spacing', text: `${where} has unevenly spaced slices (its step is ${fmt(step)} mm): ${uneven.slice(0, 4).join('; ')}${uneven.length > 4 ? '; …' : ''}. nnU-Net needs a regular grid; resample it in the program that made it.`, files })
    }
    // Tilt: the slice positions drift within the slice plane as they step along the normal.
    const firstP = sorted[0]!.position
    const lastP = sorted[sorted.length - 1]!.position
    const d = sub(lastP, firstP)
    const inPlane = norm(sub(d, normal.map((n) => n * dot(d, normal)) as Vec))
    const drift = inPlane / (sorted.length - 1)
    if (drift > TILT_TOLERANCE_MM) {
      const angle = (Math.atan2(inPlane, Math.abs(dot(d, normal))) * 180) / Math.PI
      const tag = num(first.GantryDetectorTilt, 0)
      problems.push({ code: 'gantry-tilt', text: `${where} is tilted: its slices shift ${fmt(drift)} mm within the slice plane from one to the next (${fmt(angle)}° from the slice normal${tag ? `; GantryDetectorTilt ${fmt(tag)}°` : ''}, ${nameFiles([sorted[0]!.file, sorted[sorted.length - 1]!.file])}). A tilted series is a sheared volume that nnU-Net's grid cannot hold; correct the tilt (e.g. dcm2niix, or resample in 3D Slicer) and export it again.`, files: [sorted[0]!.file, sorted[sorted.length - 1]!.file] })
    }
  } else {
    problems.push({ code: 'single-slice', text: `${where} has ${sorted.length === 1 ? 'one slice' : 'no placed slice'}: not a 3D volume.`, files: images.map((i) => i.file) })
  }

  const spacing: DicomSeriesInfo['spacing'] = [pixelSpacing[1]!, pixelSpacing[0]!, sorted.length >= 2 ? (sorted[sorted.length - 1]!.along - sorted[0]!.along) / (sorted.length - 1) : 0]
  const direction = [rowDir[0], colDir[0], normal[0], rowDir[1], colDir[1], normal[1], rowDir[2], colDir[2], normal[2]]
  const files = [...new Set(sorted.map((s) => s.file))]
  const { slope, intercept } = rescaleOf(first)
  return {
    seriesInstanceUid: str(first.SeriesInstanceUID),
    studyInstanceUid: str(first.StudyInstanceUID),
    frameOfReferenceUid: str(first.FrameOfReferenceUID),
    modality: str(first.Modality),
    seriesDescription: str(first.SeriesDescription),
    seriesNumber: Number.isFinite(num(first.SeriesNumber)) ? num(first.SeriesNumber) : null,
    patientId: str(first.PatientID),
    patientName: str(first.PatientName),
    studyDate: str(first.StudyDate),
    studyDescription: str(first.StudyDescription),
    transferSyntaxUid: images[0]!.transferSyntaxUid,
    transferSyntax: transferSyntaxName(images[0]!.transferSyntaxUid),
    multiFrame: raw.some((s) => s.frame !== undefined),
    slices: sorted,
    files: files.length ? files : images.map((i) => i.file),
    size: [ref.columns, ref.rows, sorted.length],
    spacing,
    orientation,
    direction,
    origin: sorted[0]?.position ?? [0, 0, 0],
    rows: ref.rows,
    columns: ref.columns,
    bitsAllocated: num(first.BitsAllocated, 16),
    pixelRepresentation: num(first.PixelRepresentation, 0),
    rescaleSlope: slope,
    rescaleIntercept: intercept,
    volumetric: sorted.length >= 2 && problems.length === 0,
    problems,
  }
}
