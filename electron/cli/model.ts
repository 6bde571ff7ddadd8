// `nnunet-wizard model export|import`: hand a trained model on as a zip, and install one, with
// nnU-Net's own model-sharing commands (v2 nnUNetv2_export_model_to_zip /
// nnUNetv2_install_pretrained_model_from_zip; v1 nnUNet_export_model_to_zip /
// nnUNet_install_pretrained_model_from_zip). Predict with an installed model as with your own.
import { resolve } from 'node:path'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, runCliJob, settingsFrom, UsageError, usageFailure } from './support'
import type { ExportResult } from '../results/toolJobs'
import { parseFlags, requireFlags, validRequest } from './common'

export const help = `usage: nnunet-wizard model export -d ID -c CONFIGURATION -o FILE.zip [options]
       nnunet-wizard model import FILE.zip [options]

export: writes a trained model to a zip with nnU-Net's own exporter: the final checkpoint of
each fold, plans.json, dataset.json, the fingerprint and each fold's validation summary; then
adds the code of a trainer nnU-Net does not ship (e.g. nnUNetTrainer_Wizard_...) and a
README.md with the commands to install and predict with plain nnU-Net (no app needed).
  -d, --dataset ID          dataset id
  -c, --configuration C     configuration to export (repeat for several)
  -o, --output FILE.zip     the zip to write (must not exist yet)
  -f, --fold F              fold to export, repeat (default: every fold that finished training)
  --trainer NAME            trainer class (default: the model trained for this dataset and
                            configuration; several are refused by name; none: nnUNetTrainer)
  --plans NAME              plans identifier (default: that model's, else nnUNetPlans)

import: installs a model zip into the nnU-Net results folder (nnU-Net's installer replaces a
model of the same dataset, trainer, plans and configuration). Then predict with it:
  nnunet-wizard predict -d ID -c CONFIGURATION -i imagesTs -o out [-f 0 -f 1] [--trainer NAME]
A model trained with a generated trainer (nnUNetTrainer_Wizard_...) needs that trainer class
where it is used: the zip carries it (README.md: nnUNet_extTrainer), and this app installs it.

${COMMON_HELP}

exit codes: 0 done, 1 nnU-Net failed or the request was refused, 2 bad usage.`

const exportOptions = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c', multiple: true },
  output: { type: 'string', short: 'o' },
  fold: { type: 'string', short: 'f', multiple: true },
  trainer: { type: 'string' },
  plans: { type: 'string' },
} as const

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'export') return exportModel(rest)
  if (sub === 'import') return importModel(rest)
  return usageFailure('model', new UsageError(`say what to do: model export ... or model import FILE.zip (got "${sub ?? ''}").`))
}

async function exportModel(argv: string[]): Promise<number> {
  let request: s.ExportModelRequest
  let settings: s.Settings
  let json: boolean
  try {
    const values = parseFlags(argv, exportOptions)
    requireFlags(values, ['dataset', 'configuration', 'output'])
    request = validRequest(
      s.exportModelRequest,
      {
        datasetId: parseInteger('-d', values.dataset, 1, 999),
        configurations: values.configuration,
        output: resolve(values.output!),
        folds: values.fold?.map((f) => (f === 'all' ? 'all' : parseInteger('-f', f, 0, 9))),
        trainer: values.trainer,
        plans: values.plans,
      },
      { datasetId: '-d', configurations: '-c', output: '-o', folds: '-f', trainer: '--trainer', plans: '--plans' },
    )
    settings = await settingsFrom(values)
    json = values.json ?? false
  } catch (err) {
    return usageFailure('model', err)
  }
  const service = cliService(settings)
  return runCliJob('model export', service, json, () => service.exportModel(request), (result) => {
    const r = result as ExportResult
    return [
      `Wrote ${r.zip} (${(r.bytes / 1e6).toFixed(1)} MB): ${r.configurations.join(', ')}, folds ${r.folds.join(', ')}.`,
      r.trainers.length
        ? `It carries the code of ${r.trainers.join(', ')} (not shipped with nnU-Net); ${r.readme} in the zip gives the commands to install and predict with plain nnU-Net.`
        : `${r.readme} in the zip gives the commands to install and predict with plain nnU-Net.`,
      ...r.warnings.map((w) => `warning: ${w}`),
    ]
  })
}

async function importModel(argv: string[]): Promise<number> {
  let request: s.ImportModelRequest
  let settings: s.Settings
  let json: boolean
  try {
    const zip = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined
    const values = parseFlags(zip ? argv.slice(1) : argv, COMMON_OPTIONS)
    if (!zip) throw new UsageError('give the zip to install: model import FILE.zip')
    request = validRequest(s.importModelRequest, { zip: resolve(zip) })
    settings = await settingsFrom(values)
    json = values.json ?? false
  } catch (err) {
    return usageFailure('model', err)
  }
  const service = cliService(settings)
  return runCliJob('model import', service, json, () => service.importModel(request), (result) => {
    const r = result as { results: string; installed: string[] }
    return [`Installed into ${r.results}: ${r.installed.length ? r.installed.join(', ') : 'the zip held no model new to this folder (an identical one was already there)'}.`]
  })
}
