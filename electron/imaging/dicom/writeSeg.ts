// A label map as a BINARY DICOM-SEG (Segmentation IOD, PS3.3 A.51) on its reference series: one
// segment per label value, one frame per segment and slice where the segment has voxels (empty
// frames are left out, as the standard allows and viewers expect), each frame naming the source
// instance it was derived from (DerivationImageSequence > SourceImageSequence) and its plane
// position, so a viewer places it on the right image without reading geometry. The frame of
// reference, the study and the series referenced are those of the series; the patient and study
// modules are copied from it (writePart10.ts).
import type { ExportReference, Dataset } from './exportReference'
import { ALGORITHM_NAME, algorithmParameters, rgbToDicomLab, type ExportAlgorithm, type ExportSegment } from './exportSegments'
import type { LabelVoxels } from './exportGrid'
import { newInstance, newUid } from './writePart10'

export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4'

const code = (value: string, scheme: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning })

// The property of an nnU-Net label is known by its name only; "Tissue" is the generic category and
// type 3D Slicer and dcmqi use when nothing more is known (SNOMED CT 85756007).
const TISSUE = code('85756007', 'SCT', 'Tissue')
const SOURCE_IMAGE = code('121322', 'DCM', 'Source image for image processing operation')
const SEGMENTATION = code('113076', 'DCM', 'Segmentation')
const ARTIFICIAL_INTELLIGENCE = code('123110', 'DCM', 'Artificial Intelligence')

export interface SegFrameSummary {
  segment: number
  value: number
  name: string
  frames: number
  voxels: number
}

/** The source instance (and frame) of slice `slice` of the series. */
function sourceReference(ref: ExportReference, slice: number): Dataset {
  const s = ref.slices[slice]!
  return {
    ReferencedSOPClassUID: s.sopClassUid,
    ReferencedSOPInstanceUID: s.sopInstanceUid,
    ...(s.frame !== undefined && { ReferencedFrameNumber: s.frame }),
  }
}

/** The SEG dataset (naturalized dcmjs), with what each segment holds. */
export function buildSeg(ref: ExportReference, labels: LabelVoxels, segments: readonly ExportSegment[], algorithm: ExportAlgorithm, now = new Date()): { dataset: Dataset; summary: SegFrameSummary[] } {
  const [cols, rows, slices] = ref.size
  const plane = cols * rows
  // Which (segment, slice) pairs have voxels: one pass over the labels.
  const segmentOf = new Map(segments.map((s, i) => [s.value, i]))
  const filled = segments.map(() => new Uint32Array(slices))
  for (let k = 0; k < slices; k++) {
    const base = k * plane
    for (let p = 0; p < plane; p++) {
      const v = labels[base + p]!
      if (v === 0) continue
      const si = segmentOf.get(v)
      if (si !== undefined) filled[si]![k]!++
    }
  }
  const frames: { segment: number; slice: number }[] = []
  segments.forEach((_, si) => {
    for (let k = 0; k < slices; k++) if (filled[si]![k]! > 0) frames.push({ segment: si, slice: k })
  })
  // A SEG needs at least one frame: a prediction with nothing found keeps one empty frame of its first segment.
  if (!frames.length && segments.length) frames.push({ segment: 0, slice: 0 })

  // BINARY: one bit per pixel, frames packed one after the other without padding between them, first pixel in the lowest bit.
  const bits = frames.length * plane
  const bytes = new Uint8Array(Math.ceil(bits / 8) + (Math.ceil(bits / 8) % 2))
  frames.forEach((f, n) => {
    const value = segments[f.segment]!.value
    const src = f.slice * plane
    const dst = n * plane
    for (let p = 0; p < plane; p++) {
      if (labels[src + p] === value) {
        const bit = dst + p
        bytes[bit >> 3]! |= 1 << (bit & 7)
      }
    }
  })

  const dimensionUid = newUid()
  const parameters = algorithmParameters(algorithm)
  const algorithmId = {
    AlgorithmFamilyCodeSequence: [ARTIFICIAL_INTELLIGENCE],
    AlgorithmName: ALGORITHM_NAME,
    AlgorithmVersion: algorithm.version || 'unknown',
    ...(parameters && { AlgorithmParameters: parameters }),
    AlgorithmSource: 'nnU-Net Wizard',
  }
  const thickness = ref.sliceThickness ?? ref.spacing[2]
  const dataset: Dataset = {
    ...newInstance(SEG_SOP_CLASS, 'SEG', ref, `${ALGORITHM_NAME} segmentation`, now),
    ImageType: ['DERIVED', 'PRIMARY'],
    FrameOfReferenceUID: ref.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ContentLabel: 'NNUNET',
    ContentDescription: `${ALGORITHM_NAME} prediction`.slice(0, 64),
    ContentCreatorName: '',
    SegmentationType: 'BINARY',
    LossyImageCompression: '00',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: cols,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    NumberOfFrames: frames.length,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: ref.seriesInstanceUid,
        ReferencedInstanceSequence: uniqueInstances(ref).map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
      },
    ],
    SegmentSequence: segments.map((s, i) => ({
      SegmentNumber: i + 1,
      SegmentLabel: s.name.slice(0, 64),
      SegmentDescription: s.name.slice(0, 64),
      SegmentAlgorithmType: algorithm.corrected ? 'SEMIAUTOMATIC' : 'AUTOMATIC',
      SegmentAlgorithmName: ALGORITHM_NAME,
      SegmentationAlgorithmIdentificationSequence: [algorithmId],
      SegmentedPropertyCategoryCodeSequence: [TISSUE],
      SegmentedPropertyTypeCodeSequence: [TISSUE],
      RecommendedDisplayCIELabValue: rgbToDicomLab(s.colour),
    })),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [{ PixelSpacing: [ref.spacing[1], ref.spacing[0]], SliceThickness: thickness, SpacingBetweenSlices: ref.spacing[2] }],
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...ref.orientation] }],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map((f) => ({
      DerivationImageSequence: [
        {
          // Same grid as the source: each frame lies exactly on its source slice (readers index by source then).
          SourceImageSequence: [{ ...sourceReference(ref, f.slice), PurposeOfReferenceCodeSequence: [SOURCE_IMAGE], SpatialLocationsPreserved: 'YES' }],
          DerivationCodeSequence: [SEGMENTATION],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [f.segment + 1, f.slice + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: [...ref.slices[f.slice]!.position] }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment + 1 }],
    })),
    PixelData: [bytes.buffer],
    _vrMap: { PixelData: 'OB' },
  }
  const summary = segments.map((s, i) => ({
    segment: i + 1,
    value: s.value,
    name: s.name,
    frames: frames.filter((f) => f.segment === i && filled[i]![f.slice]! > 0).length,
    voxels: filled[i]!.reduce((a, b) => a + b, 0),
  }))
  return { dataset, summary }
}

/** Each referenced instance once (an enhanced multi-frame series is one instance for all its slices). */
export function uniqueInstances(ref: ExportReference): { sopClassUid: string; sopInstanceUid: string }[] {
  const seen = new Map<string, { sopClassUid: string; sopInstanceUid: string }>()
  for (const s of ref.slices) if (!seen.has(s.sopInstanceUid)) seen.set(s.sopInstanceUid, { sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid })
  return [...seen.values()]
}
