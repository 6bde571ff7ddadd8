// From source folders to an nnU-Net dataset: scan and match, validate, preview one merged case,
// plan the output (folder, case ids, dataset.json) and write it (electron/dataset/).
import { z } from 'zod'
import { type Finding, type Input, type JobRef, namedRecord, pathText, type Rgb, rgb } from './common'
import type { OverlapPair } from '../regions'
import { labelMapValues, type StructureNames } from '../structureSpec'

export const labelSource = z.object({
  name: z.string().min(1).max(200),
  dir: pathText,
  color: rgb.optional(),
  /** v2 ignore label (shared/ignoreLabel.ts): unannotated voxels, merged last, "ignore" in dataset.json. */
  ignore: z.boolean().optional(),
  /**
   * Issue 20: the label is read from RTSTRUCT ROIs or DICOM-SEG segments in `dir` (any names, any
   * depth), matched to each DICOM case by the series they reference; `names` is one name or
   * aliases "A|B|C", matched without case (shared/structureSpec.ts). Absent: `dir` holds masks.
   * Issue 18: 'segnrrd' (3D Slicer .seg.nrrd, a segment by name) and 'labelmap' (label maps,
   * `names` the value or values "3|4") are one file per case in `dir`, matched by name as masks.
   */
  structure: z
    .object({ kind: z.enum(['rtstruct', 'seg', 'segnrrd', 'labelmap']), names: z.string().min(1).max(1000) })
    .refine((s) => s.kind !== 'labelmap' || !('error' in labelMapValues(s.names)), { message: 'label map values are whole numbers 1..65535 (one, or several as 3|4)', path: ['names'] })
    .optional(),
})

export type LabelSource = z.infer<typeof labelSource>

export const sourceSpec = z.object({
  imagesDir: pathText,
  /** In priority order: the first is value 1, the second 2, ... a later label wins where masks overlap. */
  labels: z.array(labelSource).min(1, 'at least one mask folder is required').max(254),
  allowMissingMask: z.boolean().default(false),
  /** DICOM case folders (issue 20): a regular expression on SeriesDescription that picks each case's series (`--series`). */
  dicomSeries: z.string().min(1).max(500).optional(),
  /** DICOM case folders: the series chosen per case in the app, case key -> SeriesInstanceUID (wins over dicomSeries). */
  dicomSeriesByCase: namedRecord(z.string().min(1).max(64)).optional(),
})

export type SourceSpec = z.infer<typeof sourceSpec>

export type SourceSpecInput = z.input<typeof sourceSpec>

export const layoutKind = z.enum(['nnunet-v2', 'msd'])

export type LayoutKind = z.infer<typeof layoutKind>

export const splitSpec = z.object({
  testCount: z.number().int().min(0).optional(),
  testFraction: z.number().min(0).max(0.9).optional(),
  seed: z.number().int().default(0),
  /** Patients (shared/splits.ts): a regular expression on the case key (first group, or the match)... */
  groupPattern: z.string().min(1).max(500).optional(),
  /** ...or case key -> group (a CSV "case,group"). Test cases are then whole groups. */
  groups: namedRecord(z.string().min(1).max(200)).optional(),
})

export type SplitSpec = z.infer<typeof splitSpec>

/**
 * The split when none is asked for, in the app and the CLI alike: no held-out test set, because
 * nnU-Net cross-validates on the training cases (its 5 folds need at least 5 of them).
 */
export const DEFAULT_SPLIT = { seed: 0 } as const satisfies z.input<typeof splitSpec>

export const datasetMetadata = z.object({
  description: z.string().max(2000).default(''),
  reference: z.string().max(2000).default(''),
  licence: z.string().max(200).default(''),
  release: z.string().max(200).default('1.0'),
  /** One name per input channel, e.g. ["CT"]; v2 writes these as channel_names, MSD as modality. */
  channelNames: z.array(z.string().min(1).max(100)).min(1).default(['CT']),
})

export type DatasetMetadata = z.infer<typeof datasetMetadata>

export const outputSpec = z.object({
  layout: layoutKind.default('nnunet-v2'),
  outDir: pathText,
  id: z.number().int().min(1).max(999),
  name: z.string().min(1).max(200),
  prefix: z.string().max(100).optional(),
  split: splitSpec.default(DEFAULT_SPLIT),
  metadata: datasetMetadata.default({ description: '', reference: '', licence: '', release: '1.0', channelNames: ['CT'] }),
  overwrite: z.boolean().default(false),
  /**
   * false (--no-source-paths): the dataset folder keeps nothing derived from a source name or path
   * (not even its hash) and no times, only case ids, roles, sizes and content SHA-256; the names a
   * resume needs stay in a private index in the user's state folder. Default true.
   */
  sourcePaths: z.boolean().optional(),
  /**
   * v2: write dataset.json for region-based training where masks nest (--regions): region labels
   * and regions_class_order from the measured nesting (shared/regions.ts); label files unchanged.
   */
  regions: z.boolean().optional(),
  /**
   * Keep the merged label map of each held-out test case in labelsTs/ (default true; false:
   * --no-test-labels), so predictions of imagesTs can be scored with nnU-Net's own evaluator.
   * nnU-Net never trains on labelsTs; the v1/MSD converters ignore the folder.
   */
  testLabels: z.boolean().optional(),
})

