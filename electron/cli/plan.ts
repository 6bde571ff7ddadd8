// `nnunet-wizard plan`: convert (optional) and plan + preprocess a dataset with nnU-Net.
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, parseInteger, runSettingsCommand } from '../nnunet/cliSupport'
import { UsageError, parseFlags, validRequest } from './common'

export const help = `usage: nnunet-wizard plan -d ID [options]

Plans and preprocesses a dataset (nnUNetv2_plan_and_preprocess / nnUNet_plan_and_preprocess)
with --verify_dataset_integrity, optionally after converting a Decathlon (MSD) task.

  -d, --dataset ID        dataset id (DatasetNNN / TaskNNN)
  -c, --configuration C   2d, 3d_fullres, 3d_lowres, 3d_cascade_fullres; repeat for several
                          (default: nnU-Net's own choice)
  --np N                  worker processes for fingerprinting and preprocessing
  --no-verify             skip --verify_dataset_integrity
  --convert-msd DIR       first convert this TaskNN_Name folder (nnUNetv2_convert_MSD_dataset /
                          nnUNet_convert_decathlon_task) into dataset ID

${COMMON_HELP}

exit codes: 0 done, 1 nnU-Net failed (guidance is printed), 2 bad usage, 130 cancelled.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c', multiple: true },
  np: { type: 'string' },
  'no-verify': { type: 'boolean' },
  'convert-msd': { type: 'string' },
} as const

export function run(argv: string[]): Promise<number> {
  return runSettingsCommand(
    'plan',
    () => {
      const values = parseFlags(argv, options)
      const datasetId = parseInteger('-d', values.dataset, 1, 999)
      if (datasetId === undefined) throw new UsageError('missing -d ID.')
      const request = validRequest(s.planRequest, {
        datasetId,
        configurations: values.configuration,
        verifyIntegrity: !values['no-verify'],
        processes: parseInteger('--np', values.np, 1, 64),
        convertFromMsd: values['convert-msd'] ? resolve(values['convert-msd']) : undefined,
      })
      return { values, request }
    },
    (service, req) => service.plan(req),
  )
}
