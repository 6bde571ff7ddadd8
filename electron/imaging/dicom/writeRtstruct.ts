// A label map as an RTSTRUCT (RT Structure Set IOD, PS3.3 A.19) on its reference series: one ROI
// per label value, and per slice where it has voxels the borders of its regions and holes
// (exportContours.ts) as CLOSED_PLANAR contours in patient coordinates, computed from that slice's
// own ImagePositionPatient and the series' orientation and pixel spacing. Every contour names the
// image it lies on (ContourImageSequence), and the structure set references the frame of
// reference, study, series and all its instances, as planning systems and rt-utils require.
import type { ExportReference, Dataset } from './exportReference'
import { ALGORITHM_NAME, algorithmParameters, type ExportAlgorithm, type ExportSegment } from './exportSegments'
import type { LabelVoxels } from './exportGrid'
import { traceSliceContours } from './exportContours'
import { dicomDateTime, newInstance } from './writePart10'
import { uniqueInstances } from './writeSeg'

export const RTSTRUCT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.481.3'
const DETACHED_STUDY_MANAGEMENT = '1.2.840.10008.3.1.2.3.1'

export interface RoiSummary {
  roi: number
  value: number
  name: string
  contours: number
  slices: number
}

/**
 * A coordinate as a DICOM decimal string (DS, at most 16 characters), to a tenth of a micrometre.
 * Given to dcmjs as text: formatting hundreds of thousands of numbers itself takes it seconds.
 */
function ds(x: number): string {
  return String(Number(x.toFixed(4)))
}

export function buildRtstruct(ref: ExportReference, labels: LabelVoxels, segments: readonly ExportSegment[], algorithm: ExportAlgorithm, now = new Date()): { dataset: Dataset; summary: RoiSummary[] } {
  const [cols, rows, slices] = ref.size
  const plane = cols * rows
  const rowDir = ref.orientation.slice(0, 3)
  const colDir = ref.orientation.slice(3, 6)
  const [dx, dy] = ref.spacing // along a row (between columns), along a column (between rows)
  const mask = new Uint8Array(plane)
  const roiContours: Dataset[] = []
  const summary: RoiSummary[] = []
  segments.forEach((seg, i) => {
    const contours: Dataset[] = []
    let slicesWith = 0
    for (let k = 0; k < slices; k++) {
      const base = k * plane
      let any = false
      for (let p = 0; p < plane; p++) {
        const on = labels[base + p] === seg.value
        mask[p] = on ? 1 : 0
        any ||= on
      }
      if (!any) continue
      slicesWith++
      const slice = ref.slices[k]!
      const origin = slice.position
      for (const c of traceSliceContours(mask, cols, rows)) {
        const data: string[] = []
        for (const [col, row] of c.points) {
          for (let a = 0; a < 3; a++) data.push(ds(origin[a]! + col * dx * rowDir[a]! + row * dy * colDir[a]!))
        }
        contours.push({
          ContourImageSequence: [{ ReferencedSOPClassUID: slice.sopClassUid, ReferencedSOPInstanceUID: slice.sopInstanceUid, ...(slice.frame !== undefined && { ReferencedFrameNumber: slice.frame }) }],
          ContourGeometricType: 'CLOSED_PLANAR',
          NumberOfContourPoints: c.points.length,
          ContourNumber: contours.length + 1,
          ContourData: data,
        })
      }
    }
    roiContours.push({
      ROIDisplayColor: [...seg.colour],
      ReferencedROINumber: i + 1,
      // Present even when empty (a label the model did not find): readers such as rt-utils expect it.
      ContourSequence: contours,
    })
    summary.push({ roi: i + 1, value: seg.value, name: seg.name, contours: contours.length, slices: slicesWith })
  })
  const { date, time } = dicomDateTime(now)
  const parameters = algorithmParameters(algorithm)
  const description = `${ALGORITHM_NAME} ${algorithm.version || ''}`.trim() + (parameters ? ` (${parameters})` : '')
  const dataset: Dataset = {
    ...newInstance(RTSTRUCT_SOP_CLASS, 'RTSTRUCT', ref, `${ALGORITHM_NAME} structures`, now),
    OperatorsName: '',
    StructureSetLabel: ALGORITHM_NAME,
    StructureSetName: ALGORITHM_NAME,
    StructureSetDescription: description.slice(0, 1024),
    StructureSetDate: date,
    StructureSetTime: time,
    ReferencedFrameOfReferenceSequence: [
      {
        FrameOfReferenceUID: ref.frameOfReferenceUid,
        RTReferencedStudySequence: [
          {
            ReferencedSOPClassUID: DETACHED_STUDY_MANAGEMENT,
            ReferencedSOPInstanceUID: ref.studyInstanceUid,
            RTReferencedSeriesSequence: [
              {
                SeriesInstanceUID: ref.seriesInstanceUid,
                ContourImageSequence: uniqueInstances(ref).map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
              },
            ],
          },
        ],
      },
    ],
    StructureSetROISequence: segments.map((s, i) => ({
      ROINumber: i + 1,
      ReferencedFrameOfReferenceUID: ref.frameOfReferenceUid,
      ROIName: s.name.slice(0, 64),
      ROIDescription: `label ${s.value}`,
      ROIGenerationAlgorithm: 'AUTOMATIC',
      ROIGenerationDescription: description.slice(0, 64),
    })),
    ROIContourSequence: roiContours,
    RTROIObservationsSequence: segments.map((s, i) => ({
      ObservationNumber: i + 1,
      ReferencedROINumber: i + 1,
      ROIObservationLabel: s.name.slice(0, 64),
      RTROIInterpretedType: '',
      ROIInterpreter: '',
    })),
  }
  return { dataset, summary }
}
