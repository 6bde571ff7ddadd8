// case_groups.json beside dataset.json: which patient (group) each case id belongs to, so the
// grouped cross-validation folds can be written after planning (electron/nnunet/splits.ts)
// without the source names. Without source paths the group names are replaced by numbers
// (group-1, group-2, ...): a patient id in a file name must not reach the dataset folder.
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PlannedCase } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { CASE_GROUPS_FILE, groupsOfKeys } from '../../shared/splits'
import { writeFileAtomic } from '../files/writeAtomic'

export async function writeCaseGroups(datasetDir: string, req: PrepareRequest, cases: readonly Pick<PlannedCase, 'caseKey' | 'caseId'>[]): Promise<void> {
  const file = join(datasetDir, CASE_GROUPS_FILE)
  const groups = groupsOfKeys(cases.map((c) => c.caseKey), req.output.split)
  if (!groups) {
    await rm(file, { force: true })
    return
  }
  const numbers = new Map<string, string>()
  const name = (g: string) => (req.output.sourcePaths === false ? (numbers.get(g) ?? numbers.set(g, `group-${numbers.size + 1}`).get(g)!) : g)
  const json = `${JSON.stringify(Object.fromEntries(cases.map((c, i) => [c.caseId, name(groups[i]!)])), null, 2)}\n`
  const before = await readFile(file, 'utf8').catch(() => null)
  if (before !== json) await writeFileAtomic(file, json, { createFolder: false })
}

/** case id -> group from a dataset folder's case_groups.json, or null when it has none. */
export async function readCaseGroups(datasetDir: string): Promise<Record<string, string> | null> {
  try {
    const j = JSON.parse(await readFile(join(datasetDir, CASE_GROUPS_FILE), 'utf8')) as unknown
    if (!j || typeof j !== 'object' || Array.isArray(j)) return null
    return Object.fromEntries(Object.entries(j).filter(([, v]) => typeof v === 'string')) as Record<string, string>
  } catch {
    return null
  }
}
