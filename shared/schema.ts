// zod schemas for everything that crosses a boundary: Api requests (validated in electron/ipc.ts
// and electron/server.ts before any service sees them), the project file, and dataset.json.
// Request types in shared/api.ts are inferred from these, so the two can never drift apart.
import { z } from 'zod'

/** A path typed or picked by the user: untrusted text, never interpreted by a shell. */
export const pathText = z.string().min(1, 'a path is required').max(4096).refine((s) => !s.includes('\0'), 'a path cannot contain a NUL character')

export const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)])

export const labelSource = z.object({
  name: z.string().min(1).max(200),
  dir: pathText,
  color: rgb.optional(),
  /** v2 ignore label (shared/ignoreLabel.ts): unannotated voxels, merged last, "ignore" in dataset.json. */
  ignore: z.boolean().optional(),
})

export const sourceSpec = z.object({
  imagesDir: pathText,
  /** In priority order: the first is value 1, the second 2, ... a later label wins where masks overlap. */
  labels: z.array(labelSource).min(1, 'at least one mask folder is required').max(254),
  allowMissingMask: z.boolean().default(false),
})

export const layoutKind = z.enum(['nnunet-v2', 'msd'])

export const splitSpec = z.object({
  testCount: z.number().int().min(0).optional(),
  testFraction: z.number().min(0).max(0.9).optional(),
  seed: z.number().int().default(0),
  /** Patients (shared/splits.ts): a regular expression on the case key (first group, or the match)... */
  groupPattern: z.string().min(1).max(500).optional(),
  /** ...or case key -> group (a CSV "case,group"). Test cases are then whole groups. */
  groups: z.record(z.string(), z.string().min(1).max(200)).optional(),
})

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

export const prepareRequest = z.object({ sources: sourceSpec, output: outputSpec })
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
export const volumeRequest = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
export const listDirRequest = z.object({ path: pathText.optional(), showFiles: z.boolean().default(false) })
export const pickFolderRequest = z.object({ title: z.string().max(200).optional(), defaultPath: pathText.optional() })
export const jobIdRequest = z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })
export const jobLogRequest = jobIdRequest.extend({ from: z.number().int().min(0).default(0), max: z.number().int().min(1).max(200_000).default(20_000) })
export const openPathRequest = z.object({ path: pathText })

export const nnunetVersion = z.enum(['v1', 'v2'])

export const nnunetFolders = z.object({
  /** v2: nnUNet_raw; v1: nnUNet_raw_data_base */
  raw: pathText,
  preprocessed: pathText,
  /** v2: nnUNet_results; v1: RESULTS_FOLDER */
  results: pathText,
})

/**
 * How SLURM jobs are asked for (sbatch options) and what every job script runs first (the
 * preamble: `module load ...`, `conda activate ...`). Values reach sbatch as argv, never a shell;
 * the preamble is the user's own shell text for their own cluster and is written into the script
 * as given.
 */
export const slurmOptions = z.object({
  partition: z.string().regex(/^[A-Za-z0-9_.,-]{1,100}$/, 'a partition name').optional(),
  gpus: z.number().int().min(0).max(64).optional(),
  cpus: z.number().int().min(1).max(512).optional(),
  mem: z.string().regex(/^\d+[KMGT]?$/i, 'memory like 32G or 16000M').optional(),
  time: z.string().regex(/^(\d+-)?\d{1,2}(:\d{2}){0,2}$/, 'a time like 2-00:00:00, 12:00:00 or 30').optional(),
  account: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/).optional(),
  qos: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/).optional(),
  /** Further sbatch options, each one argument (e.g. --constraint=a100). */
  sbatchArgs: z.array(z.string().regex(/^--?[A-Za-z]/, 'an sbatch option starts with - or --').max(300)).max(30).optional(),
  preamble: z.string().max(20_000).optional(),
})
export type SlurmOptions = z.infer<typeof slurmOptions>

const settingsFields = {
  pythonPath: pathText.optional(),
  /** Where nnU-Net runs: this machine (the default) or a SLURM cluster (electron/schedulers/). */
  scheduler: z.enum(['local', 'slurm']).optional(),
  slurm: slurmOptions.optional(),
  nnunetVersion,
  folders: nnunetFolders.optional(),
  device: z.enum(['cuda', 'cpu', 'mps']),
  augmentationWorkers: z.number().int().min(0).max(64).optional(),
  torchCompile: z.boolean(),
}
export const settings = z.object({
  ...settingsFields,
  nnunetVersion: settingsFields.nnunetVersion.default('v2'),
  device: settingsFields.device.default('cuda'),
  torchCompile: settingsFields.torchCompile.default(false),
})
/** Built from the fields without defaults: zod fills defaults even in .partial(), and a patch must
 * never reset a setting the caller did not send. A key left out keeps its value; the workers take
 * null to go back to nnU-Net's own default (undefined cannot say that: JSON drops it). */
