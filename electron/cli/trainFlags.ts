// The training flags `train`, `train --scheduler slurm` and `export-scripts` share, read one way:
// -f as a fold list, and one training request per configuration and fold. A flag a command does
// not offer is simply absent from its values.
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { parseInteger } from './support'
import { listOf } from './slurmFlags'
import { validRequest } from './common'

export type Fold = s.TrainRequest['fold']

// A type, not an interface: command value types join it and must stay indexable by flag name.
export type TrainFlagValues = {
  trainer?: string
  epochs?: string
  iterations?: string
  'no-npz'?: boolean
  continue?: boolean
  'validation-only'?: boolean
  'pretrained-weights'?: string
  plans?: string
  'longer-from'?: string
  gpu?: string[]
  'num-gpus'?: string
}

/** "-f 0,1,2" or "-f all". */
export function foldsOf(text: string): Fold[] {
  return listOf('-f', text).map((f) => (f === 'all' ? 'all' : parseInteger('-f', f, 0, 9)!))
}

/** One checked training request from the shared flags. */
export function trainRequestFrom(values: TrainFlagValues, at: { datasetId: number | undefined; configuration: string | undefined; fold: Fold | undefined }): s.TrainRequest {
  return validRequest(s.trainRequest, {
    ...at,
    trainer: values.trainer,
    epochs: parseInteger('--epochs', values.epochs, 1, 100_000),
    iterationsPerEpoch: parseInteger('--iterations', values.iterations, 1, 100_000),
    npz: !values['no-npz'],
    continueTraining: values.continue ?? false,
    validationOnly: values['validation-only'] ?? false,
    // Absolute: a SLURM job or a later run starts in another folder.
    pretrainedWeights: values['pretrained-weights'] ? resolve(values['pretrained-weights']) : undefined,
    plans: values.plans,
    longerFrom: values['longer-from'],
    gpus: values.gpu?.map((g) => parseInteger('--gpu', g, 0, 63)),
    numGpus: parseInteger('--num-gpus', values['num-gpus'], 1, 64),
  })
}

/** Every configuration x fold, configurations outermost (a job array's task order). */
export function trainRequestsFrom(values: TrainFlagValues, datasetId: number, configurations: readonly string[], folds: readonly Fold[]): s.TrainRequest[] {
  return configurations.flatMap((configuration) => folds.map((fold) => trainRequestFrom(values, { datasetId, configuration, fold })))
}
