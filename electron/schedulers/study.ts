// A study as job scripts: what the app would run (plan, trainings, find_best, predict), written
// as readable bash/sbatch files. submitToCluster (cluster.ts) submits them; export-scripts
// (electron/cli/exportScripts.ts) writes them for running without the app. Both build them here,
// so the scripts a user exports are the ones the app submits.
import { join } from 'node:path'
import { convertMsdArgs, defaultPlans, findBestArgs, planArgs, predictArgs, trainArgs, type FindBestRequest, type NnunetCommand } from '../../shared/nnunetArgs'
import type { PlanRequest, PredictRequest, Settings, SlurmOptions, TrainRequest } from '../../shared/schema'
import { findBestAfter, numberedFolds } from '../../shared/findBest'
import { invocation } from '../nnunet/launch'
import { childEnv, datasetFolderName, resolveTrainer, trainingOutputFolder } from '../nnunet/pipeline'
import { resolvePython } from '../nnunet/python'
import { planScript, singleScript, trainArrayScript, type JobScript, type ScriptEnv, type TrainTask } from './scripts'

export interface StudyRequest {
  plan?: PlanRequest
  trainings: TrainRequest[]
  thenFindBest?: boolean
  predict?: PredictRequest
}

export interface StudyJob {
  script: JobScript
  /** What runs in it (for the job that follows it). */
  kind: 'plan' | 'train' | 'find-best' | 'predict'
  title: string
  /** Per array task (or the one command of a plain job): the command, its epochs, its output folder. */
  tasks: { command: NnunetCommand; totalEpochs?: number; outputFolder?: string; title: string }[]
  /** Names of the study's scripts this one runs after (afterok). */
  after: string[]
}

export interface Study {
  folder: string
  logDir: string
  dataset: string
  jobs: StudyJob[]
}

export function studyEnv(settings: Settings, dataDir: string, logDir: string, slurm?: SlurmOptions): ScriptEnv {
  const python = resolvePython(settings)
  return { env: childEnv(settings, dataDir), invoke: (cmd) => invocation(python, cmd), slurm, logDir }
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

  if (req.plan) {
    const commands = [...(req.plan.convertFromMsd ? [convertMsdArgs(version, req.plan.convertFromMsd, { outputId: req.plan.datasetId, processes: req.plan.processes })] : []), planArgs(version, req.plan)]
    const title = `Plan and preprocess dataset ${id}`
    jobs.push({ script: planScript(env, commands, `${label}-plan`), kind: 'plan', title, tasks: commands.map((command) => ({ command, title })), after: [] })
  }

  const trainScripts: string[] = []
  for (const [g, group] of trainGroups(req.trainings).entries()) {
    const tasks: (TrainTask & { totalEpochs: number; title: string })[] = []
    for (const r of group) {
      const { trainer, totalEpochs } = await resolveTrainer(r, version, dataDir)
      const plans = r.plans ?? defaultPlans(version)
      const command = trainArgs(version, r, { trainer, device: version === 'v2' ? settings.device : undefined })
      tasks.push({ configuration: r.configuration, fold: r.fold, command, totalEpochs, outputFolder: trainingOutputFolder(settings, dataset, trainer, plans, r.configuration, r.fold), title: `Train ${r.configuration} fold ${r.fold} (dataset ${id})` })
    }
    const name = g === 0 ? 'train.sbatch' : 'train-cascade.sbatch'
    const script = trainArrayScript(env, tasks, `${label}-${g === 0 ? 'train' : 'cascade'}`, name)
    const after = [...(req.plan ? ['plan.sbatch'] : []), ...(g > 0 ? trainScripts : [])]
    jobs.push({ script, kind: 'train', title: `${tasks.length} training${tasks.length === 1 ? '' : 's'} of dataset ${id}`, tasks, after })
    trainScripts.push(name)
  }

  // Every configuration trained here, on the folds trained here (find_best needs the same folds of each).
  const first = findBestAfter(req.trainings)
  const fb: FindBestRequest | undefined =
    req.thenFindBest && first
      ? { ...first, configurations: [...new Set(req.trainings.map((t) => t.configuration).filter((c) => c !== '3d_lowres' || !req.trainings.some((t) => t.configuration === '3d_cascade_fullres')))], folds: numberedFolds(req.trainings.map((t) => t.fold)) }
      : undefined
  if (fb) {
    // The trainer the trainings ran with (a generated one when epochs were set).
    const { trainer } = await resolveTrainer(req.trainings[0]!, version, dataDir)
    const command = findBestArgs(version, { ...fb, trainer })
    const title = `Find the best configuration of dataset ${id} (${fb.configurations.join(', ')})`
    jobs.push({ script: singleScript(env, 'find-best', command, `${label}-find-best`, 'find_best_configuration after the trainings'), kind: 'find-best', title, tasks: [{ command, title }], after: [...trainScripts] })
  }

  if (req.predict) {
    const p = req.predict
    const trainer = p.trainer ?? (req.trainings[0] ? (await resolveTrainer(req.trainings[0], version, dataDir)).trainer : undefined) ?? (version === 'v2' ? 'nnUNetTrainer' : 'nnUNetTrainerV2')
    const command = predictArgs(version, p, { trainer, device: version === 'v2' ? settings.device : undefined })
    const title = `Predict with ${p.configuration} (dataset ${id})`
    jobs.push({ script: singleScript(env, 'predict', command, `${label}-predict`, `predict ${p.input} into ${p.output}`), kind: 'predict', title, tasks: [{ command, title }], after: [...trainScripts] })
  }
  return { folder, logDir, dataset, jobs }
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
      for (let t = 0; t < j.script.tasks; t++) lines.push(`echo "== ${j.tasks[t]!.title}"`, `bash ${j.script.name} ${t} 2>&1 | tee -a logs/${j.script.name.replace(/\.sbatch$/, '')}-local_${t}.log`)
    } else lines.push(`echo "== ${j.title}"`, `bash ${j.script.name} 2>&1 | tee -a logs/${j.script.name.replace(/\.sbatch$/, '')}-local.log`)
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
