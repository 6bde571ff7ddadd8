// The labelling loop (issue 21): predicted cases ranked by how unsure the model is, accepted
// (corrected) cases added to the dataset with their origin, a fine-tuning round from a trained
// model, and the model versions side by side. Service: electron/review/*.
import { z } from 'zod'
import { configuration, fold, type Input, type JobRef, pathText } from './common'
import type { ViewFilesResult } from './dataset'

const className = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name')
const plansName = z.string().regex(/^[A-Za-z0-9_.-]+$/)
const datasetId = z.number().int().min(1).max(999)

/**
 * The predicted cases of a prediction folder, ranked most unsure first (shared/reviewRank.ts).
 * The score needs nnU-Net's probability files (predict with saveProbabilities); without them a
 * case is listed with its volumes and score null, after the scored ones.
 */
export const reviewCasesRequest = z.object({
  /** The prediction folder (nnU-Net's -o). */
  folder: pathText,
  /** The scans that were predicted (nnU-Net's -i), to name each case's scan; default: read from the folder's predict_from_raw_data_args.json. */
  images: pathText.optional(),
  /** The dataset whose labels name the volumes; default: the folder's dataset.json (nnU-Net copies it there). */
  datasetId: datasetId.optional(),
})

export type ReviewCasesRequest = z.infer<typeof reviewCasesRequest>

/** One label's size in one predicted case. */
export interface LabelVolume {
  name: string
  value: number
  voxels: number
  /** voxels x voxel volume, in millilitres. */
  ml: number
}

/** One predicted case of a review list. */
export interface ReviewCase {
  /** The case id (file name without its ending). */
  case: string
  /** 1 = the most unsure. */
  rank: number
  /** The uncertainty score (shared/reviewRank.ts): mean entropy in nats / ln(classes), 0..1; null without probabilities. */
  score: number | null
  /** Voxels the score was taken over (the predicted foreground and its one-voxel border). */
  scoredVoxels: number
  prediction: string
  /** The .npz probabilities nnU-Net wrote beside it, when it did. */
  probabilities?: string
  /** The scan's channel files (CASE_0000.nii.gz, ...) in the predicted folder, when found. */
  images: string[]
  volumes: LabelVolume[]
  /** Why it could not be scored (a probability file that does not match the prediction, unreadable). */
  problem?: string
}

/** The trained model a prediction or a dataset case came from. */
export interface ModelOrigin {
  datasetId?: number
  /** nnU-Net's model folder (…/TRAINER__PLANS__CONFIGURATION). */
  folder?: string
  configuration?: string
  trainer?: string
  plans?: string
  folds?: (number | 'all')[]
  checkpoint?: string
}

export const modelOrigin = z.object({
  datasetId: datasetId.optional(),
  folder: pathText.optional(),
  configuration: z.string().max(100).optional(),
  trainer: z.string().max(200).optional(),
  plans: z.string().max(200).optional(),
  folds: z.array(fold).max(10).optional(),
  checkpoint: z.string().max(200).optional(),
})

export interface ReviewList {
  folder: string
  /** Ranked: most unsure first, then the unscored ones by name. */
  cases: ReviewCase[]
  /** The rule in words, for the page's help text. */
  rule: string
  /** The model that predicted the folder (from predict_from_raw_data_args.json), when known. */
  model?: ModelOrigin
  /** Set when no case had probabilities: predict again with "save probabilities". */
  hint?: string
}

/**
 * Adds one accepted case (scan + corrected label) to a dataset in the nnU-Net raw folder: imagesTr
 * / labelsTr under a new case id, dataset.json's numTraining, splits_final.json extended (existing
 * cases keep their folds; new ones go to the folds in turn), and its origin in manifest.json.
 */
export const addToDatasetRequest = z.object({
  datasetId,
  /** The scan: one file per channel, in the dataset's channel order (a single-channel dataset: one). */
  image: z.union([pathText, z.array(pathText).min(1).max(20)]),
  /** The corrected label map, on the scan's grid, values within dataset.json's labels. */
  label: pathText,
  /** The model's prediction the label was corrected from: the manifest counts voxels added and removed per label against it. */
  prediction: pathText.optional(),
  /** The model that predicted it; default: read from the prediction's folder (predict_from_raw_data_args.json). */
  origin: modelOrigin.optional(),
  /** The new case id; default: the dataset's prefix and the next free number (liver_007). */
  caseId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/, 'a case id is letters, digits, _ . -').optional(),
})

