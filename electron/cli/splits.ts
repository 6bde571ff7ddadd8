// `nnunet-wizard splits`: the cross-validation folds of a planned dataset (splits_final.json),
// and with --write N folds (grouped by patient from the dataset's case_groups.json when it has one).
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, cliService, parseInteger, settingsFrom, usageFailure } from './support'
import { UsageError, parseFlags, validRequest } from './common'

export const help = `usage: nnunet-wizard splits -d ID [--write [--folds N] [--overwrite]]

Shows the dataset's splits_final.json (nnU-Net v2): where it came from, the cases per fold and
any patient on both sides of a fold. With --write, writes N folds (default 5): over whole patient
groups when prepare --group-pattern / --groups-csv wrote case_groups.json, else over the cases
(a dataset with fewer than 5 training cases needs fewer folds: nnU-Net's own 5 fail). nnU-Net then
trains on them ("Using splits from existing split file"). A splits_final.json the wizard did not
write (nnU-Net's random folds, or one edited by hand) is only replaced with --overwrite.

  -d, --dataset ID        dataset id
  --write                 write the folds
  --folds N               number of folds (2-20, default 5)
  --overwrite             replace a splits_final.json not written by the wizard or edited since

${COMMON_HELP}

Folds that no longer list exactly the dataset's training cases (written before the dataset
changed) are named; --write with the same number of folds keeps the cases still there in their folds.

exit codes: 0 done, 1 refused or failed (or the folds leak a patient or miss training cases), 2 bad usage.`

const options = {
  ...COMMON_OPTIONS,
  dataset: { type: 'string', short: 'd' },
  write: { type: 'boolean' },
  folds: { type: 'string' },
  overwrite: { type: 'boolean' },
} as const

export async function run(argv: string[]): Promise<number> {
  let request: s.SplitsRequest
  let settings: s.Settings
  let json = false
  try {
    const values = parseFlags(argv, options)
    json = values.json ?? false
    const datasetId = parseInteger('-d', values.dataset, 1, 999)
    if (datasetId === undefined) throw new UsageError('missing -d ID.')
    request = validRequest(s.splitsRequest, { datasetId, folds: parseInteger('--folds', values.folds, 2, 20), write: values.write ?? false, overwrite: values.overwrite ?? false })
    settings = await settingsFrom(values)
  } catch (err) {
    return usageFailure('splits', err)
  }
  try {
    const st = await cliService(settings).splits(request)
    if (json) console.log(JSON.stringify(st, null, 2))
    else {
      console.log(st.message)
      for (const [i, f] of (st.folds ?? []).entries()) console.log(`  fold ${i}: ${f.train} training, ${f.val} validation cases${f.valGroups !== undefined ? ` (${f.valGroups} patient group${f.valGroups === 1 ? '' : 's'})` : ''}`)
    }
    // Folds that leak a patient, or that no longer cover the training cases: not fit to train on.
    return st.leaks?.length || st.coverage ? 1 : 0
  } catch (err) {
    console.error(`nnunet-wizard splits: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}
