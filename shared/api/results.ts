// Results read from nnU-Net's own files (electron/results/): cross-validation per model and fold,
// every case's scores, test evaluations, find_best, reports, model zips, one case's errors.
import { z } from 'zod'
import { configuration, fold, type Input, type JobRef, namedRecord, type NnunetVersion, pathText, rgb } from './common'
import type { LabelInfo, PreviewResult } from './dataset'
import type { EpochMetrics } from './jobs'

const modelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name')

const plansName = z.string().regex(/^[A-Za-z0-9_.-]+$/)

/** The cross-validation and test results of a dataset, read from nnU-Net's own files (nothing is run). */
export const resultsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  /** Only these configurations (default: every trained one). */
  configurations: z.array(configuration).optional(),
  /** Prediction folders of the test cases (default: every <model>/<input> folder under nnUNet_results/<dataset>/predictions, and the older imagesTs_predicted inside the dataset, those that exist). */
  testPredictions: z.array(pathText).max(20).optional(),
})

export type ResultsRequest = z.infer<typeof resultsRequest>

/** Scores a folder of test predictions against the dataset's labelsTs with nnU-Net's own evaluator. */
export const evaluateTestRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  predictions: pathText,
})

export type EvaluateTestRequest = z.infer<typeof evaluateTestRequest>

/** The report of resultsRequest's results, written as one self-contained HTML file and/or CSV. */
export const resultsReportRequest = resultsRequest.extend({
  html: pathText.optional(),
  csv: pathText.optional(),
})

export type ResultsReportRequest = z.infer<typeof resultsReportRequest>

/** A trained model to a zip with nnU-Net's own exporter. */
export const exportModelRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configurations: z.array(configuration).min(1),
  trainer: modelName.optional(),
  plans: plansName.optional(),
  /** Default: the folds of the model that finished training. */
  folds: z.array(fold).min(1).optional(),
  output: pathText,
})

export type ExportModelRequest = z.infer<typeof exportModelRequest>

/** A model zip installed into the nnU-Net results folder with nnU-Net's own installer. */
export const importModelRequest = z.object({ zip: pathText })

export type ImportModelRequest = z.infer<typeof importModelRequest>

/** One scored case for the viewer: its scan with reference and prediction, errors in their own colours. */
export const caseErrorsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  case: z.string().max(300).optional(),
  fold: z.union([z.number().int().min(0).max(9), z.literal('test')]),
  reference: pathText,
  prediction: pathText,
  maxVoxels: z.number().int().min(1).optional(),
  /** Label name -> colour (the project's), else the default table. */
  colours: namedRecord(rgb).optional(),
})

export type CaseErrorsRequest = z.infer<typeof caseErrorsRequest>

/**
 * Measures HD95 and the normalised surface Dice of every scored case (validation and test) that
 * has no figures yet at these tolerances; the figures are kept in the app's data folder and
 * results() shows them beside Dice.
 */
export const surfaceMetricsRequest = resultsRequest.extend({
  /** Label name -> NSD tolerance in mm. */
  tolerances: namedRecord(z.number().positive().max(1000)).optional(),
  /** The NSD tolerance of a label without its own (default 1 mm). */
  tolerance: z.number().positive().max(1000).optional(),
})

export type SurfaceMetricsRequest = z.infer<typeof surfaceMetricsRequest>

/** A folder of predictions written again as 3D Slicer segmentations (FOLDER/slicer/CASE.seg.nrrd) with the dataset's label names. */
export const slicerSegmentationsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  folder: pathText,
  /** Label name -> colour (the project's label table); else the app's default colours. */
  colours: namedRecord(rgb).optional(),
})

export type SlicerSegmentationsRequest = z.infer<typeof slicerSegmentationsRequest>

/**
 * A folder of predictions of DICOM cases back to DICOM (issue 20 item 5): per case a DICOM-SEG
 * and/or an RTSTRUCT referencing the series of DICOM_INPUT/CASE, with dataset.json's label names.
 */
