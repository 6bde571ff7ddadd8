// A study as job scripts: what the app would run (plan, trainings, find_best, predict), written
// as readable bash/sbatch files. submitToCluster (cluster.ts) submits them; export-scripts
// (electron/cli/exportScripts.ts) writes them for running without the app. Both build them here,
// so the scripts a user exports are the ones the app submits.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FindBestRequest, NnunetCommand } from '../../shared/nnunetArgs'
import type { PlanRequest, PredictRequest, Settings, SlurmOptions, TrainRequest } from '../../shared/schema'
import { findBestAfter, numberedFolds } from '../../shared/findBest'
import { invocation } from '../nnunet/launch'
import { childEnv, datasetFolderName, trainingOutputFolder } from '../nnunet/runPlaces'
import { findBestSpec, planSpec, predictSpec, trainSpec, type RunSpec } from '../nnunet/runSpec'
import { resolvePython } from '../nnunet/python'
import { trainerDirFor } from '../nnunet/trainers'
import { planScript, scriptText, shellWord, singleScript, trainArrayScript, type JobScript, type ScriptEnv, type TrainTask } from './scripts'

export interface StudyRequest {
  plan?: PlanRequest
  trainings: TrainRequest[]
  thenFindBest?: boolean
  predict?: PredictRequest
}

/** One command of a study: what a task runs, from its resolved run. */
export interface StudyTask {
  command: NnunetCommand
  totalEpochs?: number
  outputFolder?: string
  title: string
  spec: RunSpec
}

export interface StudyJob {
  script: JobScript
  /** What runs in it (for the job that follows it). */
  kind: 'plan' | 'train' | 'find-best' | 'predict'
  title: string
  /** Per array task (or the one command of a plain job): the command, its epochs, its output folder, the run it belongs to. */
  tasks: StudyTask[]
  /** Names of the study's scripts this one runs after (afterok). */
  after: string[]
}

export interface Study {
  folder: string
  logDir: string
  dataset: string
  jobs: StudyJob[]
  /** The modules of the app-made trainers the study trains or predicts with: copied into its trainers/ folder (the scripts' nnUNet_extTrainer). */
  trainerFiles: string[]
}

export function studyEnv(settings: Settings, dataDir: string, logDir: string, slurm?: SlurmOptions): ScriptEnv {
  const python = resolvePython(settings)
  return { env: childEnv(settings, dataDir), invoke: (cmd) => invocation(python, cmd), slurm, logDir, python, version: settings.nnunetVersion }
}

/** The trainings in dependency order: every configuration but the cascade first, the cascade after them. */
function trainGroups(trainings: TrainRequest[]): TrainRequest[][] {
  const first = trainings.filter((t) => t.configuration !== '3d_cascade_fullres')
  const cascade = trainings.filter((t) => t.configuration === '3d_cascade_fullres')
  return [first, cascade].filter((g) => g.length)
}

