// THE contract between the renderer and the Node side. Every method takes at most one request
// object (validated with the zod schema named in `apiRequests`) and returns a Promise. Long work
// returns a JobRef at once and reports through JobEvents. Both transports (Electron IPC and the
// browser-mode HTTP server) and both clients (preload and renderer/api.ts) are generated from
// `apiRequests`, so adding a feature means adding one entry here and one service function.
import type { z } from 'zod'
import * as s from './schema'
import type { OverlapPair } from './regions'

// ---------------------------------------------------------------- messages, cases, validation

export type Severity = 'error' | 'warning' | 'info'

/** A finding about the input, in a researcher's words: what is wrong, where, and what to do. */
export interface Finding {
  severity: Severity
  /** Stable machine code, e.g. "size-mismatch", "mask-not-binary". */
  code: string
  /** The file it is about (absolute path), when there is one. */
  file?: string
  text: string
  /** What to do about it. */
  hint?: string
}

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

// ---------------------------------------------------------------- output planning and writing

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
  datasetJson: s.DatasetJsonV2 | s.DatasetJsonMsd
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

// ---------------------------------------------------------------- preview

export interface LabelInfo {
  name: string
  value: number
  color: s.Rgb
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

// ---------------------------------------------------------------- jobs

export type JobKind = 'validate' | 'prepare' | 'install' | 'convert' | 'plan' | 'train' | 'predict' | 'find-best' | 'evaluate' | 'export-model' | 'import-model' | 'trainer'
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

export interface Progress {
  done: number
  total: number
  unit: string
  bytes?: number
  etaSeconds?: number
  message?: string
  /**
   * What the tool is doing now, in its own terms ("Preprocessing 3d_fullres: case 2 of 4",
   * "Final validation: case 3 of 12"); shown instead of the bare count when set.
   */
  phase?: string
}

export interface EpochMetrics {
  epoch: number
  totalEpochs?: number
  learningRate?: number
  trainLoss?: number
  valLoss?: number
  /** Pseudo Dice (v2) or average global foreground Dice (v1), one per foreground class. */
  dice?: number[]
  epochSeconds?: number
}

export interface JobInfo {
  id: string
  kind: JobKind
  title: string
  state: JobState
  createdAt: number
  startedAt?: number
  endedAt?: number
  progress?: Progress
  /** argv of the child process, for jobs that run one (shown, never re-parsed). */
  command?: string[]
  exitCode?: number | null
  error?: string
  /** Guidance derived from known nnU-Net failures in the log. */
  guidance?: Finding[]
  metrics?: EpochMetrics[]
  result?: unknown
  logFile?: string
  logLines: number
}

export interface JobRef {
  jobId: string
}

export interface LogLine {
  n: number
  stream: 'stdout' | 'stderr' | 'info'
  text: string
  /**
   * A line still being redrawn (a tqdm bar between carriage returns). A later line with the same
   * n replaces it; the last one (without partial) is what the saved log keeps.
   */
  partial?: boolean
  /** A line that reports a failure (a traceback, an exception, the job's own error). stderr alone is not one: nnU-Net and tqdm write progress there. */
  error?: boolean
}

export type JobEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'log'; jobId: string; lines: LogLine[] }
  | { type: 'metrics'; jobId: string; metrics: EpochMetrics }
  | { type: 'exit'; jobId: string; state: JobState; error?: string; result?: unknown }
  /** The run queue changed (an entry added, started, removed or ended). */
  | { type: 'queue'; queue: RunQueueState }

// ---------------------------------------------------------------- the run queue

/**
 * One nnU-Net run (plan, training, prediction, find_best) in the app's one run queue. Runs start
 * one at a time in queue order, except trainings given disjoint GPUs, which run side by side
 * (shared/queueConcurrency.ts); the queue lives on the Node side and survives a closed window and
 * a restart of the app.
 */
export type QueueEntry = QueueEntryCommon &
  (
    | { kind: 'plan'; request: s.PlanRequest }
    | { kind: 'train'; request: s.TrainRequest }
    | { kind: 'predict'; request: s.PredictRequest }
    | {
        kind: 'find-best'
        request: s.FindBestRequest
        /**
         * The entries of the trainings it follows. Their folds, and the trainer they really ran
         * with, are known only once they end: the request is completed then, with the other
         * configurations of that trainer and plans finished on the same folds.
         */
        after?: string[]
      }
  )

