// The nnU-Net environment: Python and nnU-Net found or installed, GPUs, nnU-Net's folders and
// what they hold (datasets, their plans, trained models).
import { z } from 'zod'
import { type Finding, type Input, type JobRef, nnunetVersion, type NnunetVersion, pathText } from './common'
import type { OlderDataset } from '../runInputs'

export const detectEnvRequest = z.object({ pythonPath: pathText.optional() })

export const nnunetFolders = z.object({
  /** v2: nnUNet_raw; v1: nnUNet_raw_data_base */
  raw: pathText,
  preprocessed: pathText,
  /** v2: nnUNet_results; v1: RESULTS_FOLDER */
  results: pathText,
})

export type NnunetFolders = z.infer<typeof nnunetFolders>

/**
 * A project's own nnU-Net environment (issue 18.2): the interpreter, the version and the folders
 * it runs with, kept in the project file. The app's settings file holds only the defaults a new
 * project starts from, so a change there (another terminal, another window) never moves a project.
 * No pythonPath: the interpreter is found as for the defaults (managed venv, PATH).
 */
export const projectEnv = z.object({
  nnunetVersion,
  pythonPath: pathText.optional(),
  folders: nnunetFolders.optional(),
})

export type ProjectEnv = z.infer<typeof projectEnv>

/** The settings a project owns (the rest: device, workers, scheduler, are the machine's). */
export const PROJECT_ENV_KEYS = ['nnunetVersion', 'pythonPath', 'folders'] as const

/**
 * A change to an environment on disk made outside this app (another terminal's `env --save`,
 * another window): shown to the user, never adopted without asking.
 */
export interface EnvChange {
  /** defaults: the settings file new projects start from; project: the open project's own file. */
  where: 'defaults' | 'project'
  file: string
  /** What the open project runs with now (kept until the user takes the change). */
  kept: ProjectEnv
  /** What the file says now. */
  onDisk: ProjectEnv
  /** The fields that differ between the two. */
  fields: (typeof PROJECT_ENV_KEYS)[number][]
  /** When this app first saw it (ms since 1970). */
  seenAt: number
}

export const settleEnvChangeRequest = z.object({ where: z.enum(['defaults', 'project']), take: z.boolean() })

export const createFoldersRequest = z.object({ base: pathText, version: nnunetVersion })

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
  version: NnunetVersion
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
  /** It is in nnUNet_raw (v1: under nnUNet_raw_data_base), the only place nnU-Net plans from: a folder inside, not one whose name starts the same (nnUNet_raw_old). */
  inRaw?: boolean
  /** The configurations with a finished training of it (any trainer and plans): 3d_lowres here makes the cascade possible. */
  finishedConfigurations?: string[]
  /** Files in its raw labelsTr: the training cases cross-validation splits (absent without a raw folder). */
  trainingCases?: number
  /** Its cross-validation folds: those of preprocessed/DatasetX/splits_final.json when it exists, else nnU-Net's 5 (electron/nnunet/foldCount.ts). */
  folds?: number
  /** Why its preprocessed data is older than the raw dataset (it was rewritten since the plan): plan again. */
  planStale?: string
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
  /**
   * <nnUNet_results>/<DatasetXXX_Name>/predictions: where Predict writes by default, one folder per
   * model and input under it (shared/predictionFolders.ts defaultPredictionFolder); never inside the dataset.
   */
  predictionsRoot?: string
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
  /** Folds whose training finished: the final checkpoint (checkpoint_final.pth / model_final_checkpoint.model) and the validation's summary.json. */
  finished: string[]
  /** Folds with the final checkpoint but no validation summary yet (validating, or stopped during the validation): predictable, not finished. */
  unvalidated?: string[]
  /** When its newest checkpoint was written (ms since 1970): Predict preselects the newest model. */
  modifiedAt?: number
  /** Set when folds were trained on an older version of the dataset than the raw dataset holds now (shared/runInputs.ts). */
  olderDataset?: OlderDataset
}

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const envRequests = {
  detectEnv: detectEnvRequest,
  installNnunet: null,
  createFolders: createFoldersRequest,
  folderStatus: null,
  shellExports: null,
  environmentChanges: null,
  settleEnvChange: settleEnvChangeRequest,
} as const

type Req<K extends keyof typeof envRequests> = Input<(typeof envRequests)[K]>

export interface EnvApi {
  detectEnv(req: Req<'detectEnv'>): Promise<EnvReport>
  /** Job: a managed venv with the pinned nnunetv2. */
  installNnunet(): Promise<JobRef>
  createFolders(req: Req<'createFolders'>): Promise<NnunetFolders>
  folderStatus(): Promise<FolderStatus>
  shellExports(): Promise<{ bash: string; powershell: string }>
  /** Changes to the open project's environment or to the defaults made on disk outside this app, not yet settled. */
  environmentChanges(): Promise<EnvChange[]>
  /** take: the open project adopts what is on disk; else it keeps its own (and the notice goes). Returns the open project's environment. */
  settleEnvChange(req: Req<'settleEnvChange'>): Promise<ProjectEnv>
}
