// Data trees managed by DVC, git-annex or a shared scratch area are symbolic links. itk-wasm only
// sees the folder of the path it is given, so links must be followed before reading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readVolume } from '../../electron/imaging/volume'
import { runPrepare } from '../../electron/dataset'
import { imageIo, makeGuideFolders, TOTALSEG } from '../helpers/guideFolders'
import { guideSpec, request, testContext } from './support'
import { expectSameArray } from '../helpers/sameArray'

const CT = join(TOTALSEG, 'ct_small', 'ct.nii.gz')
let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-links-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('volumes behind symbolic links', () => {
  it('reads a link into another folder, and a link to a content-addressed blob without an extension', async () => {
    await mkdir(join(root, 'store'))
    await mkdir(join(root, 'cases'))
    await copyFile(CT, join(root, 'store', 'ct.nii.gz'))
    await copyFile(CT, join(root, 'store', 'MD5E-s483312--3f2a'))
    await symlink(join(root, 'store', 'ct.nii.gz'), join(root, 'cases', 'a.nii.gz'))
    await symlink(join(root, 'store', 'MD5E-s483312--3f2a'), join(root, 'cases', 'b.nii.gz'))
    const direct = await readVolume(CT)
    for (const name of ['a.nii.gz', 'b.nii.gz']) {
      const v = await readVolume(join(root, 'cases', name))
      expect(v.size).toEqual([122, 101, 30])
      expectSameArray(v.data, direct.data!, name)
    }
  })

  it('reads a .nhdr and its data file that are both links to content-addressed blobs (git-annex)', async () => {
    const io = await imageIo()
    const ct = await io.readImageNode(CT)
    await mkdir(join(root, 'annex-src'))
    await mkdir(join(root, 'annex-store'))
    await mkdir(join(root, 'annex'))
    await io.writeImageNode({ ...ct, metadata: new Map() }, join(root, 'annex-src', 'c.nhdr'))
    await rename(join(root, 'annex-src', 'c.nhdr'), join(root, 'annex-store', 'SHA256E-s500--aa'))
    await rename(join(root, 'annex-src', 'c.raw'), join(root, 'annex-store', 'SHA256E-s739320--bb'))
    await symlink(join(root, 'annex-store', 'SHA256E-s500--aa'), join(root, 'annex', 'c.nhdr'))
    await symlink(join(root, 'annex-store', 'SHA256E-s739320--bb'), join(root, 'annex', 'c.raw'))
    const v = await readVolume(join(root, 'annex', 'c.nhdr'))
    expect(v.header.payload).toMatchObject({ file: join(root, 'annex', 'c.raw'), encoding: 'raw', bytes: 122 * 101 * 30 * 2 })
    expectSameArray(v.data, ct.data!, 'voxels')
  })

  it('names a broken link and a link loop instead of reading past them', async () => {
    await mkdir(join(root, 'odd'))
    await symlink(join(root, 'gone', 'ct.nii.gz'), join(root, 'odd', 'broken.nii.gz'))
    await symlink(join(root, 'odd', 'loop.nii.gz'), join(root, 'odd', 'loop.nii.gz'))
    await expect(readVolume(join(root, 'odd', 'broken.nii.gz'))).rejects.toThrow(`it is a symbolic link to ${join(root, 'gone', 'ct.nii.gz')}, which does not exist`)
    await expect(readVolume(join(root, 'odd', 'loop.nii.gz'))).rejects.toThrow(/symbolic link loop/)
  })

  it('prepares guide folders whose files are all links', async () => {
    const real = await makeGuideFolders(join(root, 'real'), { cases: 2 })
    const linked = join(root, 'linked')
    for (const [from, sub] of [[real.images, 'image'], [real.organ, 'organ'], [real.tumor, 'tumor']] as const) {
      await mkdir(join(linked, sub), { recursive: true })
      for (const f of await readdir(from)) await symlink(join(from, f), join(linked, sub, f))
    }
    const spec = guideSpec({ ...real, images: join(linked, 'image'), organ: join(linked, 'organ'), tumor: join(linked, 'tumor') })
    const summary = await runPrepare(request(spec, { outDir: join(root, 'out'), id: 3, name: 'Linked', split: { testCount: 0, seed: 0 } }), testContext())
    expect(summary.failed).toBe(0)
    expect(summary.written).toBe(2)
  })
})