export type OutputSpec = z.infer<typeof outputSpec>

export type OutputSpecInput = z.input<typeof outputSpec>

export const prepareRequest = z.object({ sources: sourceSpec, output: outputSpec })

export type PrepareRequest = z.infer<typeof prepareRequest>

/**
 * The viewer's volumes hold at most `maxVoxels` voxels when it is given: larger cases are sent
 * strided (PreviewResult.reduced), e.g. for a computer that draws WebGL in software.
 */
const maxVoxels = z.number().int().min(1).optional()

export const previewRequest = z.object({ sources: sourceSpec, caseKey: z.string().min(1), maxVoxels })

/**
 * A scan and, optionally, a label map on its grid (e.g. an nnU-Net prediction) for the viewer.
 * Give the scan as `image`, or give `imagesDir` and the service finds the scan for the label's
 * case there (prediction case.nii.gz -> case_0000.nii.gz), so the renderer never builds a path.
 * Label names come from `datasetJson` (v2 or MSD); without it, from a dataset.json next to the
 * label (nnUNetv2_predict copies one into its output folder); else "label N".
 */
export const viewFilesRequest = z
  .object({
    image: pathText.optional(),
    imagesDir: pathText.optional(),
    label: pathText.optional(),
    datasetJson: pathText.optional(),
    maxVoxels,
  })
  .refine((r) => r.image !== undefined || (r.imagesDir !== undefined && r.label !== undefined), 'give the image, or a label and the folder that holds its image')

export type ViewFilesRequest = z.infer<typeof viewFilesRequest>

export const volumeRequest = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })

export interface CaseMatch {
  /** File name without extension, shared by the image and its masks. */
  caseKey: string
  image: string | null
  /** One entry per label source, in label order; null when that folder has no file for the case. */
  masks: (string | null)[]
}

export interface ScanResult {
  cases: CaseMatch[]
  /** Files present in one folder with no partner in the image folder. */
  unmatched: { folder: string; files: string[] }[]
  /** Problems with the folders themselves (missing, empty, unreadable). */
  findings: Finding[]
}

export interface Geometry {
  size: number[]
  spacing: number[]
  origin: number[]
  /** Row-major direction cosines, LPS (ITK convention). */
  direction: number[]
}

export type CaseStatus = 'ok' | 'warning' | 'error'

export interface CaseReport {
  caseKey: string
  status: CaseStatus
  findings: Finding[]
  geometry?: Geometry
  imageType?: string
  /** Foreground voxels per label name, after merging (what is left visible). */
  voxelCounts: Record<string, number>
  /** Foreground voxels per label name in its own mask, before overlaps are resolved. */
  rawVoxelCounts?: Record<string, number>
  /**
   * Check only, CT images (air at about -1000 HU): per label name, the share (0..1) of its final
   * voxels that lie in the body (above -500 HU). A mask flipped against its image leaves the body.
   */
  inBody?: Record<string, number>
  /** Voxels claimed by more than one mask (resolved by priority: the later label wins). */
  overlapVoxels: number
  /** When masks overlap: the voxels each pair shares (for nested regions, shared/regions.ts). */
  overlapPairs?: OverlapPair[]
  /**
   * Prepare only, for a case written in this run: how its image file was made. 'carried': the
   * input's compressed voxels were copied across behind a new NIfTI header (no decode, no
   * re-compression); 'encoded': decoded and compressed again, for `reason`.
   */
  imageWrite?: { path: 'carried' | 'encoded'; reason?: string }
}

/** A case that differs from the rest of the dataset (direction, spacing, a mask outside the body). */
export interface OutlierFinding extends Finding {
  caseKey: string
  kind: 'direction' | 'spacing' | 'outside-body'
}

export interface ValidationReport {
  cases: CaseReport[]
  counts: { ok: number; warning: number; error: number }
  findings: Finding[]
  /** Cases that differ from the others; absent in reports from before outliers were checked. */
  outliers?: OutlierFinding[]
}

export type Split = 'train' | 'test'

export interface PlannedCase {
  caseKey: string
  caseId: string
  split: Split
  /** Output paths relative to the dataset folder. */
  image: string
  label: string | null
}

export interface OutputPlan {
  /** Absolute path of the DatasetNNN_Name or TaskNN_Name folder. */
  datasetDir: string
  folderName: string
  cases: PlannedCase[]
  /** A few lines of `tree`-like text for the preview. */
  tree: string[]
  datasetJson: DatasetJsonV2 | DatasetJsonMsd
  /** Rule violations (id range, prefix with "_", collisions, non-empty target). Empty = can write. */
  findings: Finding[]
}

