// A case added to a planned dataset joins its cross-validation (issue 21): splits_final.json in
// preprocessed/DatasetX is extended (shared/splitsExtend.ts: no existing case moves), atomically.
// A file the wizard wrote keeps its sidecar current, so it is still known as the wizard's, not as
// edited by hand. Without a splits file nnU-Net makes its random folds at the first training,
// which then include the case anyway: nothing to write.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { extendSplits } from '../../shared/splitsExtend'
import type { NnunetSplits } from '../../shared/splits'
import { writeFileAtomic } from '../files/writeAtomic'
import { SPLITS_FILE, SPLITS_SIDECAR } from './splits'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export interface SplitsAddition {
  file?: string
  /** Case id -> its validation fold. */
  folds: Record<string, number>
  note?: string
}

export async function addCasesToSplits(preprocessedDataset: string, caseIds: string[]): Promise<SplitsAddition> {
  const file = join(preprocessedDataset, SPLITS_FILE)
  const text = await readFile(file, 'utf8').catch(() => null)
  if (text === null) return { folds: {}, note: `No ${SPLITS_FILE} yet in ${preprocessedDataset}: nnU-Net makes its folds at the first training, with the new case${caseIds.length === 1 ? '' : 's'} among them.` }
  let splits: NnunetSplits
  try {
    splits = JSON.parse(text) as NnunetSplits
    if (!Array.isArray(splits) || !splits.every((s) => Array.isArray(s?.train) && Array.isArray(s?.val))) throw new Error('not a list of {train, val} folds')
  } catch (err) {
    throw new Error(`${file} cannot be extended: ${(err as Error).message}. Fix or remove it (nnU-Net then makes new folds), and add the case again.`)
  }
  const sidecar = join(preprocessedDataset, SPLITS_SIDECAR)
  const record = await readFile(sidecar, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined)
  const ours = record?.sha256 === sha256(text)
  const extended = extendSplits(splits, caseIds)
  // nnU-Net writes this file with indent 4 (save_json); kept so.
  const json = `${JSON.stringify(extended.splits, null, 4)}\n`
  await writeFileAtomic(file, json)
  if (ours) await writeFileAtomic(sidecar, `${JSON.stringify({ ...record, sha256: sha256(json), extendedAt: new Date().toISOString() }, null, 2)}\n`)
  return { file, folds: extended.folds }
}
