// `nnunet-wizard train --scheduler slurm`: the trainings named by -c and -f (comma lists) go to
// the SLURM cluster through the service's submitToCluster (one job array; a plan job first with
// --plan; find_best after them with --find-best). The terminal shows every task's log lines and
// epochs as they are written on the shared file system, and SLURM's state of each task.
import type { ParseArgsConfig } from 'node:util'
import * as s from '../../shared/schema'
import { UsageError, parseFlags, requireFlags, usageFailure, validRequest } from './common'
import { cliService, parseInteger, runCliJob, settingsFile, settingsFrom, type CommonValues } from './support'
import { SettingsStore } from '../settings'
import { listOf, slurmFromFlags, type SlurmValues } from './slurmFlags'
import { foldsOf, trainRequestsFrom, type TrainFlagValues } from './trainFlags'
import { mergedSlurm } from '../schedulers/cluster'

type Values = CommonValues &
  SlurmValues &
  TrainFlagValues & {
    dataset?: string
    configuration?: string
    fold?: string
    plan?: boolean
    'find-best'?: boolean
  }

const SLURM_ONLY = ['partition', 'gpus', 'cpus', 'mem', 'time', 'account', 'qos', 'sbatch-arg', 'preamble', 'preamble-file', 'plan', 'find-best'] as const

/** The exit code when the trainings went to SLURM; undefined when they run on this machine. */
export async function submitTrainingsToSlurm(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Promise<number | undefined> {
  let values: Values
  let request: s.ClusterSubmitRequest
  let settings: s.Settings
  try {
    values = parseFlags(argv, options) as Values
    const flags = slurmFromFlags(values)
    const saved = await new SettingsStore(settingsFile()).get().catch(() => s.settings.parse({}))
    const scheduler = flags.scheduler ?? saved.scheduler ?? 'local'
    // Not asked for on the command line: say where the run goes and why, so SLURM is never a surprise.
    if (!flags.scheduler && scheduler === 'slurm') process.stderr.write(`Runs on SLURM: the saved "Where to run" setting (${settingsFile()}); --scheduler local to run on this machine.\n`)
    if (scheduler === 'local') {
      const stray = SLURM_ONLY.filter((k) => values[k] !== undefined)
      if (stray.length) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} to SLURM runs only: add --scheduler slurm.`)
      if (values['save-slurm']) await new SettingsStore(settingsFile()).update({ scheduler: 'local' })
      return undefined
    }
    // SLURM gives each task its GPUs (CUDA_VISIBLE_DEVICES); numbers of this machine's GPUs mean nothing there.
    if (values.gpu?.length) throw new UsageError('--gpu picks GPUs of this machine; on SLURM the cluster assigns them to each task: ask for them with --gpus N.')
    requireFlags(values, ['dataset', 'configuration', 'fold'])
    const datasetId = parseInteger('-d', values.dataset, 1, 999)!
    const configurations = listOf('-c', values.configuration!)
    const trainings = trainRequestsFrom(values, datasetId, configurations, foldsOf(values.fold!))
    request = validRequest(s.clusterSubmitRequest, {
      ...(values.plan && { plan: { datasetId, ...(flags.slurm.cpus && { processes: flags.slurm.cpus }), configurations: [...new Set(configurations.map((c) => (c === '3d_cascade_fullres' ? '3d_lowres' : c)))] } }),
      trainings,
      thenFindBest: values['find-best'] ?? false,
      slurm: flags.slurm,
    })
    settings = await settingsFrom(values)
    if (values['save-slurm']) {
      const st = await new SettingsStore(settingsFile()).update({ scheduler: 'slurm', slurm: mergedSlurm(saved.slurm, flags.slurm) })
      process.stderr.write(`Remembered in ${settingsFile()}: --scheduler slurm ${JSON.stringify(st.slurm ?? {})}\n`)
    }
  } catch (err) {
    return usageFailure('train', err)
  }
  const service = cliService(settings)
  return runCliJob('train', service, values.json ?? false, () => service.submitToCluster(request))
}