export interface PrepareSummary {
  datasetDir: string
  written: number
  skipped: number
  failed: number
  /** Test cases that failed, so imagesTs/labelsTs lack them (the split is kept: fixed, they are written there). */
  testLost?: string[]
  /** Test cases the split planned. */
  testPlanned?: number
  cases: CaseReport[]
  warnings: number
  manifest: string
}

export interface LabelInfo {
  name: string
  value: number
  color: Rgb
  /** nnU-Net's ignore label (unannotated voxels): drawn grey. */
  ignore?: boolean
}

/**
 * A preview shown at reduced resolution (the request's maxVoxels): every stride-th voxel per axis,
 * nearest (label values exact), origin unchanged, spacing x stride, so image and label still align.
 */
export interface PreviewReduction {
  /** The case's own size (report.geometry.size). */
  fullSize: number[]
  /** The size of the volumes sent. */
  size: number[]
  /** Their spacing: the case's spacing x stride. */
  spacing: number[]
  stride: number[]
}

export interface PreviewResult {
  caseKey: string
  /** Volume handles to fetch with getVolume: an uncompressed NIfTI-1 each. */
  imageVolume: string
  labelVolume: string
  labels: LabelInfo[]
  /** Checks, voxel counts and geometry of the case at full resolution, whatever was sent. */
  report: CaseReport
  /** Present when the volumes were reduced to at most the request's maxVoxels. */
  reduced?: PreviewReduction
}

/** viewFiles: a preview of files on disk, with the paths it resolved (the scan found for a prediction). */
export interface ViewFilesResult extends PreviewResult {
  image: string
  /** Absent when only the scan was asked for (the label volume is then empty). */
  label?: string
  /** The dataset.json the label names came from, when one was used. */
  datasetJson?: string
}

/** dataset.json of nnU-Net v2 (nnunetv2/dataset_conversion/generate_dataset_json.py). */
export const datasetJsonV2 = z.object({
  channel_names: z.record(z.string(), z.string()),
  /** A label's value, or for region-based training the values of its region ([1, 2]). */
  labels: namedRecord(z.union([z.number().int(), z.array(z.number().int())])),
  /** Region-based training: per region (labels' key order), the value it is written back as. */
  regions_class_order: z.array(z.number().int()).optional(),
  numTraining: z.number().int(),
  file_ending: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  reference: z.string().optional(),
  licence: z.string().optional(),
  release: z.string().optional(),
})

export type DatasetJsonV2 = z.infer<typeof datasetJsonV2>

/** dataset.json of the Medical Segmentation Decathlon, as nnU-Net v1 and the guide expect. */
export const datasetJsonMsd = z.object({
  name: z.string(),
  description: z.string(),
  reference: z.string(),
  licence: z.string(),
  release: z.string(),
  tensorImageSize: z.literal('3D'),
  modality: z.record(z.string(), z.string()),
  labels: namedRecord(z.string()),
  numTraining: z.number().int(),
  numTest: z.number().int(),
  training: z.array(z.object({ image: z.string(), label: z.string() })),
  test: z.array(z.string()),
})

export type DatasetJsonMsd = z.infer<typeof datasetJsonMsd>

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
/** The Labels step's ROI / segment mapping: every name the structure files of `dir` hold for the cases of `imagesDir`. */
export const structureNamesRequest = z.object({
  imagesDir: pathText,
  dir: pathText,
  /** segnrrd / labelmap: the names are each case's segment names / label values, its file matched by name (issue 18). */
  kind: z.enum(['rtstruct', 'seg', 'segnrrd', 'labelmap']),
  dicomSeries: z.string().min(1).max(500).optional(),
  dicomSeriesByCase: namedRecord(z.string().min(1).max(64)).optional(),
})

export const datasetRequests = {
  scanSources: sourceSpec,
  structureNames: structureNamesRequest,
  validate: sourceSpec,
  preview: previewRequest,
  viewFiles: viewFilesRequest,
  getVolume: volumeRequest,
  planOutput: prepareRequest,
  prepare: prepareRequest,
} as const

type Req<K extends keyof typeof datasetRequests> = Input<(typeof datasetRequests)[K]>

export interface DatasetApi {
  scanSources(req: Req<'scanSources'>): Promise<ScanResult>
  /** Issue 20: the RTSTRUCT ROI / SEG segment names found for the cases, with how many cases have each (Labels step). */
  structureNames(req: Req<'structureNames'>): Promise<StructureNames>
  /** Job; its result is a ValidationReport. */
  validate(req: Req<'validate'>): Promise<JobRef>
  /** Merges one case in memory (nothing written) and returns volume handles. */
  preview(req: Req<'preview'>): Promise<PreviewResult>
  /** Reads a scan and a label map (e.g. a prediction) from disk for the viewer; nothing written. */
  viewFiles(req: Req<'viewFiles'>): Promise<ViewFilesResult>
  /** The bytes of a volume handle: an uncompressed NIfTI-1 file. */
  getVolume(req: Req<'getVolume'>): Promise<Uint8Array>
  planOutput(req: Req<'planOutput'>): Promise<OutputPlan>
  /** Job; its result is a PrepareSummary. */
  prepare(req: Req<'prepare'>): Promise<JobRef>
}
