// `nnunet-wizard train`: one nnU-Net training (configuration + fold) with live epoch progress;
// several folds (-f 0,1,2) go through the run queue, side by side on separate GPUs (trainFolds.ts).
import type { ValidationSummary } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { diceText, lowDiceLabels } from '../../shared/diceWarning'
import { cliService, COMMON_HELP, COMMON_OPTIONS, parseInteger, runSettingsCommand, settingsFile, settingsFrom } from './support'
import { parseFlags, requireFlags, usageFailure } from './common'
import { foldsOf, trainRequestFrom } from './trainFlags'
import { foldRequests, runFolds } from './trainFolds'
import { submitTrainingsToSlurm } from './slurmTrain'
import { SLURM_HELP, SLURM_OPTIONS } from './slurmFlags'
import { trainLengthCheck } from './trainLength'
import { SettingsStore } from '../settings'
import * as s from '../../shared/schema'

export const help = `usage: nnunet-wizard train -d ID -c CONFIGURATION -f FOLD [options]

Trains one fold of one configuration (nnUNetv2_train / nnUNet_train) and shows the epochs as
they finish: losses, pseudo Dice per class, epoch time and the time left.

  -d, --dataset ID          dataset id
  -c, --configuration C     2d, 3d_fullres, 3d_lowres or 3d_cascade_fullres (after 3d_lowres)
  -f, --fold F              0-4 or all; several as a list (-f 0,1,2,3,4) train through one run
                            queue: one after another, or side by side with one --gpu per fold
  --trainer NAME            trainer class (default nnUNetTrainer / nnUNetTrainerV2)
  --epochs N                any number of epochs: a generated trainer subclass that saves
                            checkpoints and validates (v2: found through nnUNet_extTrainer; v1:
                            installed into nnunet/training/network_training/nnunet_wizard/)
  --iterations N            training iterations per epoch (default 250)
  --no-npz                  do not save softmax outputs of the validation (--npz is on by
                            default: find_best_configuration and ensembling need it)
  --continue                continue from the latest checkpoint
  --gpu N                   run on GPU N only (CUDA_VISIBLE_DEVICES, numbered as nvidia-smi lists
                            them); repeat for several. With several folds, fold i trains on the
                            i-th --gpu in turn and folds on different GPUs train side by side
                            (-f 0,1,2,3,4 --gpu 0 --gpu 1: two at a time). This machine only:
                            on SLURM ask for GPUs with --gpus N
  --num-gpus N              v2: one run over N GPUs (-num_gpus, DDP; CUDA only); with several
                            folds each fold is such a run, one after another
  --longer-from TRAINER     train longer: go on from this finished trainer's final checkpoint of
                            the same fold to --epochs N (v2; e.g. --longer-from
                            nnUNetTrainer_Wizard_2ep_2it --epochs 3 --iterations 2); its own
                            results stay as they are
  --validation-only         only run the validation of a finished training
  --pretrained-weights F    start from these weights
  --plans NAME              plans identifier (default: the plans the dataset was planned with,
                            else nnUNetPlans / nnUNetPlansv2.1)
  --yes                     start even a run estimated at more than 3 hours on the CPU (without
                            it such a run is refused with the estimate and a shorter first try:
                            --epochs 10 --iterations 10)

${SLURM_HELP}
  --plan                    (slurm) submit plan and preprocess first; the trainings wait for it
  --find-best               (slurm) find_best_configuration after all trainings (afterok)

${COMMON_HELP}

Ctrl-C cancels: nnU-Net and all its worker processes are stopped.
A dataset that has not been planned and preprocessed is refused before nnU-Net starts (plan
first: nnunet-wizard plan -d ID).

exit codes: 0 done, 1 nnU-Net failed (guidance is printed), 2 bad usage, not planned yet or a
run of more than 3 hours on the CPU without --yes,
130 cancelled.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c' },
  fold: { type: 'string', short: 'f' },
  trainer: { type: 'string' },
  epochs: { type: 'string' },
  iterations: { type: 'string' },
  'no-npz': { type: 'boolean' },
  continue: { type: 'boolean' },
  'longer-from': { type: 'string' },
  gpu: { type: 'string', multiple: true },
  'num-gpus': { type: 'string' },
  'validation-only': { type: 'boolean' },
  'pretrained-weights': { type: 'string' },
  plans: { type: 'string' },
  yes: { type: 'boolean' },
  ...SLURM_OPTIONS,
  plan: { type: 'boolean' },
  'find-best': { type: 'boolean' },
} as const

export async function run(argv: string[]): Promise<number> {
  // --scheduler slurm (given, or saved in the settings): the trainings go to the cluster as job arrays.
  const slurm = await submitTrainingsToSlurm(argv, options)
  if (slurm !== undefined) return slurm
  const parse = () => {
    const values = parseFlags(argv, options)
    requireFlags(values, ['dataset', 'configuration', 'fold'])
    const folds = foldsOf(values.fold!)
    const request = trainRequestFrom(values, { datasetId: parseInteger('-d', values.dataset, 1, 999), configuration: values.configuration, fold: folds[0] })
    return { values, request, folds }
  }
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse()
  } catch (err) {
    return usageFailure('train', err)
  }
  // Hours on the CPU: said before anything starts, with the first try the app offers; refused without --yes.
  const device = parsed.values.device ?? (await new SettingsStore(settingsFile()).get().catch(() => s.settings.parse({}))).device
  const length = trainLengthCheck({ device, request: parsed.request, runs: parsed.folds.length, yes: parsed.values.yes ?? false })
  for (const line of length.lines) process.stderr.write(`${line}\n`)
  if (length.refuse) return 2
  if (parsed.folds.length === 1) return runSettingsCommand('train', () => parsed, (service, req) => service.train(req), validationLines)
  let settings: Settings
  try {
    settings = await settingsFrom(parsed.values)
  } catch (err) {
    return usageFailure('train', err)
  }
  return runFolds(cliService(settings), foldRequests(parsed.request, parsed.folds), parsed.values.json ?? false, validationLines)
}

/** The final validation Dice per label name, and a warning for those at zero or near it. */
export function validationLines(result: unknown): string[] {
  const v = (result as { validation?: ValidationSummary } | undefined)?.validation
  if (!v) return []
  const low = lowDiceLabels(v)
  return [
    `Final validation Dice (${v.cases} case${v.cases === 1 ? '' : 's'}): ${v.labels.map((l) => `${l.name} ${diceText(l.dice)}`).join(', ')}; mean ${diceText(v.mean)}`,
    ...(low.length ? [`warning: ${low.map((l) => l.name).join(', ')} at zero or near it: the model has not learned ${low.length === 1 ? 'it' : 'them'} yet (train longer, or check the masks).`] : []),
  ]
}