export type AddToDatasetRequest = z.infer<typeof addToDatasetRequest>

/** Voxels the correction added and removed, per label, against the prediction. */
export interface LabelChange {
  name: string
  value: number
  added: number
  removed: number
}

/** What manifest.json records for an added case (its `added` section, keyed by case id). */
export interface AddedCaseRecord {
  caseId: string
  /** The files it was made from (as given). */
  sources: { images: string[]; label: string; prediction?: string }
  origin?: ModelOrigin
  changes?: LabelChange[]
  /** The cross-validation fold it validates in (splits_final.json), when the dataset has splits. */
  fold?: number
  addedAt: string
}

export interface AddToDatasetResult {
  caseId: string
  images: string[]
  label: string
  numTraining: number
  record: AddedCaseRecord
  /** splits_final.json written, or why not (the dataset was not planned yet: nnU-Net makes its splits then). */
  splits: { file?: string; fold?: number; note?: string }
}

/**
 * One fine-tuning round: nnUNetv2_preprocess of the dataset with the model's existing plans (only
 * its configuration), then per fold nnUNetv2_train from the parent's checkpoint_final.pth
 * (-pretrained_weights) or from scratch, under a new trainer name (TRAINER_ftN), so the parent's
 * results stay as they are. The round is recorded as model version N.
 */
export const fineTuneRequest = z.object({
  datasetId,
  configuration,
  /** The parent model's trainer (default nnU-Net's) and plans (default: those the dataset was planned with). */
  trainer: className.optional(),
  plans: plansName.optional(),
  folds: z.array(fold).min(1).max(10).default([0]),
  /** previous: from each fold's final checkpoint of the parent; scratch: a new training on the grown dataset. */
  start: z.enum(['previous', 'scratch']).default('previous'),
  epochs: z.number().int().min(1).max(100_000).optional(),
  iterationsPerEpoch: z.number().int().min(1).max(100_000).optional(),
  /** Skip nnUNetv2_preprocess (the preprocessed data already holds every case). */
  skipPreprocess: z.boolean().default(false),
})

export type FineTuneRequest = z.infer<typeof fineTuneRequest>

/** A model version of a dataset and configuration (the wizard's model-versions.json). */
export interface ModelVersion {
  version: number
  datasetId: number
  configuration: string
  trainer: string
  plans: string
  /** The version it was fine-tuned from (undefined: the first model, or trained from scratch). */
  parent?: { version: number; trainer: string }
  start: 'first' | 'previous' | 'scratch'
  folds: (number | 'all')[]
  /** Training cases (dataset.json numTraining) when the round started. */
  cases: number
  createdAt: string
}

export interface FineTuneResult {
  version: ModelVersion
  /** The preprocess job (absent with skipPreprocess), then one training job per fold. */
  jobs: JobRef[]
}

export const modelVersionsRequest = z.object({
  datasetId,
  configuration: configuration.optional(),
  /** Prediction folders of the test cases to look in for each version's test Dice (default: as results(): the dataset's prediction folders under nnUNet_results, and an older imagesTs_predicted). */
  testPredictions: z.array(pathText).max(20).optional(),
})

export type ModelVersionsRequest = z.infer<typeof modelVersionsRequest>

/** One version's row of the comparison. */
export interface ModelVersionRow extends ModelVersion {
  /** The model folder in nnU-Net's results (TRAINER__PLANS__CONFIGURATION). */
  folder: string
  /** Label name -> mean cross-validation Dice over the finished folds; null where nnU-Net wrote NaN or nothing yet. */
  cvDice: Record<string, number | null>
  cvMean: number | null
  finishedFolds: number
  /** The test set's Dice of a prediction folder made by this version and evaluated, when there is one. */
  test?: { folder: string; dice: Record<string, number | null>; mean: number | null }
}

export interface ModelVersionsTable {
  datasetId: number
  labels: string[]
  versions: ModelVersionRow[]
}

