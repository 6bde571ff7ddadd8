// The page reaches only the project's folders: a volume is served when it, and the file its
// voxels come from, lie inside the folders the project names (issue 19.9). A crafted .nhdr whose
// data file is outside every folder, a file outside them, and a link leading out are refused by
// name; a header with its data file beside it is served.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkDataFileBeside, checkServable, OutsideProjectError, viewFiles } from '../../electron/dataset/viewFiles'

let tmp: string
let sources: string
let secret: string
const nhdr = (dataFile: string) => `NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 4 2\nspacings: 1 1 1\nencoding: raw\ndata file: ${dataFile}\n\n`

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'view-contain-'))
  sources = join(tmp, 'project', 'images')
  secret = join(tmp, 'secret')
  await mkdir(sources, { recursive: true })
  await mkdir(secret)
  await writeFile(join(secret, 'id_rsa'), Buffer.alloc(32, 7))
  await writeFile(join(sources, 'case01.raw'), Buffer.alloc(32, 1))
  await writeFile(join(sources, 'case01.nhdr'), nhdr('case01.raw'))
  await writeFile(join(sources, 'abs.nhdr'), nhdr(join(secret, 'id_rsa')))
  await writeFile(join(sources, 'rel.nhdr'), nhdr('../../secret/id_rsa'))
  await writeFile(join(secret, 'scan.nhdr'), nhdr('id_rsa'))
  await symlink(join(secret, 'scan.nhdr'), join(sources, 'link.nhdr'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('checkServable', () => {
  const roots = () => [join(tmp, 'project')]
  it('serves a header whose data file lies beside it', async () => {
    await expect(checkServable(join(sources, 'case01.nhdr'), roots(), true)).resolves.toBeUndefined()
  })
  it('refuses a file outside every folder, one reached through a link, and a data file outside (absolute or ../)', async () => {
    await expect(checkServable(join(secret, 'scan.nhdr'), roots(), true)).rejects.toThrow(`${join(secret, 'scan.nhdr')} is outside the project's folders (${roots()[0]})`)
    await expect(checkServable(join(sources, 'link.nhdr'), roots(), true)).rejects.toThrow(OutsideProjectError)
    for (const name of ['abs.nhdr', 'rel.nhdr']) {
      // Refused here, or already by the header reader (data files are kept inside their header's folder).
      const err = await checkServable(join(sources, name), roots(), true).catch((e: unknown) => e as Error)
      expect(err, name).toBeInstanceOf(Error)
      expect((err as Error).message, name).toContain(join(sources, name))
      if (err instanceof OutsideProjectError) expect(err.message).toContain(`takes its voxels from ${join(secret, 'id_rsa')}, which is outside`)
    }
    await expect(checkServable(join(sources, 'case01.nhdr'), [], true)).rejects.toThrow(/none is set yet/)
  })
  it('viewFiles with the project folders refuses before reading anything', async () => {
    await expect(viewFiles({ image: join(secret, 'scan.nhdr') }, { roots: roots() })).rejects.toThrow(OutsideProjectError)
  })
  it('without the project folders, a header whose data file leaves its folder is still refused', async () => {
    await expect(checkDataFileBeside(join(sources, 'case01.nhdr'))).resolves.toBeUndefined()
    for (const name of ['abs.nhdr', 'rel.nhdr']) {
      const err = await checkDataFileBeside(join(sources, name)).catch((e: unknown) => e as Error)
      expect((err as Error).message, name).toContain(join(sources, name))
    }
    await expect(viewFiles({ image: join(sources, 'abs.nhdr') })).rejects.toThrow(join(sources, 'abs.nhdr'))
  })
})
