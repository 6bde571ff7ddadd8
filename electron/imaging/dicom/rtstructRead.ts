// An RTSTRUCT's ROIs and their contours (ROIContourSequence), parsed with dcmjs, and the mask of
// the ROIs a label asks for, on the grid of the series the case uses (rtstructRaster.ts).
import { matchesStructure } from '../../../shared/structureSpec'
import { asArray, num, nums, str, type Dataset } from './tags'
import { readWholeDicom, StructureFileError } from './structureDataset'
import { rasteriseContours, type PlanarContour, type StructureGrid } from './rtstructRaster'
import { SOP_CLASS } from './headerIndex'

export interface RtstructRoi {
  number: number
  name: string
  contours: PlanarContour[]
}

export interface Rtstruct {
  file: string
  referencedSeriesUid: string | null
  frameOfReferenceUid: string
  rois: RtstructRoi[]
}

export async function readRtstruct(file: string): Promise<Rtstruct> {
  const { dataset: ds } = await readWholeDicom(file)
  if (str(ds.SOPClassUID) !== SOP_CLASS.rtstruct && str(ds.Modality).toUpperCase() !== 'RTSTRUCT') throw new StructureFileError(file, `it is not an RTSTRUCT (SOP class ${str(ds.SOPClassUID) || 'none'}, modality ${str(ds.Modality) || 'none'}).`)
  let referencedSeriesUid: string | null = null
  let frameOfReferenceUid = ''
  for (const fr of asArray<Dataset>(ds.ReferencedFrameOfReferenceSequence)) {
    frameOfReferenceUid ||= str(fr.FrameOfReferenceUID)
    for (const st of asArray<Dataset>(fr.RTReferencedStudySequence)) for (const se of asArray<Dataset>(st.RTReferencedSeriesSequence)) referencedSeriesUid ??= str(se.SeriesInstanceUID) || null
  }
  const names = new Map<number, string>()
  for (const r of asArray<Dataset>(ds.StructureSetROISequence)) names.set(num(r.ROINumber), str(r.ROIName))
  const rois: RtstructRoi[] = []
  for (const rc of asArray<Dataset>(ds.ROIContourSequence)) {
    const number = num(rc.ReferencedROINumber)
    const contours = asArray<Dataset>(rc.ContourSequence).map((c) => ({ type: str(c.ContourGeometricType).toUpperCase(), points: nums(c.ContourData) }))
    rois.push({ number, name: names.get(number) ?? `ROI ${number}`, contours })
  }
  // An ROI listed without contours is an empty structure, not a missing one.
  for (const [number, name] of names) if (!rois.some((r) => r.number === number)) rois.push({ number, name, contours: [] })
  return { file, referencedSeriesUid, frameOfReferenceUid, rois }
}

/**
 * The mask (one byte a voxel, x fastest) of every ROI of `rt` whose name is one of the aliases
 * `names`, united, on `grid`. Throws StructureFileError naming the file when no ROI matches, when
 * the structure set is on another frame of reference, or when a contour lies on no slice.
 */
export function rtstructMask(rt: Rtstruct, names: string, grid: StructureGrid): { mask: Uint8Array; rois: string[]; skipped: number } {
  const chosen = rt.rois.filter((r) => matchesStructure(r.name, names))
  if (chosen.length === 0) throw new StructureFileError(rt.file, `it has no ROI named ${names.split('|').map((n) => `"${n.trim()}"`).join(' or ')} (its ROIs: ${rt.rois.map((r) => r.name).join(', ') || 'none'}).`)
  if (rt.frameOfReferenceUid && grid.frameOfReferenceUid && rt.frameOfReferenceUid !== grid.frameOfReferenceUid) {
    throw new StructureFileError(rt.file, `its contours are in frame of reference ${rt.frameOfReferenceUid}, the series in ${grid.frameOfReferenceUid}: they are positions in another coordinate system. Use the structure set drawn on this series.`)
  }
  const voxels = grid.size[0] * grid.size[1] * grid.size[2]
  const mask = new Uint8Array(voxels)
  let skipped = 0
  for (const roi of chosen) {
    const r = rasteriseContours(grid, roi.contours, { file: rt.file, roi: roi.name })
    skipped += r.skipped
    for (let i = 0; i < voxels; i++) mask[i]! |= r.mask[i]!
  }
  return { mask, rois: chosen.map((r) => r.name), skipped }
}
