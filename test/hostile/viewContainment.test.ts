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

describe('the service serves only the folders the open project names', () => {
  const nii = async (path: string, value: number) => {
    const { writeNiftiGz, NIFTI_INTENT_LABEL } = await import('../../electron/imaging/niftiWriter')
    await writeNiftiGz(path, { size: [4, 4, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, new Uint8Array(32).fill(value), { intentCode: NIFTI_INTENT_LABEL })
  }
  it('refuses a prediction outside every project folder by name, and serves one the Predict form names', async () => {
    const { createService } = await import('../../electron/service')
    const input = join(tmp, 'predict', 'imagesTs')
    const output = join(tmp, 'predict', 'out')
    const elsewhere = join(tmp, 'elsewhere')
    for (const d of [input, output, elsewhere]) await mkdir(d, { recursive: true })
    await nii(join(input, 'case1_0000.nii.gz'), 3)
    await nii(join(output, 'case1.nii.gz'), 1)
    await nii(join(elsewhere, 'case1_0000.nii.gz'), 3)
    await nii(join(elsewhere, 'case1.nii.gz'), 1)
    const service = createService({ mode: 'browser' }, join(tmp, 'app-data'), { settings: { device: 'cpu', nnunetVersion: 'v2', torchCompile: false } as never, memoryQueue: true })
    try {
      // No project open yet: nothing is served.
      await expect(service.viewFiles({ label: join(output, 'case1.nii.gz'), imagesDir: input })).rejects.toThrow(/none is set yet/)
      const project = { format: 'nnunet-wizard-project' as const, version: 1 as const, sources: { imagesDir: sources, labels: [] }, output: {}, step: 'predict', forms: { predict: { input, output } } }
      await service.autosaveProject({ project, path: null, draftId: null, runs: {} } as never)
      const shown = await service.viewFiles({ label: join(output, 'case1.nii.gz'), imagesDir: input })
      expect(shown.image).toBe(join(input, 'case1_0000.nii.gz'))
      expect((await service.getVolume({ id: shown.labelVolume })).byteLength).toBeGreaterThan(0)
      // The same files one folder over are outside every folder the project names.
      const refused = await service.viewFiles({ label: join(elsewhere, 'case1.nii.gz'), imagesDir: elsewhere }).catch((e: unknown) => e as Error)
      expect(refused).toBeInstanceOf(OutsideProjectError)
      expect((refused as Error).message).toContain(`${join(elsewhere, 'case1_0000.nii.gz')} is outside the project's folders (${sources}, ${input}, ${output})`)
      // A scan inside, its label map outside: refused too, naming the label map.
      await expect(service.viewFiles({ label: join(elsewhere, 'case1.nii.gz'), image: join(input, 'case1_0000.nii.gz') })).rejects.toThrow(`${join(elsewhere, 'case1.nii.gz')} is outside`)
    } finally {
      await service.dispose()
    }
  })
})
