// The service's trainer methods (one door for the app, browser mode and the CLI): what a trainer
// can be made from, and "create trainer" as a job. Creating does not wait in the run queue: it is
// a check of one iteration, not a training.
import type { Api, JobRef, TrainerOptions } from '../../shared/api'
import * as s from '../../shared/schema'
import type { JobManager } from '../jobs/jobManager'
import { resolvePython } from './python'
import { createTrainer, createdTrainers } from './trainerCreate'
import { shippedLosses } from './trainerLosses'
import { trainerDirFor } from './trainers'

export type TrainerMethods = Pick<Api, 'trainerOptions' | 'createTrainer'>

/** Where a version's trainers live, in words (the Train step shows it). */
export function trainerPlace(version: s.NnunetVersion, dataDir: string): string {
  const dir = trainerDirFor(version, dataDir)
  return version === 'v2'
    ? `${dir} (nnU-Net v2 finds it through the nnUNet_extTrainer variable the app sets)`
    : `${dir}, installed into nnU-Net v1's own package folder nnunet/training/network_training/nnunet_wizard/ (v1 looks trainers up only there)`
}

export function createTrainerMethods(opts: { jobs: JobManager; dataDir: string; settings: () => Promise<s.Settings> }): TrainerMethods {
  const { jobs, dataDir } = opts
  return {
    trainerOptions: async (): Promise<TrainerOptions> => {
      const st = await opts.settings()
      const version = st.nnunetVersion
      const bases = version === 'v2' ? ['nnUNetTrainer'] : ['nnUNetTrainerV2', 'nnUNetTrainerV2CascadeFullRes']
      let losses: TrainerOptions['losses'] = []
      let lossesProblem: string | undefined
      try {
        losses = (await shippedLosses(resolvePython(st), version)).map((l) => ({ className: l.className, label: l.label }))
      } catch (e) {
        lossesProblem = (e as Error).message
      }
      return { version, bases, losses, ...(lossesProblem && { lossesProblem }), created: await createdTrainers(dataDir, version), where: trainerPlace(version, dataDir) }
    },
    createTrainer: async (req): Promise<JobRef> => {
      const r = s.trainerCreateRequest.parse(req)
      const st = await opts.settings()
      const title = `Create trainer ${r.name ?? `(${r.base ?? 'default base'}, ${r.epochs ?? 1000} epochs)`}`
      const job = await jobs.start('trainer', title, (ctx) => createTrainer(r, st, ctx, dataDir))
      return { jobId: job.id }
    },
  }
}