interface QueueEntryCommon {
  id: string
  title: string
  enqueuedAt: number
  /**
   * Its job, which carries the progress, log and result: made when the entry starts, or at once
   * for a run asked for directly (plan, train, predict, findBest), whose job waits in the queue.
   */
  jobId?: string
  startedAt?: number
  /** It was running when the app stopped; it is not restarted by itself. */
  interrupted?: boolean
}

export interface RunQueueState {
  /** In start order; each starts once nothing running or waiting ahead of it collides with it (waitsFor says what it waits for). */
  waiting: (QueueEntry & { waitsFor: string })[]
  /** Started entries, newest last (the running ones, if any, are among the last). */
  started: QueueEntry[]
  /** The ids of the entries running now, in start order: one, or several trainings on separate GPUs. */
  running: string[]
  /** A cancelled run holds the queue: nothing more starts until resumeQueue (or a restart of the app). */
  paused?: boolean
}

// ---------------------------------------------------------------- environment

export interface PythonEnv {
  python: string
  version: string
  source: 'path' | 'conda' | 'managed' | 'chosen'
  nnunet?: { v1?: string; v2?: string }
  torch?: string
  cuda?: { available: boolean; version?: string }
  mps?: boolean
  trainers?: string[]
}

export interface GpuInfo {
  name: string
  memoryMiB: number
  driver?: string
}

export interface EnvReport {
  pythons: PythonEnv[]
  selected?: PythonEnv
  gpus: GpuInfo[]
  managedVenv: string
  findings: Finding[]
}

export interface FolderStatus {
  version: s.NnunetVersion
  env: Record<string, string>
  exists: Record<string, boolean>
  datasets: DatasetStatus[]
  /** Trained models found in the results folder (what predict and the cascade can use). */
  trainings?: TrainedModel[]
}

/** A dataset in the nnU-Net folders, with what the Train and Predict steps default from. */
export interface DatasetStatus {
  id: number
  name: string
  where: string[]
  /** Files in its raw labelsTr: the training cases cross-validation splits (absent without a raw folder). */
  trainingCases?: number
  /** Its labels by value, from its dataset.json (raw, else preprocessed); background left out. */
  labels?: { name: string; value: number }[]
  /** The chosen plans (v2: those it was last planned with, else nnUNetPlans.json) when it has been planned. */
  plans?: PlansSummary
  /** v2: every plans identifier in its preprocessed folder (nnUNetPlans, nnUNetResEncUNetMPlans, ...). */
  plansAvailable?: string[]
  /** v2: the plans train, predict and find_best use when none is named (electron/nnunet/plansChoice.ts). */
  chosenPlans?: string
  /** raw/DatasetX/imagesTs when it exists (what Predict segments by default). */
  imagesTs?: string
  /** Where Predict writes by default: a folder beside imagesTs (never inside it). */
  predictionsDir?: string
}

/** A dataset's splits_final.json and how it relates to its patient groups (case_groups.json). */
export interface SplitsStatus {
  datasetId: number
  file?: string
  exists: boolean
  /** wizard: written by the wizard and unchanged; edited: changed since; other: nnU-Net's own or hand-written. */
  source?: 'wizard' | 'edited' | 'other'
  /** Cases per fold (and patient groups in its validation part). */
  folds?: { train: number; val: number; valGroups?: number }[]
  /** Patient groups in case_groups.json. */
  groups?: number
  /** Groups with cases on both sides of a fold (a leak). */
  leaks?: string[]
  written?: boolean
  message: string
}

/** One configuration of an nnU-Net plans file, as the plan summary card shows it. */
export interface PlanConfigSummary {
  name: string
  /** Target spacing (mm), in nnU-Net's (transposed) axis order. */
  spacing: number[]
  patchSize: number[]
  batchSize: number
  /** Normalisation scheme per input channel, e.g. CTNormalization. */
  normalization: string[]
  medianImageSize?: number[]
  /** Cascade: the stage whose predictions this one reads (3d_cascade_fullres <- 3d_lowres). */
  previousStage?: string
  /** Its preprocessed data exists (preprocessed/DatasetX/<data_identifier>): it can be trained now. */
  preprocessed?: boolean
}