/**
 * Saves a label map corrected in the viewer's editor (electron/dataset/labelEdit.ts). The page sends
 * only what it changed: `changes` is base64 of little-endian uint32 triples [start, length, value],
 * runs in the file's own voxel order (x fastest), ascending and not overlapping. The service reads
 * the base label itself (on the scan's grid), applies the runs, counts the voxels changed per label
 * and writes atomically, never into a source folder:
 * - prediction: a corrected copy beside the prediction (corrected/<name>), the prediction untouched;
 *   `label` is the file the page loaded (the prediction, or its corrected copy after a first save);
 * - dataset: the training case's labelsTr file is replaced and manifest.json records the correction.
 */
export const saveLabelEditRequest = z.discriminatedUnion('target', [
  z.object({ target: z.literal('prediction'), image: pathText, label: pathText, changes: z.string().max(4_000_000) }),
  z.object({ target: z.literal('dataset'), datasetDir: pathText, caseId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/), changes: z.string().max(4_000_000) }),
])

export type SaveLabelEditRequest = z.infer<typeof saveLabelEditRequest>

/** Voxels a saved correction changed for one label value: `added` now hold it, `removed` held it before. */
export interface LabelEditCount {
  value: number
  name: string
  added: number
  removed: number
}

export interface LabelEditResult {
  /** The file written. */
  path: string
  /** The label map it was corrected from (the prediction, its earlier corrected copy, or the labelsTr file as it was). */
  base: string
  /** Voxels whose value changed. */
  changed: number
  perLabel: LabelEditCount[]
  bytes: number
  /** The manifest that recorded it (dataset target). */
  manifest?: string
}

/**
 * A training case of a dataset the wizard wrote, opened in the label editor (its labelsTr file over
 * its scan): by dataset id and case id (in the nnU-Net raw folder), or by the source case key Check
 * and Preview show (caseKey: in the dataset the open project's Output step writes, through its manifest).
 */
export const trainingCaseRequest = z.object({
  datasetId: datasetId.optional(),
  caseId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/).optional(),
  caseKey: z.string().min(1).max(1000).optional(),
})

export type TrainingCaseRequest = z.infer<typeof trainingCaseRequest>

/** viewFiles' answer for the case, with the dataset folder the editor's save names (saveLabelEdit target 'dataset'). */
export interface TrainingCaseView extends ViewFilesResult {
  datasetDir: string
  caseId: string
}

/**
 * A correction in progress, kept beside its prediction while the editor is open (written a moment
 * after each edit, atomically): <prediction folder>/corrected/.draft/<name>.json. It holds the
 * edits as saveLabelEdit takes them (runs against `base`, the file the editor loaded), so a page
 * reloaded or an app closed mid-correction can continue where it was (electron/dataset/labelDraft.ts).
 */
export const labelDraftRequest = z.object({
  /** The prediction (nnU-Net's file; its corrected copy names the same draft). */
  prediction: pathText,
})

export type LabelDraftRequest = z.infer<typeof labelDraftRequest>

export const saveLabelDraftRequest = z.object({
  prediction: pathText,
  /** The file the editor loaded and the runs are against (the prediction or its corrected copy). */
  base: pathText,
  changes: z.string().max(4_000_000),
})

export type SaveLabelDraftRequest = z.infer<typeof saveLabelDraftRequest>

export interface LabelDraft {
  /** The draft file. */
  path: string
  prediction: string
  base: string
  /** saveLabelEdit's runs (base64 uint32 triples, file order) against `base`. */
  changes: string
  /** Voxels the runs cover. */
  voxels: number
  savedAt: string
  /** Set when `base` changed on disk after the draft was written (saved from elsewhere): the draft no longer applies. */
  stale?: string
}

/** Where each predicted case of a folder stands, from what is on disk (Review on reopening). */
export const reviewProgressRequest = z.object({
  folder: pathText,
  /** The dataset accepted cases go to; default: the model's dataset recorded with the prediction. */
  datasetId: datasetId.optional(),
})

export type ReviewProgressRequest = z.infer<typeof reviewProgressRequest>