export const dicomPredictionsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  /** The prediction folder (CASE.nii.gz). */
  folder: pathText,
  /** The DICOM folder that was predicted (one sub-folder per case, named as the case); default: the input the prediction record names. */
  dicomInput: pathText.optional(),
  format: z.enum(['seg', 'rtstruct', 'both']),
  /** Where the files go (CASE_seg.dcm, CASE_rtstruct.dcm); default FOLDER/dicom. */
  out: pathText.optional(),
  /** The --series pattern the cases were converted with (which series of a case folder). */
  series: z.string().min(1).max(200).optional(),
  /** Label name -> colour (the project's label table); else the app's default colours. */
  colours: namedRecord(rgb).optional(),
})

export type DicomPredictionsRequest = z.infer<typeof dicomPredictionsRequest>

/** nnU-Net's postprocessing of one trained model (v2), determined on its cross-validation results. */
export const determinePostprocessingRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configuration,
  trainer: modelName.optional(),
  plans: plansName.optional(),
  /** Default: the model's folds that finished training. */
  folds: z.array(z.number().int().min(0).max(9)).min(1).max(10).optional(),
})

export type DeterminePostprocessingRequest = z.infer<typeof determinePostprocessingRequest>

/** Applies a model's determined postprocessing (its postprocessing.pkl, or `pkl`) to a folder of predictions, into `output` (default INPUT_postprocessed). */
export const applyPostprocessingRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configuration,
  trainer: modelName.optional(),
  plans: plansName.optional(),
  input: pathText,
  output: pathText.optional(),
  pkl: pathText.optional(),
})

export type ApplyPostprocessingRequest = z.infer<typeof applyPostprocessingRequest>

/** What nnU-Net's determine_postprocessing found (MODEL/crossval_results_folds_F/postprocessing.json and .pkl). */
export interface PostprocessingInfo {
  /** MODEL/crossval_results_folds_F */
  folder: string
  pkl: string
  json: string
  folds: number[]
  /** Cross-validation Dice without and with the postprocessing (foreground mean, per label). */
  before: { mean: number | null; dice: Record<string, number | null> }
  after: { mean: number | null; dice: Record<string, number | null> }
  /** What is applied, in words ("keep the largest connected component of liver"); empty: nothing helped. */
  steps: string[]
}

export interface DicomPredictionsResult {
  folder: string
  files: string[]
  /** Per case: the files written, or why it was not exported. */
  cases: { caseId: string; files: string[]; error?: string }[]
}

export interface SlicerSegmentationsResult {
  /** FOLDER/slicer */
  folder: string
  files: string[]
}

/** One label's final validation Dice: the mean over the validation cases of its fold. */
export interface LabelDice {
  /** The label value as nnU-Net keys it ("1"), or a region "(1, 2)". */
  key: string
  name: string
  /** null when nnU-Net wrote NaN (no case had this label in the reference nor the prediction). */
  dice: number | null
}

/** The final validation of a training fold (v2 fold_N/validation/summary.json, v1 validation_raw/summary.json). */
export interface ValidationSummary {
  file: string
  labels: LabelDice[]
  /** Mean over the foreground labels, as nnU-Net reports it ("Mean Validation Dice"). */
  mean: number | null
  cases: number
}

/**
 * missing: no fold folder; running/stopped: a log but no final checkpoint (log written in the last
 * 15 minutes or not); validating/unvalidated: the final checkpoint without the validation's
 * summary.json (log written in the last 15 minutes: validating now; else stopped during the
 * validation); finished: the final checkpoint and the validation summary exist.
 */
export type FoldState = 'missing' | 'running' | 'stopped' | 'validating' | 'unvalidated' | 'finished'

