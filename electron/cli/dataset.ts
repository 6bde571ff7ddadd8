// `nnunet-wizard dataset add`: an accepted case (scan + corrected label) joins a dataset in the
// nnU-Net raw folder (issue 21), through the same service method as the app's "Add to the
// dataset": checks first, atomic writes, splits_final.json extended, origin in manifest.json.
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, settingsFrom, usageFailure } from './support'
import { UsageError, parseFlags, validRequest } from './common'

export const help = `usage: nnunet-wizard dataset add -d ID --image SCAN [--image SCAN2 ...] --label LABELS
                             [--prediction PRED] [--case-id ID] [--origin-model TRAINER__PLANS__CONFIG]
                             [--origin-folds 0,1]

Adds one case to dataset ID (nnU-Net v2, in nnUNet_raw) as a new training case: the scan (one
file per channel, in the dataset's channel order) goes to imagesTr/CASE_0000..., the label map to
labelsTr/CASE, under the next case id of the dataset's own naming (or --case-id). dataset.json's
numTraining is updated, splits_final.json (when the dataset was planned) gets the case in one
fold's validation part without moving any existing case, and manifest.json records where the case
came from: the model that predicted it and the voxels the correction added and removed per label
against --prediction. The label must lie on the scan's grid and hold only dataset.json's labels;
nothing is written otherwise. The files given are only read.

A label saved by the app's editor (PRED_FOLDER/corrected/CASE.nii.gz) finds its prediction and
the model that made it by itself.

  -d, --dataset ID           dataset id
  --image SCAN               the scan (repeat for each channel)
  --label LABELS             the corrected label map
  --prediction PRED          the prediction it was corrected from (voxels added/removed per label)
  --case-id ID               the new case id (default: the next one, e.g. liver_011)
  --origin-model NAME        the model that predicted it, TRAINER__PLANS__CONFIGURATION
  --origin-folds LIST        its folds, e.g. 0,1,2,3,4

${COMMON_HELP}

exit codes: 0 added, 1 refused or failed, 2 bad usage.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  image: { type: 'string', multiple: true },
  label: { type: 'string' },
  prediction: { type: 'string' },
  'case-id': { type: 'string' },
  'origin-model': { type: 'string' },
  'origin-folds': { type: 'string' },
} as const

/** TRAINER__PLANS__CONFIGURATION and a fold list as a model origin. */
function originFrom(model: string | undefined, folds: string | undefined, datasetId: number): s.AddToDatasetRequest['origin'] {
  if (!model && !folds) return undefined
  const parts = model?.split('__') ?? []
  if (model && parts.length !== 3) throw new UsageError(`--origin-model: "${model}" is not TRAINER__PLANS__CONFIGURATION (as nnU-Net names its model folders).`)
  const foldList = folds?.split(',').map((f) => (f.trim() === 'all' ? ('all' as const) : Number(f.trim())))
  if (foldList?.some((f) => f !== 'all' && !Number.isInteger(f))) throw new UsageError(`--origin-folds: "${folds}" is not a list of folds like 0,1,2.`)
  return { datasetId, ...(model && { trainer: parts[0], plans: parts[1], configuration: parts[2] }), ...(foldList && { folds: foldList }) }
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub !== 'add') return usageFailure('dataset', new UsageError(sub ? `unknown subcommand '${sub}' (the one there is: add).` : 'missing the subcommand: dataset add ...'))
  let request: s.AddToDatasetRequest
  let settings: s.Settings
  let json = false
  try {
    const values = parseFlags(rest, options)
    json = values.json ?? false
    const datasetId = parseInteger('-d', values.dataset, 1, 999)
    if (datasetId === undefined) throw new UsageError('missing -d ID.')
    if (!values.image?.length) throw new UsageError('missing --image SCAN.')
    if (!values.label) throw new UsageError('missing --label LABELS.')
    const origin = originFrom(values['origin-model'], values['origin-folds'], datasetId)
    request = validRequest(
      s.addToDatasetRequest,
      { datasetId, image: values.image.length === 1 ? values.image[0] : values.image, label: values.label, ...(values.prediction && { prediction: values.prediction }), ...(values['case-id'] && { caseId: values['case-id'] }), ...(origin && { origin }) },
      { caseId: '--case-id', label: '--label', image: '--image', prediction: '--prediction' },
    )
    settings = await settingsFrom(values)
  } catch (err) {
    return usageFailure('dataset add', err)
  }
  try {
    const r = await cliService(settings).addToDataset(request)
    if (json) console.log(JSON.stringify(r, null, 2))
    else {
      console.log(`Added ${r.caseId}: ${r.images.join(', ')} and ${r.label}; numTraining is ${r.numTraining}.`)
      console.log(r.splits.file ? `  ${r.splits.file}: validation case of fold ${r.splits.fold}.` : `  ${r.splits.note ?? ''}`)
      for (const c of r.record.changes ?? []) console.log(`  ${c.name}: ${c.added} voxels added, ${c.removed} removed against the prediction`)
    }
    return 0
  } catch (err) {
    console.error(`nnunet-wizard dataset add: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}