export interface PlansSummary {
  /** The plans file read (v2 preprocessed/DatasetX/nnUNetPlans.json). */
  file: string
  plans: string
  configurations: PlanConfigSummary[]
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

export interface TrainedModel {
  datasetId: number
  /** DatasetNNN_Name / TaskNNN_Name */
  dataset: string
  configuration: string
  trainer: string
  plans: string
  /** Absolute path of the model folder (the one holding fold_N). */
  folder: string
  /** Folds with any checkpoint ("0".."4", "all"). */
  folds: string[]
  /** Folds whose training finished (checkpoint_final.pth / model_final_checkpoint.model). */
  finished: string[]
  /** When its newest checkpoint was written (ms since 1970): Predict preselects the newest model. */
  modifiedAt?: number
}

/** What a find-best job returns: the best model or ensemble and its mean validation Dice. */
export interface FindBestResult {
  datasetId: number
  /** e.g. "nnUNetTrainer__nnUNetPlans__3d_fullres", or an "ensemble___..." name. */
  best?: { model: string; dice: number }
}

// ---------------------------------------------------------------- results (electron/results)

/** missing: no fold folder; running/stopped: a log but no final checkpoint (log written in the last 15 minutes or not); finished: the final checkpoint exists. */
export type FoldState = 'missing' | 'running' | 'stopped' | 'finished'

/** One case's scores, from nnU-Net's own summary.json (validation of a fold, or the test evaluation). */
export interface CaseResult {
  /** The case id (file name without its ending), e.g. liver_001. */
  case: string
  /** The cross-validation fold that validated it, or "test" for a held-out test case. */
  fold: number | 'test'
  /** TRAINER__PLANS__CONFIGURATION of a validation; the prediction folder's name for a test case. */
  model: string
  configuration?: string
  /** Label name -> Dice; null where nnU-Net has NaN (the label is in neither reference nor prediction). */
  dice: Record<string, number | null>
  /** Label name -> false positive / false negative voxels (v1: derived from its Dice and positive counts). */
  fp: Record<string, number | null>
  fn: Record<string, number | null>
  /** The reference (label) file and the prediction file, as nnU-Net names them. */
  reference: string
  prediction: string
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
  version: s.NnunetVersion
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

// ---------------------------------------------------------------- misc

export interface AppInfo {
  version: string
  mode: 'electron' | 'browser'
  platform: string
  home: string
  dataDir: string
}

/** Where an autosave went: the project's own file, or its draft. */
export interface AutosaveResult {
  path: string | null
  draftId: string | null
  savedAt: number
}

/** The open project as the data folder keeps it: the file's content, where it lives, and its jobs. */
export interface ProjectSession extends AutosaveResult {
  project: s.ProjectFile
  runs: s.ProjectRuns
}

export interface ProjectDraft {
  draftId: string
  name: string
  step: string
  savedAt: number
}

export interface DirEntry {
  name: string
  path: string
  isDir: boolean
  /** A file the scan reads as a volume (by its ending: .nii.gz, .nrrd, ...). */
  volume?: boolean
}

export interface DirListing {
  path: string
  parent: string | null
  entries: DirEntry[]
  roots: string[]
}

// ---------------------------------------------------------------- the Api

type Req<K extends keyof typeof apiRequests> = (typeof apiRequests)[K] extends z.ZodType ? z.input<(typeof apiRequests)[K]> : never

export const apiRequests = {
  appInfo: null,
  listDir: s.listDirRequest,
  pickFolder: s.pickFolderRequest,
  openPath: s.openPathRequest,
  scanSources: s.sourceSpec,
  validate: s.sourceSpec,
  preview: s.previewRequest,
  viewFiles: s.viewFilesRequest,
  getVolume: s.volumeRequest,
  planOutput: s.prepareRequest,
  prepare: s.prepareRequest,
  listJobs: null,
  getJobLog: s.jobLogRequest,
  cancelJob: s.jobIdRequest,
  getSettings: null,
  setSettings: s.settingsPatch,
  saveProject: s.saveProjectRequest,
  loadProject: s.loadProjectRequest,
  recentProjects: null,
  autosaveProject: s.autosaveProjectRequest,
  currentProject: null,
  projectDrafts: null,
  openDraft: s.draftRequest,
  discardDraft: s.draftRequest,
  detectEnv: s.detectEnvRequest,
  installNnunet: null,
  createFolders: s.createFoldersRequest,
  folderStatus: null,
  shellExports: null,
  plan: s.planRequest,
  train: s.trainRequest,
  predict: s.predictRequest,
  findBest: s.findBestRequest,
  enqueueTrainings: s.enqueueTrainingsRequest,
  runQueue: null,
  removeQueued: s.queueEntryRequest,
  resumeQueue: null,
  results: s.resultsRequest,
  evaluateTest: s.evaluateTestRequest,
  resultsReport: s.resultsReportRequest,
  exportModel: s.exportModelRequest,
  importModel: s.importModelRequest,
  caseErrors: s.caseErrorsRequest,
  submitToCluster: s.clusterSubmitRequest,
  slurmStatus: null,
  exportScripts: s.exportScriptsRequest,
  stopAfterEpoch: s.jobIdRequest,
  trainerOptions: null,
  createTrainer: s.trainerCreateRequest,
  splits: s.splitsRequest,
} as const

export type ApiMethod = keyof typeof apiRequests
export const apiMethods = Object.keys(apiRequests) as ApiMethod[]

export interface Api {
  /** The dataset's cross-validation folds (splits_final.json); with write, grouped by patient (electron/nnunet/splits.ts). */
  splits(req: Req<'splits'>): Promise<SplitsStatus>
  appInfo(): Promise<AppInfo>
  /** Server-side folder browser (browser mode has no native dialog). */
  listDir(req: Req<'listDir'>): Promise<DirListing>
  /** Native folder dialog under Electron; null when cancelled or when there is none (browser mode). */
  pickFolder(req: Req<'pickFolder'>): Promise<string | null>
  openPath(req: Req<'openPath'>): Promise<void>
  scanSources(req: Req<'scanSources'>): Promise<ScanResult>
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
  listJobs(): Promise<JobInfo[]>
  getJobLog(req: Req<'getJobLog'>): Promise<LogLine[]>
  cancelJob(req: Req<'cancelJob'>): Promise<void>
  getSettings(): Promise<s.Settings>
  setSettings(req: Req<'setSettings'>): Promise<s.Settings>
  saveProject(req: Req<'saveProject'>): Promise<void>
  loadProject(req: Req<'loadProject'>): Promise<s.ProjectFile>
  recentProjects(): Promise<{ path: string; name: string; savedAt: number }[]>
  /** Writes the open project (its own file, or its draft in the data folder) and makes it the one the app reopens. */
  autosaveProject(req: Req<'autosaveProject'>): Promise<AutosaveResult>
  /** The project the app had open last (after a reload or a restart), or null. */
  currentProject(): Promise<ProjectSession | null>
  /** Projects never saved to a file of their own, newest first. */
  projectDrafts(): Promise<ProjectDraft[]>
  /** Opens a draft (it becomes the project the app reopens). */
  openDraft(req: Req<'openDraft'>): Promise<ProjectSession>
  discardDraft(req: Req<'discardDraft'>): Promise<void>
  detectEnv(req: Req<'detectEnv'>): Promise<EnvReport>
  /** Job: a managed venv with the pinned nnunetv2. */
  installNnunet(): Promise<JobRef>
  createFolders(req: Req<'createFolders'>): Promise<s.NnunetFolders>
  folderStatus(): Promise<FolderStatus>
  shellExports(): Promise<{ bash: string; powershell: string }>
  /**
   * plan, train, predict and findBest: a job at once, an entry in the run queue; the job waits
   * there (progress "queued") until the runs before it have ended. A training of a dataset that
   * has not been planned and preprocessed fails with that rule before nnU-Net starts.
   */
  plan(req: Req<'plan'>): Promise<JobRef>
  train(req: Req<'train'>): Promise<JobRef>
  predict(req: Req<'predict'>): Promise<JobRef>
  /**
   * Job: nnU-Net's find_best_configuration; its result is a FindBestResult. Refused before any
   * job starts (code "find-best-needs-npz", with guidance) when several configurations are
   * compared and a trained fold has no validation .npz files.
   */
  findBest(req: Req<'findBest'>): Promise<JobRef>
  /**
   * Adds trainings (and, with thenFindBest, find_best_configuration after them) to the run queue;
   * they start one after another. plan, train, predict and findBest go through the same queue.
   */
  enqueueTrainings(req: Req<'enqueueTrainings'>): Promise<RunQueueState>
  runQueue(): Promise<RunQueueState>
  /** Removes a waiting entry (it never starts); a waiting job is cancelled. */
  removeQueued(req: Req<'removeQueued'>): Promise<RunQueueState>
  /** Starts the next waiting entry after a cancelled run paused the queue. */
  resumeQueue(): Promise<RunQueueState>
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
  /**
   * Job: submits a study to the SLURM cluster (plan job, training job arrays, find_best with
   * afterok dependencies) and follows it; each SLURM task is a job of its own whose log is the
   * task's log file. Cancelling a job is scancel. Refused (code "no-slurm") without sbatch.
   */
  submitToCluster(req: Req<'submitToCluster'>): Promise<JobRef>
  /** Whether SLURM's commands are here and the controller answers, and what is missing if not. */
  slurmStatus(): Promise<SlurmStatus>
  /**
   * Writes what the app would run (plan, trainings as job arrays, find_best, predict) as scripts
   * into a folder: one .sbatch file per job (each also runs with bash), run-all.sh (this machine,
   * in order) and submit-all.sh (sbatch with afterok), with nnU-Net's folders exported in each.
   */
  exportScripts(req: Req<'exportScripts'>): Promise<{ folder: string; files: string[] }>
  /**
   * Asks a running training (the app's generated v2 trainer, here or on SLURM) to save a checkpoint
   * at the end of its current epoch and stop (SIGUSR1; on SLURM the task is then requeued with
   * --c). Refused (code "not-stoppable") for other jobs.
   */
  stopAfterEpoch(req: Req<'stopAfterEpoch'>): Promise<void>
  /** What a trainer can be made from (the losses the installed nnU-Net ships) and the trainers made so far. */
  trainerOptions(): Promise<TrainerOptions>
  /** Job: writes a trainer, checks it with nnU-Net (compile, find, construct, one iteration); result CreatedTrainer. */
  createTrainer(req: Req<'createTrainer'>): Promise<JobRef>
}

/** One stage of a trainer check; `line` is a line of the trainer file, `where` says it in words. */
export interface TrainerCheckStage {
  stage: 'compile' | 'find' | 'construct' | 'iteration'
  ok: boolean
  message?: string
  line?: number
  column?: number
  where?: string
  traceback?: string
  loss?: number
  batchSize?: number
  lossClass?: string
  epochs?: number
  iterations?: number
}

export interface CreatedTrainer {
  name: string
  version: s.NnunetVersion
  /** The module in the app's trainers folder. */
  file: string
  /** v1: the copy nnU-Net imports, inside its package (network_training/nnunet_wizard/). */
  installedAt?: string
  epochs?: number
  request: s.TrainerCreateRequest
  stages: TrainerCheckStage[]
  checkedOn?: { datasetId: number; configuration: s.Configuration; fold: number | 'all' }
  createdAt: number
}

export interface TrainerOptions {
  version: s.NnunetVersion
  /** The default base per configuration family (v2 nnUNetTrainer; v1 nnUNetTrainerV2, cascade nnUNetTrainerV2CascadeFullRes). */
  bases: string[]
  /** Losses the installed nnU-Net ships (besides the default Dice + CE). */
  losses: { className: string; label: string }[]
  /** Why the losses could not be listed (no Python, no nnU-Net). */
  lossesProblem?: string
  created: CreatedTrainer[]
  /** Where the trainers live, in words, for the UI. */
  where: string
}

export interface SlurmStatus {
  available: boolean
  /** What is missing or wrong, in words (absent when available). */
  problem?: string
  /** SLURM's version (sinfo --version) and its partitions. */
  version?: string
  partitions?: string[]
  /** Whether sacct answers (accounting is optional). */
  accounting?: boolean
}

/** The one event channel: job updates for every kind of job, and the run queue's changes. */
export type ApiEventListener = (event: JobEvent) => void

/** What the renderer holds: the Api plus a subscription to events. */
export interface ApiClient extends Api {
  onEvent(listener: ApiEventListener): () => void
}

/** Errors cross both transports as this shape; the message is for the user. */
export interface ApiErrorShape {
  message: string
  code?: string
  findings?: Finding[]
}

export const IPC_PREFIX = 'api:'
export const IPC_EVENT = 'api-event'