/** One case's scores, from nnU-Net's own summary.json (validation of a fold, or the test evaluation). */
export interface CaseResult {
  /** The case id (file name without its ending), e.g. liver_001. */
  case: string
  /** The source it was made from (manifest.json's case key, e.g. case03), when the dataset's manifest keeps source names. */
  source?: string
  /** The cross-validation fold that validated it, or "test" for a held-out test case. */
  fold: number | 'test'
  /** TRAINER__PLANS__CONFIGURATION of a validation; the prediction folder's name for a test case. */
  model: string
  configuration?: string
  /** A test case's model (TRAINER__PLANS__CONFIGURATION), when the prediction folder tells it (the wizard's record, or its place under the predictions root). */
  predictedBy?: string
  /** Label name -> Dice; null where nnU-Net has NaN (the label is in neither reference nor prediction). */
  dice: Record<string, number | null>
  /** Label name -> false positive / false negative voxels (v1: derived from its Dice and positive counts). */
  fp: Record<string, number | null>
  fn: Record<string, number | null>
  /** The reference (label) file and the prediction file, as nnU-Net names them. */
  reference: string
  prediction: string
  /** Label name -> HD95 and NSD, once measured (surfaceMetrics) and while both files are unchanged since. */
  surface?: Record<string, SurfaceFigures>
}

/**
 * One label's surface figures in one case (electron/results/surfaceDistance.ts, as DeepMind's
 * surface-distance computes them). A figure is null when a side is empty, and `empty` says which:
 * one side empty means HD95 infinite and NSD 0; both empty means neither is defined.
 */
export interface SurfaceFigures {
  /** 95th-percentile Hausdorff distance in mm. */
  hd95: number | null
  /** Normalised surface Dice at `tolerance` mm, 0..1. */
  nsd: number | null
  tolerance: number
  empty?: 'both-empty' | 'reference-empty' | 'prediction-empty'
}

/** Per label over the cases of a model or test folder: HD95 and NSD spread over the cases where they are numbers, and how many were not. */
export interface SurfaceSummary {
  hd95: Spread
  nsd: Spread
  tolerance: number
  /** Cases measured, and of those with HD95 infinite (one side empty) or undefined (both empty). */
  cases: number
  infinite: number
  undefined: number
}

/** Mean and sample standard deviation of one figure across folds (sd null below two folds). */
export interface Spread {
  mean: number | null
  sd: number | null
  min: number | null
  max: number | null
  n: number
}

export interface FoldResult {
  fold: number | 'all'
  state: FoldState
  /** Epochs finished, from the fold's training log. */
  epochsDone: number
  /** Epochs the trainer runs (from its name; nnU-Net's default 1000 otherwise). */
  totalEpochs: number
  folder: string
  /** The fold's validation summary.json when it exists. */
  summary?: string
  /** Label name -> mean validation Dice of this fold. */
  dice: Record<string, number | null>
  /** Foreground mean as nnU-Net reports it. */
  mean: number | null
  cases: number
  /** The training curves parsed from the fold's log (shared/trainingLog.ts). */
  curves: EpochMetrics[]
}

export interface ModelResults {
  /** TRAINER__PLANS__CONFIGURATION */
  model: string
  configuration: string
  trainer: string
  plans: string
  folder: string
  folds: FoldResult[]
  /** Label name -> spread of the folds' mean Dice. */
  dice: Record<string, Spread>
  mean: Spread
  /** Label name -> HD95 / NSD over the model's validation cases measured so far. */
  surface?: Record<string, SurfaceSummary>
  /** nnU-Net's postprocessing, once determined for this model (v2). */
  postprocessing?: PostprocessingInfo
}

export interface TestResults {
  /** The folder of predictions scored against labelsTs. */
  folder: string
  reference: string
  /** evaluated: summary.json is newer than every prediction; stale: a prediction is newer; not-evaluated: no summary yet. */
  state: 'evaluated' | 'stale' | 'not-evaluated'
  summary?: string
  dice: Record<string, number | null>
  mean: number | null
  cases: number
  predictions: number
  /** Label name -> HD95 / NSD over the folder's cases measured so far. */
  surface?: Record<string, SurfaceSummary>
}

export interface FindBestInfo {
  file: string
  /** e.g. "nnUNetTrainer__nnUNetPlans__3d_fullres" or an "ensemble___..." name. */
  best: string
  dice: number | null
  diceAfterPostprocessing: number | null
  /** Every model and ensemble compared, with its cross-validation foreground Dice. */
  all: Record<string, number | null>
}

