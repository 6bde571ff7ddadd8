// SLURM: a study submitted as sbatch jobs, the cluster's status, and the same study written as
// scripts to run without the app (electron/schedulers/).
import { z } from 'zod'
import { type Input, type JobRef, pathText } from './common'
import { planRequest, predictRequest, trainRequest } from './runs'

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

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const clusterRequests = {
  submitToCluster: clusterSubmitRequest,
  slurmStatus: null,
  exportScripts: exportScriptsRequest,
} as const

type Req<K extends keyof typeof clusterRequests> = Input<(typeof clusterRequests)[K]>

export interface ClusterApi {
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
}