export const settingsPatch = z.object({ ...settingsFields, augmentationWorkers: settingsFields.augmentationWorkers.nullable() }).partial()

export const detectEnvRequest = z.object({ pythonPath: pathText.optional() })
export const createFoldersRequest = z.object({ base: pathText, version: nnunetVersion })

export const configuration = z.enum(['2d', '3d_fullres', '3d_lowres', '3d_cascade_fullres'])
export const fold = z.union([z.number().int().min(0).max(9), z.literal('all')])

export const planRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configurations: z.array(configuration).optional(),
  verifyIntegrity: z.boolean().default(true),
  processes: z.number().int().min(1).max(64).optional(),
  /** v1 and v2 folders that hold an MSD task to convert first (nnUNet_convert_decathlon_task / nnUNetv2_convert_MSD_dataset). */
  convertFromMsd: pathText.optional(),
  /** v2 planner preset (shared/plans.ts): default U-Net or residual encoder M/L/XL (-pl). */
  preset: z.enum(['default', 'resenc-m', 'resenc-l', 'resenc-xl']).optional(),
  /** v2 -gpu_memory_target in GB; the plans then get their own name (plansName, or one derived from it). */
  gpuMemoryTargetGb: z.number().min(1).max(1024).optional(),
  /** v2 -overwrite_plans_name: the identifier later commands name with -p. */
  plansName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a plans name is letters, digits, _ . -').max(100).optional(),
})

export const trainRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configuration,
  fold,
  trainer: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name').optional(),
  /** Any epoch count: v2 gets a generated trainer subclass, passed through nnUNet_extTrainer. */
  epochs: z.number().int().min(1).max(100_000).optional(),
  iterationsPerEpoch: z.number().int().min(1).max(100_000).optional(),
  npz: z.boolean().default(true),
  continueTraining: z.boolean().default(false),
  validationOnly: z.boolean().default(false),
  pretrainedWeights: pathText.optional(),
  plans: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
  /**
   * Train longer (electron/nnunet/trainLonger.ts): the finished trainer of this fold whose final
   * checkpoint the new, longer run (epochs) continues from; its own results stay as they are.
   */
  longerFrom: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name').optional(),
  /** The GPUs this run may use (CUDA_VISIBLE_DEVICES of its process): one fold per GPU runs folds side by side. */
  gpus: z.array(z.number().int().min(0).max(63)).min(1).max(64).optional(),
  /** v2 -num_gpus: one run over several GPUs (DDP). */
  numGpus: z.number().int().min(1).max(64).optional(),
})

/**
 * Create a trainer (electron/nnunet/trainerCreate.ts): from the form (base, epochs, iterations, a
 * loss nnU-Net ships or own Python defining build_loss(trainer)), or a whole own module (classCode).
 * With `check` it is also constructed on that dataset's plans and trains one iteration.
 */
export const trainerCreateRequest = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'a trainer is a Python class name').optional(),
  base: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name').optional(),
  epochs: z.number().int().min(1).max(100_000).optional(),
  iterationsPerEpoch: z.number().int().min(1).max(100_000).optional(),
  /** A loss trainer nnU-Net ships (trainerOptions lists them); absent: the base's own (Dice + CE). */
  loss: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  lossCode: z.string().max(200_000).optional(),
  classCode: z.string().max(200_000).optional(),
  check: z.object({ datasetId: z.number().int().min(1).max(999), configuration, fold }).optional(),
  plans: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
})

export const predictRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  input: pathText,
  output: pathText,
  configuration,
  folds: z.array(fold).min(1).default([0]),
  trainer: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  checkpoint: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
  /** The model's plans identifier (-p); left out: the plans the dataset was planned with (electron/nnunet/plansChoice.ts). */
  plans: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
})

/**
 * nnU-Net's find_best_configuration: evaluates the trained configurations on their validation
 * folds, ensembles every pair (which needs the --npz softmax files) and names the best. One
 * trainer and plans for all configurations, as nnU-Net's own -tr/-p defaults.
 */