export interface ReviewCaseProgress {
  case: string
  prediction: string
  /** added: in the dataset; corrected: a corrected copy saved; draft: unsaved edits kept; todo: none of these. */
  state: 'added' | 'corrected' | 'draft' | 'todo'
  corrected?: string
  draft?: { savedAt: string; voxels: number }
  /** The dataset's case id it was added as. */
  addedAs?: string
  /** Predicted from a DICOM case folder (the recorded input holds a folder named as the case): its correction can go back as DICOM-SEG. */
  fromDicom?: boolean
}

export interface ReviewProgress {
  folder: string
  datasetId?: number
  cases: ReviewCaseProgress[]
}

/**
 * The corrected copy of a prediction made from a DICOM series, written as a DICOM-SEG that references
 * that series (issue 21 item 5): into <prediction folder>/corrected/dicom/<case>_seg.dcm, atomically,
 * never into the DICOM folder. The series is found as the DICOM prediction export finds it.
 */
export const exportCorrectedDicomRequest = z.object({
  prediction: pathText,
  /** The DICOM folder that was predicted; default: the one recorded with the prediction. */
  dicomInput: pathText.optional(),
  /** The --series pattern the DICOM input was converted with. */
  series: z.string().max(200).optional(),
})

export type ExportCorrectedDicomRequest = z.infer<typeof exportCorrectedDicomRequest>

export interface ExportCorrectedDicomResult {
  out: string
  /** The corrected label map exported. */
  label: string
  referencedSeriesUid: string
  segments: number
  bytes: number
}

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const reviewRequests = {
  reviewCases: reviewCasesRequest,
  addToDataset: addToDatasetRequest,
  fineTune: fineTuneRequest,
  modelVersions: modelVersionsRequest,
  saveLabelEdit: saveLabelEditRequest,
  trainingCase: trainingCaseRequest,
  labelDraft: labelDraftRequest,
  saveLabelDraft: saveLabelDraftRequest,
  discardLabelDraft: labelDraftRequest,
  reviewProgress: reviewProgressRequest,
  exportCorrectedDicom: exportCorrectedDicomRequest,
} as const

type Req<K extends keyof typeof reviewRequests> = Input<(typeof reviewRequests)[K]>

export interface ReviewApi {
  /** The predicted cases of a folder, most unsure first, with label volumes (reads files; nothing is written). */
  reviewCases(req: Req<'reviewCases'>): Promise<ReviewList>
  /** Adds an accepted case to the dataset (atomic writes, never into a source folder); refused with a finding naming the file when the label is off the scan's grid or holds values outside dataset.json's labels. */
  addToDataset(req: Req<'addToDataset'>): Promise<AddToDatasetResult>
  /** Queues a fine-tuning round (preprocess with the existing plans, then train per fold) and records it as a model version. */
  fineTune(req: Req<'fineTune'>): Promise<FineTuneResult>
  /** Every model version of a dataset with its cross-validation (and test) Dice per label, for Results. */
  modelVersions(req: Req<'modelVersions'>): Promise<ModelVersionsTable>
  /** Saves a label map corrected in the viewer (atomic, never into a source folder) and counts the voxels changed per label. */
  saveLabelEdit(req: Req<'saveLabelEdit'>): Promise<LabelEditResult>
  /** A training case's scan and labelsTr file for the label editor (datasets written by the wizard: their manifest names the files). */
  trainingCase(req: Req<'trainingCase'>): Promise<TrainingCaseView>
  /** The correction in progress kept for a prediction, or null when there is none. */
  labelDraft(req: Req<'labelDraft'>): Promise<LabelDraft | null>
  /** Keeps the editor's unsaved edits beside the prediction (atomic, never into a source folder). */
  saveLabelDraft(req: Req<'saveLabelDraft'>): Promise<{ path: string; savedAt: string }>
  /** Drops a kept draft (after a save, or when the researcher discards it). */
  discardLabelDraft(req: Req<'discardLabelDraft'>): Promise<{ removed: boolean }>
  /** Which predicted cases are added, corrected, in progress or still to do, from the files on disk. */
  reviewProgress(req: Req<'reviewProgress'>): Promise<ReviewProgress>
  /** A corrected prediction of a DICOM case as a DICOM-SEG on its series. */
  exportCorrectedDicom(req: Req<'exportCorrectedDicom'>): Promise<ExportCorrectedDicomResult>
}