export async function buildStudy(req: StudyRequest, settings: Settings, dataDir: string, folder: string, slurm?: SlurmOptions): Promise<Study> {
  const version = settings.nnunetVersion
  const id = req.plan?.datasetId ?? req.trainings[0]?.datasetId ?? req.predict?.datasetId
  if (id === undefined) throw new Error('Nothing to run: give a plan, trainings or a prediction.')
  const dataset = (await datasetFolderName(settings, id)) ?? `Dataset${String(id).padStart(3, '0')}`
  const logDir = join(folder, 'logs')
  const env = studyEnv(settings, dataDir, logDir, slurm)
  const jobs: StudyJob[] = []
  const label = `d${id}`
  const trainers = new Set<string>()

  // Every run is resolved by the one engine (nnunet/runSpec.ts), as a local run would be: the
  // plans the dataset was planned with, the generated trainer, plan first, train longer, v1
  // refusals. Runs of this submission that come first (the plan, 3d_lowres before the cascade)
  // count as done at their turn (afterok).
  const ctx = { settings, dataDir }
  const plansAhead = req.plan ? [req.plan] : []
  if (req.plan) {
    const spec = await planSpec(req.plan, ctx)
    jobs.push({ script: planScript(env, spec.commands, `${label}-plan`), kind: 'plan', title: spec.title, tasks: spec.commands.map((command) => ({ command, title: spec.title, spec })), after: [] })
  }

  const trainScripts: string[] = []
  const groups = trainGroups(req.trainings)
  const trainSpecs: RunSpec[] = []
  for (const [g, group] of groups.entries()) {
    const tasks: (TrainTask & StudyTask)[] = []
    for (const r of group) {
      const spec = await trainSpec(r, { ...ctx, ahead: { plans: plansAhead, trainings: g > 0 ? groups[0]! : [] } })
      const t = spec.train!
      trainers.add(t.trainer)
      trainSpecs.push(spec)
      const outputFolder = t.outputFolder ?? trainingOutputFolder(settings, dataset, t.trainer, t.plans, r.configuration, r.fold)
      tasks.push({ configuration: r.configuration, fold: r.fold, command: spec.commands[0]!, totalEpochs: t.totalEpochs, outputFolder, title: spec.title, spec })
    }
    const name = g === 0 ? 'train.sbatch' : 'train-cascade.sbatch'
    const script = trainArrayScript(env, tasks, `${label}-${g === 0 ? 'train' : 'cascade'}`, name)
    const after = [...(req.plan ? ['plan.sbatch'] : []), ...(g > 0 ? trainScripts : [])]
    jobs.push({ script, kind: 'train', title: `${tasks.length} training${tasks.length === 1 ? '' : 's'} of dataset ${id}`, tasks, after })
    trainScripts.push(name)
  }

  // Every configuration trained here, on the folds trained here (find_best needs the same folds of each).
  const first = findBestAfter(trainSpecs.map((sp) => sp.train!.request))
  const fb: FindBestRequest | undefined =
    req.thenFindBest && first
      ? { ...first, configurations: [...new Set(req.trainings.map((t) => t.configuration).filter((c) => c !== '3d_lowres' || !req.trainings.some((t) => t.configuration === '3d_cascade_fullres')))], folds: numberedFolds(req.trainings.map((t) => t.fold)) }
      : undefined
  if (fb) {
    // The trainer and plans the trainings ran with (a generated trainer when epochs were set).
    const spec = await findBestSpec({ ...fb, trainer: trainSpecs[0]!.train!.trainer, ...(trainSpecs[0]!.train!.request.plans && { plans: trainSpecs[0]!.train!.request.plans }) }, { ...ctx, ahead: { plans: plansAhead, trainings: [] } })
    jobs.push({ script: singleScript(env, 'find-best', spec.commands[0]!, `${label}-find-best`, 'find_best_configuration after the trainings'), kind: 'find-best', title: spec.title, tasks: [{ command: spec.commands[0]!, title: spec.title, spec }], after: [...trainScripts] })
  }

  if (req.predict) {
    const p = req.predict
    const trainer = p.trainer ?? trainSpecs[0]?.train!.trainer ?? (version === 'v2' ? 'nnUNetTrainer' : 'nnUNetTrainerV2')
    trainers.add(trainer)
    const spec = await predictSpec({ ...p, ...(!p.plans && trainSpecs[0]?.train!.request.plans && { plans: trainSpecs[0].train!.request.plans }) }, { ...ctx, ahead: { plans: plansAhead, trainings: [] } }, trainer)
    jobs.push({ script: singleScript(env, 'predict', spec.commands[0]!, `${label}-predict`, `predict ${p.input} into ${p.output}`), kind: 'predict', title: spec.title, tasks: [{ command: spec.commands[0]!, title: spec.title, spec }], after: [...trainScripts] })
  }
  // A trainer the app made (generated or created) travels with the scripts; nnU-Net's own need nothing.
  const trainerFiles = [...trainers].map((t) => join(trainerDirFor(version, dataDir), `${t}.py`)).filter((f) => existsSync(f))
  return { folder, logDir, dataset, jobs, trainerFiles }
}

/** run-all.sh: the study on one machine without SLURM, in order (each job script run with bash). */
export function runAllScript(study: Study): string {
  const lines = [
    '#!/bin/bash',
    '# nnU-Net Wizard: the whole study on this machine, one step after another (no SLURM needed).',
    '# On a cluster submit the .sbatch files instead: see submit-all.sh.',
    'set -euo pipefail',
    'cd "$(dirname "${BASH_SOURCE[0]}")"',
    'mkdir -p logs',
  ]
  for (const j of study.jobs) {
    if (j.script.tasks) {
      for (let t = 0; t < j.script.tasks; t++) lines.push(`echo ${shellWord(`== ${scriptText('title', j.tasks[t]!.title)}`)}`, `bash ${j.script.name} ${t} 2>&1 | tee -a logs/${j.script.name.replace(/\.sbatch$/, '')}-local_${t}.log`)
    } else lines.push(`echo ${shellWord(`== ${scriptText('title', j.title)}`)}`, `bash ${j.script.name} 2>&1 | tee -a logs/${j.script.name.replace(/\.sbatch$/, '')}-local.log`)
  }
  lines.push('')
  return lines.join('\n')
}

/** submit-all.sh: the study on the cluster, each job after the ones it needs (afterok). */
export function submitAllScript(study: Study): string {
  const lines = [
    '#!/bin/bash',
    '# nnU-Net Wizard: submits the study to SLURM, each job after the ones it needs (afterok).',
    'set -euo pipefail',
    'cd "$(dirname "${BASH_SOURCE[0]}")"',
    'mkdir -p logs',
    'declare -A id',
  ]
  for (const j of study.jobs) {
    const dep = j.after.length ? ` --dependency=afterok:${j.after.map((a) => `\${id[${a}]}`).join(':')} --kill-on-invalid-dep=yes` : ''
    lines.push(`id[${j.script.name}]=$(sbatch --parsable${dep} ${j.script.name} | cut -d';' -f1)`, `echo "${j.script.name}: job \${id[${j.script.name}]}"`)
  }
  lines.push('')
  return lines.join('\n')
}
