// The label maps the DICOM export tests write back as SEG / RTSTRUCT: one per variant of the real
// CT (plain, and rotated in-plane), made on its grid by exportCases.py, cached once per content of
// the generators and the CT. One builder, so every test that uses the fixture sees the same one.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { cachedFixture, hashInputs } from '../helpers/fixtureCache'
import { REPO_ROOT } from '../helpers/python'
import { referencePython } from '../helpers/referencePython'
import { CT_DICOM, type DicomScans } from './dicomScans'

export const EXPORT_VARIANTS = ['plain', 'rotated'] as const
const SCRIPT = join(REPO_ROOT, 'test', 'dicom', 'exportCases.py')

export async function exportLabels(scans: DicomScans): Promise<string> {
  const python = referencePython().python!
  const key = hashInputs(['test/dicom/exportCases.py', 'test/dicom/makeDicom.py', CT_DICOM])
  return cachedFixture('dicom-export-labels', key, async (dir) => {
    for (const v of EXPORT_VARIANTS) {
      try {
        execFileSync(python, [SCRIPT, 'labels', join(scans.cases, v), join(dir, v)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
      } catch (err) {
        throw new Error(`exportCases.py labels ${v} failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`)
      }
    }
  })
}
