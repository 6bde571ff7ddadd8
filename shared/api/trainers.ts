// Trainers made by the app: what one can be made from, and one made and checked with nnU-Net.
import { z } from 'zod'
import { type Configuration, configuration, fold, type Input, type JobRef, type NnunetVersion } from './common'

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

export type TrainerCreateRequest = z.infer<typeof trainerCreateRequest>

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
  version: NnunetVersion
  /** The module in the app's trainers folder. */
  file: string
  /** v1: the copy nnU-Net imports, inside its package (network_training/nnunet_wizard/). */
  installedAt?: string
  epochs?: number
  request: TrainerCreateRequest
  stages: TrainerCheckStage[]
  checkedOn?: { datasetId: number; configuration: Configuration; fold: number | 'all' }
  createdAt: number
}

export interface TrainerOptions {
  version: NnunetVersion
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

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const trainersRequests = {
  trainerOptions: null,
  createTrainer: trainerCreateRequest,
} as const

type Req<K extends keyof typeof trainersRequests> = Input<(typeof trainersRequests)[K]>

export interface TrainersApi {
  /** What a trainer can be made from (the losses the installed nnU-Net ships) and the trainers made so far. */
  trainerOptions(): Promise<TrainerOptions>
  /** Job: writes a trainer, checks it with nnU-Net (compile, find, construct, one iteration); result CreatedTrainer. */
  createTrainer(req: Req<'createTrainer'>): Promise<JobRef>
}
