// A DICOM-SEG's segments and frames, parsed with dcmjs, and the mask of the segments a label asks
// for on the grid of the series the case uses. Frames are placed by the instance they reference
// (DerivationImageSequence > SourceImageSequence > ReferencedSOPInstanceUID), else by their
// position along the slice normal; the frame's in-plane position and orientation must be the
// series' own (nothing is resampled). Writers omit empty frames (highdicom does by default): a slice
// no frame lands on is empty. BINARY frames are bit-packed (frames follow each other without
// padding to a byte); FRACTIONAL ones hold one byte a pixel, foreground where value / maximum >= 0.5.
import { matchesStructure } from '../../../shared/structureSpec'
import { asArray, num, nums, str, type Dataset } from './tags'
import { readWholeDicom, StructureFileError } from './structureDataset'
import { patientToIndex, sliceTolerance, type StructureGrid } from './rtstructRaster'
import { SOP_CLASS } from './headerIndex'

export interface SegFrame {
  segment: number
  /** The source instance the frame was derived from, when the SEG names it. */
  instanceUid: string | null
  /** ImagePositionPatient of the frame's first pixel, when given. */
  position: number[] | null
}

export interface Seg {
  file: string
  type: 'BINARY' | 'FRACTIONAL'
  maxFractional: number
  rows: number
  columns: number
  /** Row direction then column direction of every frame. */
  orientation: number[] | null
  frameOfReferenceUid: string
  segments: { number: number; label: string }[]
  frames: SegFrame[]
  pixels: Uint8Array
}

/** Uncompressed transfer syntaxes (dcmjs gives their pixel data as stored; compressed SEGs are rare and refused by name). */
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'])

function first(v: unknown): Dataset | undefined {
  return asArray<Dataset>(v)[0]
}

export async function readSeg(file: string): Promise<Seg> {
  const { dataset: ds, transferSyntaxUid } = await readWholeDicom(file)
  if (str(ds.SOPClassUID) !== SOP_CLASS.seg && str(ds.Modality).toUpperCase() !== 'SEG') throw new StructureFileError(file, `it is not a DICOM-SEG (SOP class ${str(ds.SOPClassUID) || 'none'}, modality ${str(ds.Modality) || 'none'}).`)
  if (!NATIVE.has(transferSyntaxUid)) throw new StructureFileError(file, `its frames are compressed (transfer syntax ${transferSyntaxUid}); nnU-Net Wizard reads SEGs stored uncompressed. Write it again uncompressed (Explicit VR Little Endian), e.g. with highdicom or dcmqi.`)
  const type = str(ds.SegmentationType).toUpperCase()
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new StructureFileError(file, `its SegmentationType is "${type || 'missing'}"; BINARY or FRACTIONAL segmentations are read.`)
  const shared = first(ds.SharedFunctionalGroupsSequence) ?? {}
  const perFrame = asArray<Dataset>(ds.PerFrameFunctionalGroupsSequence)
  const frameCount = num(ds.NumberOfFrames, perFrame.length || 1)
  const sharedSegment = num(first(shared.SegmentIdentificationSequence)?.ReferencedSegmentNumber)
  const sharedOrientation = nums(first(shared.PlaneOrientationSequence)?.ImageOrientationPatient)
  const frames: SegFrame[] = []
  for (let f = 0; f < frameCount; f++) {
    const g = perFrame[f] ?? {}
    const segment = num(first(g.SegmentIdentificationSequence)?.ReferencedSegmentNumber, sharedSegment)
    const derivation = first(g.DerivationImageSequence) ?? first(shared.DerivationImageSequence)
    const sources = asArray<Dataset>(derivation?.SourceImageSequence)
    const instanceUid = sources.length ? str(sources[0]!.ReferencedSOPInstanceUID) || null : null
    const position = nums(first(g.PlanePositionSequence)?.ImagePositionPatient)
    frames.push({ segment, instanceUid, position: position.length === 3 ? position : null })
  }
  const pixelData = asArray<ArrayBuffer>(ds.PixelData)
  if (pixelData.length === 0) throw new StructureFileError(file, 'it has no pixel data.')
  const total = pixelData.reduce((n, b) => n + b.byteLength, 0)
  const pixels = new Uint8Array(total)
  let at = 0
  for (const b of pixelData) {
    pixels.set(new Uint8Array(b), at)
    at += b.byteLength
  }
  const rows = num(ds.Rows)
  const columns = num(ds.Columns)
  const need = type === 'BINARY' ? Math.ceil((rows * columns * frameCount) / 8) : rows * columns * frameCount
  if (pixels.length < need) throw new StructureFileError(file, `its pixel data holds ${pixels.length} bytes, ${frameCount} frames of ${columns}x${rows} need ${need}: the file is cut short.`)
  return {
    file,
    type,
    maxFractional: num(ds.MaximumFractionalValue, 255),
    rows,
    columns,
    orientation: orientationOf(sharedOrientation, perFrame[0]),
    frameOfReferenceUid: str(ds.FrameOfReferenceUID),
    segments: asArray<Dataset>(ds.SegmentSequence).map((s) => ({ number: num(s.SegmentNumber), label: str(s.SegmentLabel) })),
    frames,
    pixels,
  }
}

