// `nnunet-wizard export-scripts`: the study the app would run, written as scripts to run without
// it: one .sbatch file per job (plan, the trainings as a job array, find_best, predict), each of
// which also runs with plain bash, plus run-all.sh (this machine, in order) and submit-all.sh
// (the cluster, afterok dependencies). nnU-Net's folders and options are exported in every file.
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, settingsFrom } from './support'
import { toApiError } from '../transport/errors'
import { listOf, slurmFromFlags, SLURM_OPTIONS } from './slurmFlags'
import { parseFlags, requireFlags, usageFailure, UsageError, validRequest } from './common'
import { foldsOf, trainRequestsFrom } from './trainFlags'

export const help = `usage: nnunet-wizard export-scripts -d ID --out DIR [-c C[,C]] [-f F[,F]] [options]

Writes what the app would run as scripts into DIR (created), to reproduce a study without the app:
  plan.sbatch         plan and preprocess (with --plan)
  train.sbatch        the trainings (configurations x folds) as one job array; on SLURM a task
                      warned of its wall time (USR1) saves a checkpoint and is requeued with --c
  train-cascade.sbatch  3d_cascade_fullres, after 3d_lowres
  find-best.sbatch    find_best_configuration after the trainings (with --find-best)
  predict.sbatch      a prediction (with --predict-input and --predict-output)
  run-all.sh          all of it on this machine, one after another (bash; no SLURM needed)
  submit-all.sh       all of it on the cluster (sbatch, afterok dependencies)
  trainers/           the trainers the app made that these scripts train with (on nnUNet_extTrainer)
Every .sbatch file also runs with bash (an array script takes its task number: bash train.sbatch 0).
The scripts run the Python the app uses; set NNUNET_PYTHON=/path/to/bin/python to use another.
Paths holding a control character (a newline, ...) are refused: a script cannot carry them safely.

  -d, --dataset ID          dataset id
  --out DIR                 where the scripts go; logs go to DIR/logs
  -c, --configuration C     configurations to train, comma separated (e.g. 3d_lowres,3d_cascade_fullres)
  -f, --fold F              folds, comma separated (default 0,1,2,3,4)
  --plan                    plan and preprocess first
  --find-best               find_best_configuration after the trainings
  --predict-input DIR --predict-output DIR
                            predict these images with the trained folds of the first configuration
  --trainer NAME --epochs N --iterations N --plans NAME --no-npz
                            as for nnunet-wizard train

sbatch options written into the files (the saved settings' when not given):
  --partition P --account A --qos Q --gpus N --cpus N --mem 32G --time D-HH:MM:SS
  --sbatch-arg ARG --preamble LINE --preamble-file FILE

${COMMON_HELP}`

const options = {
  ...COMMON_OPTIONS,
  ...SLURM_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  out: { type: 'string' },
  configuration: { type: 'string', short: 'c' },
  fold: { type: 'string', short: 'f' },
  plan: { type: 'boolean' },
  'find-best': { type: 'boolean' },
  'predict-input': { type: 'string' },
  'predict-output': { type: 'string' },
  trainer: { type: 'string' },
  epochs: { type: 'string' },
  iterations: { type: 'string' },
  plans: { type: 'string' },
  'no-npz': { type: 'boolean' },
} as const

export async function run(argv: string[]): Promise<number> {
  let request: s.ExportScriptsRequest
  let settings: s.Settings
  let json = false
  try {
    const values = parseFlags(argv, options)
    json = values.json ?? false
    requireFlags(values, ['dataset', 'out'])
    const datasetId = parseInteger('-d', values.dataset, 1, 999)!
    const configurations = values.configuration ? listOf('-c', values.configuration) : []
    const folds = foldsOf(values.fold ?? '0,1,2,3,4')
    const { slurm } = slurmFromFlags(values)
    const trainings = trainRequestsFrom(values, datasetId, configurations, folds)
    if ((values['predict-input'] === undefined) !== (values['predict-output'] === undefined)) throw new UsageError('--predict-input and --predict-output go together.')
    const predict =
      values['predict-input'] && configurations[0]
        ? { datasetId, input: resolve(values['predict-input']), output: resolve(values['predict-output']!), configuration: configurations.at(-1), folds: folds, ...(values.plans && { plans: values.plans }) }
        : undefined
    request = validRequest(s.exportScriptsRequest, {
      folder: resolve(values.out!),
      ...(values.plan && { plan: { datasetId, ...(slurm.cpus && { processes: slurm.cpus }), ...(configurations.length && { configurations: [...new Set(configurations.map((c) => (c === '3d_cascade_fullres' ? '3d_lowres' : c)))] }) } }),
      trainings,
      thenFindBest: values['find-best'] ?? false,
      ...(predict && { predict }),
      slurm,
    })
    settings = await settingsFrom(values)
  } catch (err) {
    return usageFailure('export-scripts', err)
  }
  try {
    const out = await cliService(settings).exportScripts(request)
    if (json) console.log(JSON.stringify(out, null, 2))
    else {
      const scripts = out.files.filter((f) => !f.endsWith('.py'))
      const trainers = out.files.length - scripts.length
      console.log(`Wrote ${scripts.length} scripts to ${out.folder}${trainers ? ` (and the ${trainers === 1 ? 'trainer' : `${trainers} trainers`} they train with, in trainers/)` : ''}:`)
      for (const f of out.files) console.log(`  ${f}`)
      console.log(`Run them here: bash ${out.folder}/run-all.sh   On the cluster: bash ${out.folder}/submit-all.sh`)
    }
    return 0
  } catch (err) {
    console.error(`nnunet-wizard export-scripts: ${toApiError(err).message}`)
    return 1
  }
}
