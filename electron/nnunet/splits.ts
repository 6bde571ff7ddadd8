// nnU-Net v2's cross-validation folds (preprocessed/DatasetX/splits_final.json), grouped by
// patient when the dataset has groups, and in any number (2-20) of folds: nnU-Net uses that file when it exists ("Using splits from existing split file"), else
// writes a random 5-fold split of its own at the first training. The wizard writes the grouped
// folds from the dataset's case_groups.json (written by prepare), refuses folds that put a group
// on both sides, and never replaces a file it did not write, or one edited since, without being
// told: a sidecar (splits_final.wizard.json) records the SHA-256 of what it wrote.
import { createHash } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { SplitsStatus } from '../../shared/api'
import type { Settings, SplitsRequest } from '../../shared/schema'
import { groupedFolds, leakingGroups, type NnunetSplits } from '../../shared/splits'
import { coverSplits, splitsCoverage, splitsCoverageProblem, type SplitsCoverage } from '../../shared/splitsCoverage'
import { readCaseGroups } from '../dataset/caseGroups'
import { writeFileAtomic } from '../files/writeAtomic'
import { datasetFolderName } from './runPlaces'

export const SPLITS_FILE = 'splits_final.json'
export const SPLITS_SIDECAR = 'splits_final.wizard.json'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function asSplits(j: unknown): NnunetSplits | null {
  if (!Array.isArray(j)) return null
  const ok = j.every((f) => f && Array.isArray((f as { train?: unknown }).train) && Array.isArray((f as { val?: unknown }).val))
  return ok ? (j as NnunetSplits) : null
}

/** The training case ids of a raw v2 dataset (imagesTr/{id}_0000.ext). */
export async function trainingIds(rawDataset: string): Promise<string[]> {
  const names = await readdir(join(rawDataset, 'imagesTr')).catch(() => [] as string[])
  return [...new Set(names.flatMap((n) => { const m = /^(.+)_0000\.[^_]+$/.exec(n); return m ? [m[1]!] : [] }))].sort()
}

/**
 * Whether the dataset's splits_final.json still lists exactly its training cases (imagesTr), or
 * undefined when there is nothing to compare (no file, not a list of folds, no training cases).
 */
export async function readSplitsCoverage(
  settings: Settings,
  dataset: string,
): Promise<{ file: string; folds: number; coverage: SplitsCoverage; ids: string[]; source: 'wizard' | 'edited' | 'other'; grouped: boolean } | undefined> {
  if (!settings.folders) return undefined
  const file = join(settings.folders.preprocessed, dataset, SPLITS_FILE)
  const text = await readFile(file, 'utf8').catch(() => null)
  if (text === null) return undefined
  let splits: NnunetSplits | null
  try {
    splits = asSplits(JSON.parse(text))
  } catch {
    return undefined
  }
  const ids = await trainingIds(join(settings.folders.raw, dataset))
  if (!splits?.length || !ids.length) return undefined
  const ours = await readFile(join(settings.folders.preprocessed, dataset, SPLITS_SIDECAR), 'utf8').then((t) => (JSON.parse(t) as { sha256?: string }).sha256, () => undefined)
  const source = ours === undefined ? 'other' : ours === sha256(text) ? 'wizard' : 'edited'
  const grouped = (await readCaseGroups(join(settings.folders.raw, dataset))) !== null
  return { file, folds: splits.length, coverage: splitsCoverage(splits, ids), ids, source, grouped }
}

/** What to do about folds that no longer cover the dataset, for the app and the CLI alike. */
export function rewriteAdvice(datasetId: number, folds: number, source: 'wizard' | 'edited' | 'other', grouped: boolean): string {
  const how = grouped ? 'from the patient groups' : source === 'wizard' ? '(the cases still there keep their folds)' : '(new folds over all the cases)'
  return `Write the ${folds} folds again ${how} before training: "Write ${folds} folds" at Plan, or nnunet-wizard splits -d ${datasetId} --write --folds ${folds}${source === 'wizard' ? '' : ' --overwrite'}.`
}

const keptText = (c: ReturnType<typeof coverSplits>) => {
  const added = Object.entries(c.added)
  if (!added.length && !c.removed.length) return '; every case kept its fold'
  return `; the other cases kept their folds${added.length ? `, added ${added.map(([id, f]) => `${id} (validated in fold ${f})`).join(', ')}` : ''}${c.removed.length ? `, removed ${c.removed.join(', ')} (no longer a training case)` : ''}`
}

const foldCounts = (splits: NnunetSplits, groups: Record<string, string> | null) =>
  splits.map((s) => ({ train: s.train.length, val: s.val.length, ...(groups && { valGroups: new Set(s.val.map((c) => groups[c] ?? c)).size }) }))