export const findBestRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  configurations: z
    .array(configuration)
    .min(1, 'at least one configuration is required')
    .refine((c) => new Set(c).size === c.length, 'each configuration can be named once'),
  /** Numbered folds only (fold "all" has no validation); nnU-Net's default is 0-4. */
  folds: z.array(z.number().int().min(0).max(9)).min(1, 'at least one fold is required').max(10).optional(),
  trainer: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name').optional(),
  plans: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
})

/** Trainings for the run queue, in order; with thenFindBest, find_best_configuration follows them. */
export const enqueueTrainingsRequest = z.object({
  trainings: z.array(trainRequest).min(1, 'at least one training is required').max(50),
  thenFindBest: z.boolean().default(false),
})

/**
 * A study for the SLURM cluster (electron/schedulers/cluster.ts): an optional plan job, the
 * trainings as job arrays (3d_cascade_fullres after 3d_lowres), find_best after them (afterok).
 */
export const clusterSubmitRequest = z.object({
  plan: planRequest.optional(),
  trainings: z.array(trainRequest).max(50).default([]),
  thenFindBest: z.boolean().default(false),
  /** sbatch options for this submission, over the saved settings' slurm options. */
  slurm: slurmOptions.optional(),
})
export type ClusterSubmitRequest = z.infer<typeof clusterSubmitRequest>

/** The same study written as scripts (bash and sbatch) into a folder, to run without the app. */
export const exportScriptsRequest = clusterSubmitRequest.extend({
  folder: pathText,
  predict: predictRequest.optional(),
})
export type ExportScriptsRequest = z.infer<typeof exportScriptsRequest>

// ---------------------------------------------------------------- results (electron/results)

const modelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a trainer is a Python class name')
const plansName = z.string().regex(/^[A-Za-z0-9_.-]+$/)

/** The cross-validation and test results of a dataset, read from nnU-Net's own files (nothing is run). */
export const resultsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  /** Only these configurations (default: every trained one). */
  configurations: z.array(configuration).optional(),
  /** Prediction folders of the test cases (default: the dataset's imagesTs_predicted when it exists). */
  testPredictions: z.array(pathText).max(20).optional(),
})

/** Scores a folder of test predictions against the dataset's labelsTs with nnU-Net's own evaluator. */
export const evaluateTestRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  predictions: pathText,
})

/** The report of resultsRequest's results, written as one self-contained HTML file and/or CSV. */
export const resultsReportRequest = resultsRequest.extend({
  html: pathText.optional(),
  csv: pathText.optional(),
})

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

/** One scored case for the viewer: its scan with reference and prediction, errors in their own colours. */
export const caseErrorsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  case: z.string().max(300).optional(),
  fold: z.union([z.number().int().min(0).max(9), z.literal('test')]),
  reference: pathText,
  prediction: pathText,
  maxVoxels: z.number().int().min(1).optional(),
  /** Label name -> colour (the project's), else the default table. */
  colours: z.record(z.string(), rgb).optional(),
})

/** A model zip installed into the nnU-Net results folder with nnU-Net's own installer. */
export const importModelRequest = z.object({ zip: pathText })

/** A run queue entry, by the id the queue gave it. */
/** The cross-validation folds of a planned dataset (shared/splits.ts, electron/nnunet/splits.ts). */
export const splitsRequest = z.object({
  datasetId: z.number().int().min(1).max(999),
  /** Number of grouped folds to write (nnU-Net's 5 by default). */
  folds: z.number().int().min(2).max(20).default(5),
  /** Write splits_final.json from the dataset's case_groups.json (else only read what is there). */
  write: z.boolean().default(false),
  /** Replace a splits_final.json the wizard did not write (or that was edited since). */
  overwrite: z.boolean().default(false),
})
export type SplitsRequest = z.infer<typeof splitsRequest>