/** Shared, else the first frame's ImageOrientationPatient (writers put it in either). */
function orientationOf(shared: number[], frame: Dataset | undefined): number[] | null {
  if (shared.length === 6) return shared
  const own = nums(first(frame?.PlaneOrientationSequence)?.ImageOrientationPatient)
  return own.length === 6 ? own : null
}

/** The segments `names` picks: by label (aliases, without case), else a name that is a segment number. */
export function segmentsNamed(seg: Pick<Seg, 'segments'>, names: string): number[] {
  const byLabel = seg.segments.filter((s) => matchesStructure(s.label, names)).map((s) => s.number)
  if (byLabel.length) return byLabel
  return seg.segments.filter((s) => names.split('|').some((a) => /^\s*\d+\s*$/.test(a) && Number(a) === s.number)).map((s) => s.number)
}

/**
 * The mask (one byte a voxel, x fastest, then y, then slices in the series' order) of the segments
 * `names` picks, united, on `grid`. Throws StructureFileError naming the file when no segment
 * matches, when a frame references an instance the series does not have, or when a frame lies off
 * the series' grid.
 */
export function segMask(seg: Seg, names: string, grid: StructureGrid): { mask: Uint8Array; segments: string[] } {
  const wanted = segmentsNamed(seg, names)
  if (wanted.length === 0) throw new StructureFileError(seg.file, `it has no segment labelled ${names.split('|').map((n) => `"${n.trim()}"`).join(' or ')} (its segments: ${seg.segments.map((s) => `${s.number} "${s.label}"`).join(', ') || 'none'}).`)
  const [nx, ny, nz] = grid.size as [number, number, number]
  if (seg.columns !== nx || seg.rows !== ny) throw new StructureFileError(seg.file, `its frames are ${seg.columns}x${seg.rows} pixels, the series' slices ${nx}x${ny}: it was made on another series. Use the SEG of this series.`)
  if (seg.frameOfReferenceUid && grid.frameOfReferenceUid && seg.frameOfReferenceUid !== grid.frameOfReferenceUid) throw new StructureFileError(seg.file, `it is in frame of reference ${seg.frameOfReferenceUid}, the series in ${grid.frameOfReferenceUid}. Use the SEG of this series.`)
  if (seg.orientation && seg.orientation.length === 6) {
    const d = grid.direction
    const own = [d[0]!, d[3]!, d[6]!, d[1]!, d[4]!, d[7]!]
    if (own.some((v, i) => Math.abs(v - seg.orientation![i]!) > 1e-3)) throw new StructureFileError(seg.file, `its frames are oriented (${seg.orientation.join(', ')}), the series (${own.map((v) => +v.toFixed(4)).join(', ')}); frames are not resampled. Use the SEG made on this series.`)
  }
  const slice = new Map(grid.slices.map((s, k) => [s.sopInstanceUid, k]))
  const toIndex = patientToIndex(grid)
  const tolerance = sliceTolerance(Math.abs(grid.spacing[2]!)) / Math.abs(grid.spacing[2]!)
  const inPlane = 1e-2
  const plane = nx * ny
  const mask = new Uint8Array(plane * nz)
  const want = new Set(wanted)
  const threshold = seg.maxFractional * 0.5
  seg.frames.forEach((frame, f) => {
    if (!want.has(frame.segment)) return
    let k: number | undefined
    if (frame.instanceUid) {
      k = slice.get(frame.instanceUid)
      if (k === undefined) throw new StructureFileError(seg.file, `frame ${f + 1} references the instance ${frame.instanceUid}, which the series does not have: the SEG was made on another series, or slices are missing from this one.`)
    }
    if (frame.position) {
      const [i, j, kk] = toIndex(frame.position[0]!, frame.position[1]!, frame.position[2]!)
      const kr = Math.round(kk)
      if (Math.abs(i) > inPlane || Math.abs(j) > inPlane || Math.abs(kk - kr) > tolerance || kr < 0 || kr >= nz || (k !== undefined && k !== kr)) {
        throw new StructureFileError(seg.file, `frame ${f + 1} at (${frame.position.map((v) => +v.toFixed(2)).join(', ')}) mm lies off the series' grid${k !== undefined && k !== kr ? ` (it references slice ${k + 1} but lies at slice ${kr + 1})` : ''}; frames are not resampled. Use the SEG made on this series.`)
      }
      k ??= kr
    }
    if (k === undefined) throw new StructureFileError(seg.file, `frame ${f + 1} names neither the instance it was derived from nor its position: it cannot be placed on a slice.`)
    const out = k * plane
    if (seg.type === 'BINARY') {
      const bit0 = f * plane
      for (let p = 0; p < plane; p++) {
        const bit = bit0 + p
        if ((seg.pixels[bit >> 3]! >> (bit & 7)) & 1) mask[out + p] = 1
      }
    } else {
      const byte0 = f * plane
      for (let p = 0; p < plane; p++) if (seg.pixels[byte0 + p]! >= threshold) mask[out + p] = 1
    }
  })
  return { mask, segments: seg.segments.filter((s) => want.has(s.number)).map((s) => s.label) }
}