export async function splitsStatus(req: SplitsRequest, settings: Settings): Promise<SplitsStatus> {
  if (settings.nnunetVersion !== 'v2') {
    return { datasetId: req.datasetId, exists: false, message: 'Grouped folds are written for nnU-Net v2 (splits_final.json); nnU-Net v1 keeps its splits in a pickle (splits_final.pkl).' }
  }
  if (!settings.folders) return { datasetId: req.datasetId, exists: false, message: 'Set the nnU-Net folders first.' }
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) return { datasetId: req.datasetId, exists: false, message: `Dataset ${req.datasetId} is not in the nnU-Net folders.` }
  const file = join(settings.folders.preprocessed, dataset, SPLITS_FILE)
  const sidecar = join(settings.folders.preprocessed, dataset, SPLITS_SIDECAR)
  const groups = await readCaseGroups(join(settings.folders.raw, dataset))
  const text = await readFile(file, 'utf8').catch(() => null)
  const ours = await readFile(sidecar, 'utf8').then((t) => (JSON.parse(t) as { sha256?: string }).sha256, () => undefined)
  let existing: NnunetSplits | null = null
  if (text !== null) {
    try {
      existing = asSplits(JSON.parse(text))
    } catch {
      existing = null
    }
  }
  const source: SplitsStatus['source'] = text === null ? undefined : ours === undefined ? 'other' : ours === sha256(text) ? 'wizard' : 'edited'
  const base: SplitsStatus = {
    datasetId: req.datasetId,
    file,
    exists: text !== null,
    ...(source && { source }),
    ...(groups && { groups: new Set(Object.values(groups)).size }),
    ...(existing && { folds: foldCounts(existing, groups) }),
    ...(existing && groups && { leaks: leakingGroups(existing, groups) }),
    message: '',
  }
  const ids = await trainingIds(join(settings.folders.raw, dataset))
  const coverage = existing?.length && ids.length ? splitsCoverage(existing, ids) : undefined
  if (coverage && !coverage.ok) base.coverage = coverage
  const said = {
    wizard: groups ? 'written by the wizard from the patient groups' : 'written by the wizard',
    edited: 'written by the wizard, then edited by hand: it is kept as it is',
    other: 'written by nnU-Net (its random folds) or by hand: it is kept as it is',
  }
  base.message = text === null ? 'No splits_final.json yet: nnU-Net makes random folds at the first training.' : existing ? `${SPLITS_FILE}: ${existing.length} folds, ${said[source!]}.` : `${file} is not a list of {train, val} folds: nnU-Net will fail on it.`
  if (base.leaks?.length) base.message += ` ${base.leaks.length} patient group${base.leaks.length === 1 ? ' is' : 's are'} on both sides: ${base.leaks.slice(0, 3).join('; ')}.`
  // A file written for an older version of the dataset: nnU-Net would train without the new cases.
  if (coverage && !coverage.ok) base.message += ` ${splitsCoverageProblem(coverage, ids.length)} ${rewriteAdvice(req.datasetId, existing!.length, source!, !!groups)}`
  if (!req.write) return base

  if (text !== null && source !== 'wizard' && !req.overwrite) {
    throw new Error(`${file} was ${source === 'edited' ? 'edited since the wizard wrote it' : 'not written by the wizard (nnU-Net writes random folds at the first training, or it was written by hand)'}; it is not replaced without being asked. Look at it first; to replace it with grouped folds, overwrite it (--overwrite).`)
  }
  if (!ids.length) throw new Error(`Dataset ${req.datasetId} has no training cases in ${join(settings.folders.raw, dataset, 'imagesTr')}: write the dataset first.`)
  // Without patient groups every case is a group of its own: fewer folds than nnU-Net's 5 for a
  // small dataset are then just as valid (nnU-Net itself refuses 5 folds with fewer than 5 cases).
  const missing = groups ? ids.filter((id) => groups[id] === undefined) : []
  const caseGroups = Object.fromEntries(ids.map((id) => [id, groups?.[id] ?? id]))
  const groupCount = new Set(Object.values(caseGroups)).size
  if (groupCount < req.folds) {
    throw new Error(groups
      ? `Only ${groupCount} patient groups among the ${ids.length} training cases: ${req.folds} folds need at least ${req.folds} groups. Use fewer folds (at most ${groupCount}).`
      : `Only ${ids.length} training cases: ${req.folds} folds need at least ${req.folds} cases. Use fewer folds (at most ${ids.length}).`)
  }
  // The wizard's own folds without patient groups, in the same number: the cases still there keep
  // their folds (a validation Dice stays comparable), new ones join as "Add to the dataset" adds them.
  // With patient groups the folds are written from the groups again (a new scan follows its patient).
  const keep = !groups && source === 'wizard' && existing?.length === req.folds
  const covered = keep ? coverSplits(existing!, ids) : undefined
  const splits = covered?.splits ?? groupedFolds(caseGroups, req.folds)
  const leaks = leakingGroups(splits, caseGroups)
  if (leaks.length) throw new Error(`Refused: these folds put a patient on both sides: ${leaks.join('; ')}.`)
  const json = `${JSON.stringify(splits, null, 4)}\n`
  await writeFileAtomic(file, json)
  await writeFileAtomic(sidecar, `${JSON.stringify({ sha256: sha256(json), folds: req.folds, writtenAt: new Date().toISOString() }, null, 2)}\n`)
  delete base.coverage // the file just written lists exactly the training cases
  return {
    ...base,
    exists: true,
    source: 'wizard',
    folds: foldCounts(splits, caseGroups),
    leaks: [],
    written: true,
    message: `Wrote ${SPLITS_FILE}: ${req.folds} folds over ${groups ? `${groupCount} patient groups (${ids.length} training cases)` : `${ids.length} training cases (no patient groups: each case is its own)`}${covered ? keptText(covered) : ''}${missing.length ? `; ${missing.length} case${missing.length === 1 ? '' : 's'} without a group count as groups of their own` : ''}.`,
  }
}