export const queueEntryRequest = z.object({ entryId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a queue entry id') })

export const projectFile = z.object({
  format: z.literal('nnunet-wizard-project'),
  version: z.literal(1),
  // A project in progress may have no folders yet (autosave keeps it from the first edit).
  sources: sourceSpec.partial({ imagesDir: true }).extend({ imagesDir: z.string().default(''), labels: z.array(labelSource).max(254).default([]) }),
  // What the user typed, even out of range (an id of 1000 while typing): the Output step says
  // what is wrong; the project file keeps it so nothing typed is lost.
  output: outputSpec.partial({ outDir: true, id: true, name: true }).extend({ id: z.number().int().optional() }),
  step: z.string().default('start'),
  /**
   * Each step's form, by step id (e.g. forms.plan, forms.train): plain JSON the step owns. A step
   * reads it through useProjectForm (renderer/store/projectForms.ts), which fills missing keys with
   * its defaults, so a form that gains a field still opens older files.
   */
  forms: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
})
export const saveProjectRequest = z.object({ path: pathText, project: projectFile })
export const loadProjectRequest = z.object({ path: pathText })
/** A draft: a project never saved to a file of its own, kept in the data folder (drafts/<id>.json). */
export const draftId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a draft id')
/** The newest job of each kind the open project started, with its request as text. */
export const projectRuns = z.record(z.string(), z.object({ jobId: z.string().max(200), request: z.string().max(1_000_000) }))
/**
 * The open project, written a moment after each edit: to its own file when it has one (path),
 * else to its draft (a new one when draftId is null). Either way it is what the app reopens.
 */
export const autosaveProjectRequest = z.object({
  project: projectFile,
  path: pathText.nullable().default(null),
  draftId: draftId.nullable().default(null),
  runs: projectRuns.default({}),
})
export const draftRequest = z.object({ draftId })

/** dataset.json of nnU-Net v2 (nnunetv2/dataset_conversion/generate_dataset_json.py). */
export const datasetJsonV2 = z.object({
  channel_names: z.record(z.string(), z.string()),
  /** A label's value, or for region-based training the values of its region ([1, 2]). */
  labels: z.record(z.string(), z.union([z.number().int(), z.array(z.number().int())])),
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

/** dataset.json of the Medical Segmentation Decathlon, as nnU-Net v1 and the guide expect. */
export const datasetJsonMsd = z.object({
  name: z.string(),
  description: z.string(),
  reference: z.string(),
  licence: z.string(),
  release: z.string(),
  tensorImageSize: z.literal('3D'),
  modality: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
  numTraining: z.number().int(),
  numTest: z.number().int(),
  training: z.array(z.object({ image: z.string(), label: z.string() })),
  test: z.array(z.string()),
})

export type SourceSpec = z.infer<typeof sourceSpec>
export type SourceSpecInput = z.input<typeof sourceSpec>
export type LabelSource = z.infer<typeof labelSource>
export type OutputSpec = z.infer<typeof outputSpec>
export type OutputSpecInput = z.input<typeof outputSpec>
export type PrepareRequest = z.infer<typeof prepareRequest>
export type LayoutKind = z.infer<typeof layoutKind>
export type DatasetMetadata = z.infer<typeof datasetMetadata>
export type SplitSpec = z.infer<typeof splitSpec>
export type Settings = z.infer<typeof settings>
export type NnunetFolders = z.infer<typeof nnunetFolders>
export type NnunetVersion = z.infer<typeof nnunetVersion>
export type Configuration = z.infer<typeof configuration>
export type Fold = z.infer<typeof fold>
export type PlanRequest = z.infer<typeof planRequest>
export type TrainRequest = z.infer<typeof trainRequest>
export type TrainerCreateRequest = z.infer<typeof trainerCreateRequest>
export type PredictRequest = z.infer<typeof predictRequest>
export type FindBestRequest = z.infer<typeof findBestRequest>
export type EnqueueTrainingsRequest = z.infer<typeof enqueueTrainingsRequest>
export type SettingsPatch = z.infer<typeof settingsPatch>
export type ViewFilesRequest = z.infer<typeof viewFilesRequest>
export type ProjectFile = z.infer<typeof projectFile>
export type ProjectRuns = z.infer<typeof projectRuns>
export type DatasetJsonV2 = z.infer<typeof datasetJsonV2>
export type DatasetJsonMsd = z.infer<typeof datasetJsonMsd>
export type Rgb = z.infer<typeof rgb>
export type ResultsRequest = z.infer<typeof resultsRequest>
export type EvaluateTestRequest = z.infer<typeof evaluateTestRequest>
export type ResultsReportRequest = z.infer<typeof resultsReportRequest>
export type ExportModelRequest = z.infer<typeof exportModelRequest>
export type ImportModelRequest = z.infer<typeof importModelRequest>
export type CaseErrorsRequest = z.infer<typeof caseErrorsRequest>
