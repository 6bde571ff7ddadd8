// `nnunet-wizard plan`: convert (optional) and plan + preprocess a dataset with nnU-Net.
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, parseInteger, runSettingsCommand } from './support'
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
  --preset P              v2 planner: default (U-Net, ~10 GB GPU), resenc-m (9-11 GB),
                          resenc-l (24 GB) or resenc-xl (40 GB): nnUNetPlannerResEncM/L/XL
  --gpu-memory-target GB  v2: plan for this much GPU memory instead of the preset's own target
  --plans-name NAME       v2: name of the plans written (-overwrite_plans_name); with
                          --gpu-memory-target and no name: e.g. nnUNetResEncUNetMPlans_12GB
  Later train, predict and find-best of this dataset use these plans unless --plans says otherwise.

${COMMON_HELP}

exit codes: 0 done, 1 nnU-Net failed (guidance is printed), 2 bad usage, 130 cancelled.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c', multiple: true },
  np: { type: 'string' },
  'no-verify': { type: 'boolean' },
  'convert-msd': { type: 'string' },
  preset: { type: 'string' },
  'gpu-memory-target': { type: 'string' },
  'plans-name': { type: 'string' },
} as const

/** GB as a number: "12", "7.5". */
function gpuTarget(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!/^\d+(\.\d+)?$/.test(text) || !(n >= 1 && n <= 1024)) throw new UsageError(`--gpu-memory-target takes GB between 1 and 1024 (e.g. 12 or 7.5), not "${text}".`)
  return n
}

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
        preset: values.preset,
        gpuMemoryTargetGb: gpuTarget(values['gpu-memory-target']),
        plansName: values['plans-name'],
      })
      return { values, request }
    },
    (service, req) => service.plan(req),
  )
}
