// What a RunSpec asks to be done on disk before it runs, and what proves afterwards that it
// succeeded. Both schedulers call these: this machine's queue right before the run, SLURM when
// it submits (the login node writes to the file system the compute nodes read).
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { epochsFromTrainerName } from '../../shared/trainingLog'
import type { Preparation, RunSpec } from './runSpec'
import { RunRefused } from './runSpec'
import { installV1Trainer } from './trainerInstall'
import { recordTrainInputs } from './planInputs'
import { missingTrainingOutputs } from './trainerOutputs'

const CHECKPOINTS = ['checkpoint_final.pth', 'checkpoint_latest.pth', 'checkpoint_best.pth']

async function prepareOne(spec: RunSpec, p: Preparation, log: (line: string) => void): Promise<void> {
  if (p.kind === 'install-v1-trainer') {
    const installed = await installV1Trainer(spec.python, p.trainer, await readFile(p.module, 'utf8'))
    log(`Trainer ${p.trainer}: ${installed} (where nnU-Net v1 finds trainers)`)
    return
  }
  if (p.kind === 'record-train-inputs') {
    await recordTrainInputs(p.preprocessed, p.to)
    return
  }
  // Train longer (nnU-Net issue #1422): the epoch count belongs to the trainer class, so the new
  // trainer's fold gets the finished fold's final checkpoint as its latest, and runs with --c.
  const final = join(p.from, 'checkpoint_final.pth')
  if (!existsSync(final)) {
    throw new RunRefused(`There is no finished training to extend: ${final} does not exist. Train longer starts from a fold that has finished; an interrupted one is continued with "Continue" (--continue).`, 'train-longer', 'train-longer')
  }
  if (CHECKPOINTS.some((c) => existsSync(join(p.to, c)))) {
    log(`${p.to} already has a checkpoint of ${spec.train?.trainer ?? 'the new trainer'}: continuing from it (--c).`)
    return
  }
  await mkdir(p.to, { recursive: true })
  await copyFile(final, join(p.to, 'checkpoint_latest.pth'))
  log(`Train longer: ${p.fromTrainer} (${epochsFromTrainerName(p.fromTrainer) ?? 1000} epochs, ${final}) goes on to ${p.epochs} epochs as ${spec.train?.trainer}; its results stay in ${p.from}.`)
}

/** Does the spec's preparations in order; a failed one throws (the run must not start without it). */
export async function prepareRun(spec: RunSpec, log: (line: string) => void): Promise<void> {
  for (const p of spec.prepare) await prepareOne(spec, p, log)
}

/** Why the finished run is not a success although nnU-Net exited with 0, or undefined. */
export function unmetChecks(spec: RunSpec): string | undefined {
  for (const c of spec.checks) {
    const missing = missingTrainingOutputs(spec.version, c.folder, c.trainer)
    if (missing) return missing
  }
  return undefined
}
