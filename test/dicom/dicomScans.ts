// The DICOM scan variants of test/dicom/makeDicom.py (real CT, valid UIDs, the variants a hospital
// export has) with SimpleITK's reads of them, built once per content hash of the generator and the
// source series (fixtureCache.ts), by the reference venv's python. Tests copy what they change.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cachedFixture, hashInputs } from '../helpers/fixtureCache'
import { TOTALSEG } from '../helpers/guideFolders'
import { REPO_ROOT } from '../helpers/python'
import { referencePython } from '../helpers/referencePython'

export const CT_DICOM = join(TOTALSEG, 'ct_dicom')
const GENERATOR = join(REPO_ROOT, 'test', 'dicom', 'makeDicom.py')

export interface VariantSeries {
  series: string
  uid: string
  /** 'read', or the problem code the case is refused with. */
  expect: string
  /** --series pattern that picks this series. */
  pattern?: string
  /** SimpleITK's read (under expected/), with its geometry. */
  expected?: string
  geometry?: { size: number[]; spacing: number[]; origin: number[]; direction: number[]; pixelType: string }
  /** Compared with another case's SimpleITK read (the enhanced multi-frame copy of the same slices). */
  sameAs?: string
  multiFrame?: boolean
  sitkError?: string
}

export interface DicomScans {
  dir: string
  cases: string
  expected: string
  masks: string
  variants: Record<string, { series?: VariantSeries[]; skipped?: string }>
  patient: { PatientID: string; PatientName: string; StudyDate: string }
}

/** Null (with why) when the reference python cannot be had: the tests skip saying so. */
export async function dicomScans(): Promise<DicomScans | { missing: string }> {
  const ref = referencePython()
  if (!ref.python) return { missing: ref.reason }
  const key = hashInputs(['test/dicom/makeDicom.py', CT_DICOM])
  const dir = await cachedFixture('dicom-scans', key, async (out) => {
    execFileSync(ref.python!, [GENERATOR, CT_DICOM, out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
  })
  const variants = JSON.parse(readFileSync(join(dir, 'variants.json'), 'utf8')) as DicomScans['variants'] & { _patient: DicomScans['patient'] }
  const { _patient: patient, ...rest } = variants
  return { dir, cases: join(dir, 'cases'), expected: join(dir, 'expected'), masks: join(dir, 'masks'), variants: rest as DicomScans['variants'], patient: patient as unknown as DicomScans['patient'] }
}
