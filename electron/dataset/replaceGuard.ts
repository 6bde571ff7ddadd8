// Replacing a dataset folder (Output's "Replace", prepare --overwrite) deletes what the wizard
// wrote there, never what it did not: an old imagesTs_predicted with a researcher's predictions
// was deleted with the rest (issue 18). The entries prepare (and "Add to dataset") write are the
// layout below; anything else in the folder, or a folder inside one of the layout's folders, makes
// the replace refuse, naming it, until the user has moved it away. Refusing (rather than keeping
// it) is the choice that protects the data: a kept folder would sit in a dataset rewritten from
// other scans, its predictions no longer matching the cases of the same names.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { CASE_GROUPS_FILE } from '../../shared/splits'
import { TEMP_MARKER } from '../files/writeAtomic'
import { JOURNAL_FILE, MANIFEST_FILE } from './manifest'

/** The files: nnU-Net's dataset.json, the manifest and its journal, case groups, and addCase.ts's record of added cases. */
const LAYOUT_FILES = ['dataset.json', MANIFEST_FILE, JOURNAL_FILE, CASE_GROUPS_FILE, 'nnunet_wizard_added.json']

/**
 * The entries of `datasetDir` a replace would delete that the wizard never writes there
 * (relative paths, folders ending in '/'); empty when the folder holds only its own layout.
 * `layoutFolders`: the folders prepare writes (outputPlan.ts OUTPUT_FOLDERS).
 */
export async function entriesNotOurs(datasetDir: string, layoutFolders: readonly string[]): Promise<string[]> {
  const top = await readdir(datasetDir, { withFileTypes: true }).catch(() => [])
  const out: string[] = []
  for (const e of top) {
    if (e.name.startsWith(TEMP_MARKER)) continue
    if (layoutFolders.includes(e.name) && e.isDirectory()) {
      for (const inner of await readdir(join(datasetDir, e.name), { withFileTypes: true }).catch(() => [])) {
        if (inner.isDirectory() && !inner.name.startsWith(TEMP_MARKER)) out.push(`${e.name}/${inner.name}/`)
      }
    } else if (!(LAYOUT_FILES.includes(e.name) && e.isFile())) out.push(e.isDirectory() ? `${e.name}/` : e.name)
  }
  return out.sort()
}
