// Issue 4: the Output step writes straight into nnUNet_raw and checks that the dataset id is not
// already used under another name anywhere in the three nnU-Net folders. Real service, real
// folders, real guide-style sources.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import { makeGuideFolders } from '../helpers/guideFolders'
import type { PrepareRequest } from '../../shared/schema'

let base: string
let service: Service
let sources: PrepareRequest['sources']
let raw: string

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-idclash-'))
  service = createService({ mode: 'browser' }, join(base, 'data'))
  const g = await makeGuideFolders(join(base, 'src'), { cases: 2 })
  sources = { imagesDir: g.images, labels: [{ name: 'organ', dir: g.organ }, { name: 'tumor', dir: g.tumor }], allowMissingMask: false }
  const folders = await service.createFolders({ base: join(base, 'nnunet'), version: 'v2' })
  raw = folders.raw
  // Another dataset with id 7 exists only as preprocessed data (its raw folder was deleted).
  await mkdir(join(folders.preprocessed, 'Dataset007_Spleen'), { recursive: true })
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const request = (outDir: string, id: number, name: string) =>
  ({ sources, output: { layout: 'nnunet-v2', outDir, id, name, split: { seed: 0 }, metadata: { channelNames: ['CT'] } } }) as PrepareRequest

describe('dataset id clashes across the nnU-Net folders', () => {
  it('is an error when writing into nnUNet_raw, naming the other dataset and where it is', async () => {
    const plan = await service.planOutput(request(raw, 7, 'Aorta'))
    const clash = plan.findings.find((f) => f.code === 'id-used-in-nnunet-folders')
    expect(clash?.severity).toBe('error')
    expect(clash?.text).toContain('"Spleen"')
    expect(clash?.text).toContain('nnUNet_preprocessed')
    await expect(service.prepare(request(raw, 7, 'Aorta'))).rejects.toThrow(/Dataset id 7 is already used by "Spleen"/)
    expect(await readdir(raw)).toEqual([])
  })

  it('is a warning when writing elsewhere, and nothing at all for a free id or the same dataset', async () => {
    const elsewhere = await service.planOutput(request(join(base, 'out'), 7, 'Aorta'))
    expect(elsewhere.findings.find((f) => f.code === 'id-used-in-nnunet-folders')?.severity).toBe('warning')
    const free = await service.planOutput(request(raw, 8, 'Aorta'))
    expect(free.findings.filter((f) => f.code === 'id-used-in-nnunet-folders')).toEqual([])
    const same = await service.planOutput(request(raw, 7, 'Spleen'))
    expect(same.findings.filter((f) => f.code === 'id-used-in-nnunet-folders')).toEqual([])
  })
})
