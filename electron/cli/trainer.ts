// `nnunet-wizard trainer`: make your own nnU-Net trainer (base, epochs, iterations, loss, own
// Python) and have it checked by nnU-Net before any training; list the losses nnU-Net ships and
// the trainers made so far. Same service door as the Train step (createTrainer, trainerOptions).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { CreatedTrainer } from '../../shared/api'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, runCliJob, settingsFrom } from './support'
import { parseFlags, UsageError, usageFailure, validRequest } from './common'

export const help = `usage: nnunet-wizard trainer create [options]
       nnunet-wizard trainer losses | list [settings]

create: writes a trainer class and checks it with nnU-Net before it can be trained with: Python
compiles it (errors with their line), nnU-Net finds it by name, and with -d/-c/-f nnU-Net
constructs it on that dataset's plans and runs one training iteration. A trainer that fails is
refused and not kept. One that passes is kept in the app's trainers folder (v2: found through
nnUNet_extTrainer; v1: also installed into nnunet/training/network_training/nnunet_wizard/,
where nnU-Net v1 looks trainers up), for training and later for prediction:
  nnunet-wizard train -d ID -c C -f F --trainer NAME

  --name NAME               class name (default: made from base, epochs, iterations and loss)
  --base-trainer TRAINER    the trainer it extends (default nnUNetTrainer; v1 nnUNetTrainerV2,
                            nnUNetTrainerV2CascadeFullRes for 3d_cascade_fullres). (--base DIR is
                            the nnU-Net folders' base, as for every command.)
  --epochs N                epochs (default 1000)
  --iterations N            training iterations per epoch (default 250)
  --loss CLASS              a loss nnU-Net ships, by the class that defines it (see 'trainer
                            losses'); default: the base's own Dice + cross-entropy
  --loss-file FILE          your own loss: Python that defines build_loss(trainer) returning the
                            loss module (errors name the line of this file)
  --class-file FILE         your own trainer module as a whole (the class named --name, or the
                            last class in it)
  -d, --dataset ID  -c, --configuration C  -f, --fold F
                            check on this dataset's plans: construct it and run one iteration
  --plans NAME              plans identifier for the check

losses: the losses the installed nnU-Net ships.   list: the trainers made so far.

${COMMON_HELP}

exit codes: 0 created (or listed), 1 refused by a check (the stage and line are printed),
2 bad usage.`

const options = {
  ...COMMON_OPTIONS,
  name: { type: 'string' },
  'base-trainer': { type: 'string' },
  epochs: { type: 'string' },
  iterations: { type: 'string' },
  loss: { type: 'string' },
  'loss-file': { type: 'string' },
  'class-file': { type: 'string' },
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c' },
  fold: { type: 'string', short: 'f' },
  plans: { type: 'string' },
} as const

async function readText(flag: string, file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined
  try {
    return await readFile(resolve(file), 'utf8')
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
  }
}

function createdLines(result: unknown): string[] {
  const t = result as CreatedTrainer | undefined
  if (!t?.name) return []
  return [
    `Trainer ${t.name} passed: ${t.stages.map((st) => st.stage + (st.loss !== undefined ? ` (loss ${st.loss.toFixed(4)})` : '')).join(', ')}`,
    `  kept in ${t.file}${t.installedAt ? `; nnU-Net v1 imports ${t.installedAt}` : ''}`,
    `  train with: nnunet-wizard train ... --trainer ${t.name}`,
  ]
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'create' && sub !== 'losses' && sub !== 'list') return usageFailure('trainer', new UsageError(`say what to do: create, losses or list (got ${sub ?? 'nothing'}).`))
  let values: ReturnType<typeof parseFlags<typeof options>>
  let settings: s.Settings
  let request: s.TrainerCreateRequest | undefined
  try {
    values = parseFlags(rest, options)
    settings = await settingsFrom(values)
    if (sub === 'create') {
      const hasCheck = values.dataset !== undefined || values.configuration !== undefined || values.fold !== undefined
      if (hasCheck && (values.dataset === undefined || values.configuration === undefined || values.fold === undefined)) {
        throw new UsageError('the check on a dataset needs all of -d, -c and -f.')
      }
      if (values['loss-file'] && values.loss) throw new UsageError('give either --loss or --loss-file, not both.')
      // --base names the nnU-Net folders' base in every command; a trainer class given there was meant for --base-trainer.
      if (values.base !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(values.base) && /Trainer/.test(values.base) && !existsSync(values.base)) {
        throw new UsageError(`--base is the folder that holds the nnU-Net folders; the trainer to extend is --base-trainer ${values.base}.`)
      }
      request = validRequest(s.trainerCreateRequest, {
        name: values.name,
        base: values['base-trainer'],
        epochs: parseInteger('--epochs', values.epochs, 1, 100_000),
        iterationsPerEpoch: parseInteger('--iterations', values.iterations, 1, 100_000),
        loss: values.loss,
        lossCode: await readText('--loss-file', values['loss-file']),
        classCode: await readText('--class-file', values['class-file']),
        check: hasCheck
          ? { datasetId: parseInteger('-d', values.dataset, 1, 999), configuration: values.configuration, fold: values.fold === 'all' ? 'all' : parseInteger('-f', values.fold, 0, 9) }
          : undefined,
        plans: values.plans,
      })
    }
  } catch (err) {
    return usageFailure('trainer', err)
  }
  const service = cliService(settings)
  if (sub === 'create') return runCliJob('trainer create', service, values.json ?? false, () => service.createTrainer(request!), createdLines)
  const opts = await service.trainerOptions()
  if (values.json) {
    console.log(JSON.stringify(sub === 'losses' ? { version: opts.version, losses: opts.losses, problem: opts.lossesProblem } : { version: opts.version, trainers: opts.created, where: opts.where }, null, 2))
    return 0
  }
  if (sub === 'losses') {
    if (opts.lossesProblem) {
      console.error(opts.lossesProblem)
      return 1
    }
    console.log(`Losses nnU-Net ${opts.version} ships (--loss CLASS); the default is the base trainer's Dice + cross-entropy:`)
    for (const l of opts.losses) console.log(`  ${l.className.padEnd(40)} ${l.label.replace(/ \([^)]*\)$/, '')}`)
    return 0
  }
  console.log(`Trainers made for nnU-Net ${opts.version}: ${opts.where}`)
  if (!opts.created.length) console.log('  none yet (nnunet-wizard trainer create ...)')
  for (const t of opts.created) console.log(`  ${t.name}  ${t.file}${t.checkedOn ? `  (checked on dataset ${t.checkedOn.datasetId} ${t.checkedOn.configuration})` : ''}`)
  return 0
}
