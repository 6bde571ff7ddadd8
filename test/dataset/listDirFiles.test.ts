// The folder browser's listing: files come with the folders when asked, and the ones the scan
// reads as volumes are marked, so the browser can show the scans are in the folder.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { listDir } from '../../electron/files/listDir'
import { TOTALSEG } from '../helpers/guideFolders'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'listdir-'))
  await copyFile(join(TOTALSEG, 'aorta', 'ct.nii.gz'), join(tmp, 'case_01.nii.gz'))
  await writeFile(join(tmp, 'case_02.NRRD'), 'NRRD0004\n')
  await writeFile(join(tmp, 'notes.txt'), 'x')
  await mkdir(join(tmp, 'masks'))
})
afterAll(() => rm(tmp, { recursive: true, force: true }))

it('lists files after folders, marking volumes, when asked', async () => {
  const l = await listDir({ path: tmp, showFiles: true })
  expect(l.entries.map((e) => [e.name, e.isDir, e.volume ?? null])).toEqual([
    ['masks', true, null],
    ['case_01.nii.gz', false, true],
    ['case_02.NRRD', false, true],
    ['notes.txt', false, false],
  ])
})

it('lists folders only by default', async () => {
  const l = await listDir({ path: tmp, showFiles: false })
  expect(l.entries.map((e) => e.name)).toEqual(['masks'])
})
