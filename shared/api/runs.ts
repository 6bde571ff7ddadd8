// nnU-Net runs on this machine: plan, train, predict and find_best through the one run queue,
// and the cross-validation splits they train on (electron/nnunet/).
import { z } from 'zod'
import { configuration, fold, type Input, type JobRef, pathText } from './common'
import type { ProjectEnv } from './env'

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
  /**
   * v2: only preprocess, with plans that exist (nnUNetv2_preprocess -plans_name), e.g. after cases
   * were added for fine-tuning: planning again could change the network and void the checkpoint.
   */
  preprocessOnly: z.boolean().optional(),
})

export type PlanRequest = z.infer<typeof planRequest>

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

export type TrainRequest = z.infer<typeof trainRequest>

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
  /** v2 --save_probabilities: a CASE.npz of softmax probabilities beside each prediction (Review ranks cases by them). */
  saveProbabilities: z.boolean().optional(),
})

export type PredictRequest = z.infer<typeof predictRequest>

/**
 * What a caller asks predict for: the output folder may be left out, and the service then writes
 * where every default prediction goes (shared/predictionFolders.ts: nnUNet_results/<dataset>/
 * predictions/<trainer>__<plans>__<configuration>/<input folder name>), never inside the dataset.
 */
export const predictInput = predictRequest.extend({ output: pathText.optional() })

export type PredictInput = z.infer<typeof predictInput>

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

export type FindBestRequest = z.infer<typeof findBestRequest>

/** Trainings for the run queue, in order; with thenFindBest, find_best_configuration follows them. */
export const enqueueTrainingsRequest = z.object({
  trainings: z.array(trainRequest).min(1, 'at least one training is required').max(50),
  thenFindBest: z.boolean().default(false),
})

export type EnqueueTrainingsRequest = z.infer<typeof enqueueTrainingsRequest>

/** A run queue entry, by the id the queue gave it. */
export const queueEntryRequest = z.object({ entryId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a queue entry id') })

/** What a find-best job returns: the best model or ensemble and its mean validation Dice. */
export interface FindBestResult {
  datasetId: number
  /** e.g. "nnUNetTrainer__nnUNetPlans__3d_fullres", or an "ensemble___..." name. */
  best?: { model: string; dice: number }
}

/**
 * One nnU-Net run (plan, training, prediction, find_best) in the app's one run queue. Runs start
 * one at a time in queue order, except trainings given disjoint GPUs, which run side by side
 * (shared/queueConcurrency.ts); the queue lives on the Node side and survives a closed window and
 * a restart of the app.
 */
export type QueueEntry = QueueEntryCommon &
  (
    | { kind: 'plan'; request: PlanRequest }
    | { kind: 'train'; request: TrainRequest }
    | { kind: 'predict'; request: PredictRequest }
    | {
        kind: 'find-best'
        request: FindBestRequest
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
  /**
   * The environment (interpreter, version, folders) of the project that queued it (issue 18.2):
   * it runs with that one even when another project is open by its turn. Absent in older queues.
   */
  env?: ProjectEnv
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
  /** Set when the file does not list exactly the dataset's training cases (written for an older version of it). */
  coverage?: { ok: boolean; missing: string[]; extra: string[]; folds: { fold: number; missing: string[]; extra: string[] }[] }
  written?: boolean
  message: string
}

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const runsRequests = {
  plan: planRequest,
  train: trainRequest,
  predict: predictInput,
  findBest: findBestRequest,
  enqueueTrainings: enqueueTrainingsRequest,
  runQueue: null,
  removeQueued: queueEntryRequest,
  resumeQueue: null,
  splits: splitsRequest,
} as const

type Req<K extends keyof typeof runsRequests> = Input<(typeof runsRequests)[K]>

export interface RunsApi {
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
  /** The dataset's cross-validation folds (splits_final.json); with write, grouped by patient (electron/nnunet/splits.ts). */
  splits(req: Req<'splits'>): Promise<SplitsStatus>
}