export interface DatasetResults {
  datasetId: number
  dataset: string
  version: NnunetVersion
  labels: { name: string; value: number }[]
  models: ModelResults[]
  /** Every validation case of every fold, and every evaluated test case. */
  cases: CaseResult[]
  test: TestResults[]
  /** raw/DatasetX/labelsTs when it exists. */
  labelsTs?: string
  findBest?: FindBestInfo
}

/** caseErrors: the scan and one label map holding agreement (the label's value), false positives and false negatives. */
export interface CaseErrorsResult extends PreviewResult {
  /** The largest connected error region first (the viewer opens inside it), then false positive / negative, then the labels. */
  labels: LabelInfo[]
  /** Voxels shown as false positive / false negative (on the grid sent, see reduced). */
  errorVoxels: { fp: number; fn: number }
  imagePath: string
}

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const resultsRequests = {
  results: resultsRequest,
  evaluateTest: evaluateTestRequest,
  resultsReport: resultsReportRequest,
  exportModel: exportModelRequest,
  importModel: importModelRequest,
  caseErrors: caseErrorsRequest,
  surfaceMetrics: surfaceMetricsRequest,
  slicerSegmentations: slicerSegmentationsRequest,
  dicomPredictions: dicomPredictionsRequest,
  determinePostprocessing: determinePostprocessingRequest,
  applyPostprocessing: applyPostprocessingRequest,
} as const

type Req<K extends keyof typeof resultsRequests> = Input<(typeof resultsRequests)[K]>

export interface ResultsApi {
  /** Cross-validation per model and fold, every case's Dice and FP/FN, test evaluations, find_best: read from nnU-Net's files. */
  results(req: Req<'results'>): Promise<DatasetResults>
  /** Job: nnUNetv2_evaluate_folder (v1 nnUNet_evaluate_folder) of test predictions against labelsTs. */
  evaluateTest(req: Req<'evaluateTest'>): Promise<JobRef>
  /** Writes the results as one self-contained HTML file and/or CSV; returns the files written and the HTML. */
  resultsReport(req: Req<'resultsReport'>): Promise<{ html?: string; csv?: string; files: string[] }>
  /** Job: nnUNetv2_export_model_to_zip (v1 nnUNet_export_model_to_zip). */
  exportModel(req: Req<'exportModel'>): Promise<JobRef>
  /** Job: nnUNetv2_install_pretrained_model_from_zip (v1 nnUNet_install_pretrained_model_from_zip) into the results folder. */
  importModel(req: Req<'importModel'>): Promise<JobRef>
  /** A scored case for the viewer: scan, reference and prediction, false positives and negatives in their own colours. */
  caseErrors(req: Req<'caseErrors'>): Promise<CaseErrorsResult>
  /** Job: HD95 and NSD of the scored cases not measured yet (in the volume worker pool); its result is a SurfaceMetricsResult. */
  surfaceMetrics(req: Req<'surfaceMetrics'>): Promise<JobRef>
  /** Job: every prediction of a folder also as a 3D Slicer .seg.nrrd (names and colours per label) in FOLDER/slicer; its result is a SlicerSegmentationsResult. */
  slicerSegmentations(req: Req<'slicerSegmentations'>): Promise<JobRef>
  /** Job: every prediction of a folder of DICOM cases as a DICOM-SEG and/or RTSTRUCT referencing its case's series; its result is a DicomPredictionsResult. */
  dicomPredictions(req: Req<'dicomPredictions'>): Promise<JobRef>
  /** Job (v2): nnUNetv2_accumulate_crossval_results then nnUNetv2_determine_postprocessing on a model's folds; its result is a PostprocessingInfo. */
  determinePostprocessing(req: Req<'determinePostprocessing'>): Promise<JobRef>
  /** Job (v2): nnUNetv2_apply_postprocessing of the model's postprocessing.pkl to a prediction folder. */
  applyPostprocessing(req: Req<'applyPostprocessing'>): Promise<JobRef>
}

export interface SurfaceMetricsResult {
  /** Cases measured now, already measured before, and failed (with why). */
  measured: number
  reused: number
  failed: { case: string; error: string }[]
  file: string
}
