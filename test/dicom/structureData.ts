// The RTSTRUCT / DICOM-SEG test data of test/dicom/makeStructures.py (real CT with valid UIDs,
// masks computed on it, RTSTRUCTs written by rt-utils, SEGs by highdicom, highdicom's read-back
// of each SEG), built once per content hash of the generator and the source series by the
// reference venv's python (fixtureCache.ts). Tests copy what they change.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cachedFixture, hashInputs } from '../helpers/fixtureCache'
import { TOTALSEG } from '../helpers/guideFolders'
import { REPO_ROOT } from '../helpers/python'
import { referencePython } from '../helpers/referencePython'

export const CT_DICOM = join(TOTALSEG, 'ct_dicom')
const GENERATOR = join(REPO_ROOT, 'test', 'dicom', 'makeStructures.py')

export interface StructureFacts {
  grids: Record<'caseA' | 'caseB', { size: number[]; spacing: number[]; origin: number[]; direction: number[]; seriesInstanceUid: string; frameOfReferenceUid: string; sopInstanceUids: string[] }>
  voxels: Record<'body' | 'bone' | 'ring', number>
  highdicom: Record<string, number>
  frames: Record<string, number>
  rtutilsRead: Record<string, string>
}

export interface StructureData {
  dir: string
  images: string
  rtstruct: string
  seg: string
  expected: string
  facts: StructureFacts
}

export async function structureData(): Promise<StructureData | { missing: string }> {
  const ref = referencePython()
  if (!ref.python) return { missing: ref.reason }
  const key = hashInputs(['test/dicom/makeStructures.py', CT_DICOM])
  const dir = await cachedFixture('dicom-structures', key, async (out) => {
    execFileSync(ref.python!, [GENERATOR, CT_DICOM, out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 })
  })
  const expected = join(dir, 'expected')
  return { dir, images: join(dir, 'images'), rtstruct: join(dir, 'rtstruct'), seg: join(dir, 'seg'), expected, facts: JSON.parse(readFileSync(join(expected, 'facts.json'), 'utf8')) as StructureFacts }
}

/**
 * What a structure test file starts from: the cached data (or why it is missing, for ctx.skip) and
 * a private scratch folder for the structure folders it assembles. The caller removes `tmp`.
 */
export async function structureWorkspace(prefix: string): Promise<{ data?: StructureData; missing: string; tmp: string }> {
  const got = await structureData()
  const tmp = await mkdtemp(join(tmpdir(), prefix))
  return 'missing' in got ? { missing: got.missing, tmp } : { data: got, missing: '', tmp }
}

/** An expected uint8 volume (x fastest, then y, then slices in the series' order). */
export function expectedMask(data: StructureData, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(data.expected, name)))
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let both = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0
    const y = b[i] !== 0
    if (x) na++
    if (y) nb++
    if (x && y) both++
  }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb)
}
