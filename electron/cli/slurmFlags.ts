// The SLURM flags of `nnunet-wizard train` (and export-scripts): where to run and what to ask
// sbatch for. Values are checked by the settings' schema (shared/schema.ts slurmOptions) and
// reach sbatch as words of #SBATCH lines, never through a shell.
import { readFileSync } from 'node:fs'
import type { ParseArgsConfig } from 'node:util'
import * as s from '../../shared/schema'
import { UsageError, validRequest } from './common'

export const SLURM_OPTIONS = {
  scheduler: { type: 'string' },
  partition: { type: 'string' },
  gpus: { type: 'string' },
  cpus: { type: 'string' },
  mem: { type: 'string' },
  time: { type: 'string' },
  account: { type: 'string' },
  qos: { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  preamble: { type: 'string', multiple: true },
  'preamble-file': { type: 'string' },
  'save-slurm': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options']

export const SLURM_HELP = `where to run (default: the saved setting, else this machine):
  --scheduler local|slurm   slurm: sbatch the trainings as one job array (folds x
                            configurations; 3d_cascade_fullres after 3d_lowres) and follow
                            each task's log; -c and -f then take comma lists (-f 0,1,2)
  --partition P --account A --qos Q
  --gpus N --cpus N --mem 32G --time D-HH:MM:SS
                            what each task asks sbatch for
  --sbatch-arg ARG          any further sbatch option, one per flag (--sbatch-arg=--constraint=a100)
  --preamble LINE           a line every job script runs first (module load ..., conda activate
                            ...); repeat for more lines; or --preamble-file FILE
  --save-slurm              remember --scheduler and these options in the app's settings`

export type SlurmValues = {
  scheduler?: string
  partition?: string
  gpus?: string
  cpus?: string
  mem?: string
  time?: string
  account?: string
  qos?: string
  'sbatch-arg'?: string[]
  preamble?: string[]
  'preamble-file'?: string
  'save-slurm'?: boolean
}

function count(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, got "${text}".`)
  return n
}

/** The scheduler asked for (or undefined: the saved setting decides) and the sbatch options given by flag. */
export function slurmFromFlags(values: SlurmValues): { scheduler?: 'local' | 'slurm'; slurm: s.SlurmOptions } {
  const sched = values.scheduler
  if (sched !== undefined && sched !== 'local' && sched !== 'slurm') throw new UsageError(`--scheduler is local or slurm, got "${sched}".`)
  let preamble = values.preamble?.join('\n')
  if (values['preamble-file']) {
    try {
      preamble = [preamble, readFileSync(values['preamble-file'], 'utf8')].filter(Boolean).join('\n')
    } catch (err) {
      throw new UsageError(`--preamble-file ${values['preamble-file']} cannot be read: ${(err as Error).message}`)
    }
  }
  for (const a of values['sbatch-arg'] ?? []) if (!/^--?[A-Za-z]/.test(a)) throw new UsageError(`--sbatch-arg "${a}": an sbatch option starts with - or -- (write --sbatch-arg=--constraint=a100).`)
  const slurm = validRequest(
    s.slurmOptions,
    {
      partition: values.partition,
      gpus: count('--gpus', values.gpus, 0, 64),
      cpus: count('--cpus', values.cpus, 1, 512),
      mem: values.mem,
      time: values.time,
      account: values.account,
      qos: values.qos,
      sbatchArgs: values['sbatch-arg'],
      preamble,
    },
    { partition: '--partition', mem: '--mem', time: '--time', account: '--account', qos: '--qos', sbatchArgs: '--sbatch-arg', preamble: '--preamble' },
  )
  const given = Object.fromEntries(Object.entries(slurm).filter(([, v]) => v !== undefined)) as s.SlurmOptions
  return { ...(sched && { scheduler: sched }), slurm: given }
}

/** "0,1,2" / "all" -> folds; "2d,3d_fullres" -> configurations. */
export function listOf(flag: string, text: string): string[] {
  const items = text.split(',').map((x) => x.trim()).filter(Boolean)
  if (!items.length) throw new UsageError(`${flag} is empty.`)
  if (new Set(items).size !== items.length) throw new UsageError(`${flag} names an item twice: "${text}".`)
  return items
}
