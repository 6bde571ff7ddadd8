// `nnunet-wizard plan`: convert (optional) and plan + preprocess a dataset with nnU-Net.
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, UsageError, parseInteger, runCliJob, settingsFrom, usageFailure } from '../nnunet/cliSupport'
import { runPlan } from '../nnunet'

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

function parse(argv: string[]) {
  return parseArgs({ args: argv, strict: true, options }).values
}

export async function run(argv: string[]): Promise<number> {
  let req: s.PlanRequest
  let values: ReturnType<typeof parse>
  try {
    values = parse(argv)
    const datasetId = parseInteger('-d', values.dataset, 1, 999)
    if (datasetId === undefined) throw new UsageError('missing -d ID.')
    const parsed = s.planRequest.safeParse({
      datasetId,
      configurations: values.configuration,
      verifyIntegrity: !values['no-verify'],
      processes: parseInteger('--np', values.np, 1, 64),
      convertFromMsd: values['convert-msd'] ? resolve(values['convert-msd']) : undefined,
    })
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
    req = parsed.data
  } catch (err) {
    return usageFailure('plan', err instanceof UsageError ? err : new UsageError(err instanceof Error ? err.message : String(err)))
  }
  let settings: s.Settings
  try {
    settings = await settingsFrom(values)
  } catch (err) {
    return usageFailure('plan', err)
  }
  return runCliJob('plan', `Plan and preprocess dataset ${req.datasetId}`, values.json ?? false, (ctx) => runPlan(req, settings, ctx))
}
