// The guide's folders (real CT + aorta / false-lumen masks, 5 cases as NRRD, under a path with a
// space and Chinese characters) through prepare, read back with itk-wasm, voxel by voxel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { TEMP_MARKER } from '../../electron/files/writeAtomic'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { hashTree, readImage, readNiftiHeader } from '../helpers/nifti'
import { runPrepare, planOutput, validateSources, previewCase, scanSources, PrepareRefusedError } from '../../electron/dataset'
import { compareGeometry } from '../../electron/imaging/geometry'
import { JobCancelledError } from '../../electron/jobs/jobManager'
import type { Geometry, PrepareSummary } from '../../shared/api'
import type { Image } from 'itk-wasm'
import { guideSpec, request, testContext } from './support'

let tmp: string
let guide: GuideFolders
let sourceHashes: Record<string, string>
let out: string

const geometry = (img: Image): Geometry => ({ size: img.size, spacing: img.spacing, origin: img.origin, direction: Array.from(img.direction as Float64Array) })

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-'))
  guide = await makeGuideFolders(join(tmp, '数据 集', 'data'))
  sourceHashes = await hashTree(guide.root)
  out = join(tmp, 'nnUNet raw 输出')
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

/** The guide's merge, done independently: label[organ != 0] = 1; label[tumor != 0] = 2. */
async function expectedLabel(caseKey: string): Promise<Uint8Array> {
  const organ = await readImage(join(guide.organ, `${caseKey}.nrrd`))
  const tumor = await readImage(join(guide.tumor, `${caseKey}.nrrd`))
  const o = organ.data as Uint8Array
  const t = tumor.data as Uint8Array
  const label = new Uint8Array(o.length)
  for (let i = 0; i < o.length; i++) label[i] = t[i] ? 2 : o[i] ? 1 : 0
  return label
}

function countValues(a: ArrayLike<number>): number[] {
  const c = [0, 0, 0]
  for (let i = 0; i < a.length; i++) c[a[i]!]!++
  return c
}

describe('prepare, nnU-Net v2 layout', () => {
  let summary: PrepareSummary
  const datasetDir = () => join(out, 'Dataset001_Aorta')

  it('scans the guide folders in natural order', async () => {
    const scan = await scanSources(guideSpec(guide))
    expect(scan.cases.map((c) => c.caseKey)).toEqual(guide.caseKeys)
    expect(scan.unmatched).toEqual([])
    expect(scan.findings).toEqual([])
  })

  it('plans without reading pixels: names, tree and dataset.json', async () => {
    const plan = await planOutput(request(guideSpec(guide), { outDir: out, id: 1, name: 'Aorta', split: { testCount: 1, seed: 0 } }))
    expect(plan.folderName).toBe('Dataset001_Aorta')
    expect(plan.findings).toEqual([])
    expect(plan.cases.map((c) => c.caseId)).toEqual(['aorta_001', 'aorta_002', 'aorta_003', 'aorta_004', 'aorta_005'])
    expect(plan.datasetJson).toMatchObject({ channel_names: { '0': 'CT' }, labels: { background: 0, organ: 1, tumor: 2 }, numTraining: 4, file_ending: '.nii.gz' })
    expect(plan.tree[0]).toBe('Dataset001_Aorta/')
  })

  it('writes every case with progress', async () => {
    const ctx = testContext()
    summary = await runPrepare(request(guideSpec(guide), { outDir: out, id: 1, name: 'Aorta', split: { testCount: 1, seed: 0 } }), ctx)
    expect(summary).toMatchObject({ datasetDir: datasetDir(), written: 5, skipped: 0, failed: 0 })
    const last = ctx.progressEvents[ctx.progressEvents.length - 1]!
    expect(last).toMatchObject({ done: 5, total: 5, unit: 'cases', etaSeconds: 0 })
    expect(last.bytes).toBeGreaterThan(1e6)
    const tree = await Promise.all(['imagesTr', 'labelsTr', 'imagesTs'].map((f) => readdir(join(datasetDir(), f))))
    const plan = await planOutput(request(guideSpec(guide), { outDir: join(tmp, 'elsewhere'), id: 1, name: 'Aorta', split: { testCount: 1, seed: 0 } }))
    const train = plan.cases.filter((c) => c.split === 'train').map((c) => c.caseId)
    const test = plan.cases.filter((c) => c.split === 'test').map((c) => c.caseId)
    expect(tree[0]!.sort()).toEqual(train.map((id) => `${id}_0000.nii.gz`))
    expect(tree[1]!.sort()).toEqual(train.map((id) => `${id}.nii.gz`))
    expect(tree[2]!.sort()).toEqual(test.map((id) => `${id}_0000.nii.gz`))
    expect((await readdir(datasetDir())).sort()).toEqual(['dataset.json', 'imagesTr', 'imagesTs', 'labelsTr', 'labelsTs', 'manifest.json'])
    // The held-out case keeps its merged label in labelsTs (test/results/labelsTs.test.ts checks its voxels).
    expect((await readdir(join(datasetDir(), 'labelsTs'))).sort()).toEqual(test.map((id) => `${id}.nii.gz`))
    expect(await readdir(out)).toEqual(['Dataset001_Aorta'])
    const json = JSON.parse(await readFile(join(datasetDir(), 'dataset.json'), 'utf8'))
    expect(json).toEqual({ channel_names: { '0': 'CT' }, labels: { background: 0, organ: 1, tumor: 2 }, numTraining: 4, file_ending: '.nii.gz', name: 'Aorta', description: '', reference: '', licence: '', release: '1.0' })
  })

  it('reports the documented voxel counts for the original case', () => {
    const c1 = summary.cases.find((c) => c.caseKey === 'image-1')!
    expect(c1.voxelCounts).toEqual({ organ: 72810 - 33451, tumor: 36170 })
    expect(c1.overlapVoxels).toBe(33451)
    expect(c1.status).toBe('ok')
  })

  it('writes voxel-exact labels (overlap -> 2) and images with their dtype and geometry', async () => {
    const manifest = JSON.parse(await readFile(join(datasetDir(), 'manifest.json'), 'utf8'))
    for (const key of guide.caseKeys) {
      const entry = Object.values(manifest.cases as Record<string, { caseKey: string; image: string; label: string | null; voxelCounts: Record<string, number>; overlapVoxels: number }>).find((c) => c.caseKey === key)!
      const src = await readImage(join(guide.images, `${key}.nrrd`))
      const img = await readImage(join(datasetDir(), entry.image))
      expect(img.imageType.componentType).toBe('int16')
      expect(compareGeometry(geometry(src), geometry(img))).toEqual([])
      expect(Buffer.from((img.data as Int16Array).buffer).equals(Buffer.from((src.data as Int16Array).buffer))).toBe(true)
      const h = await readNiftiHeader(join(datasetDir(), entry.image))
      expect(h).toMatchObject({ datatype: 4, intentCode: 0, qformCode: 1, sformCode: 1 })
      const counts = guide.counts[key]!
      expect(entry.voxelCounts).toEqual({ organ: counts.organ - counts.overlap, tumor: counts.tumor })
      expect(entry.overlapVoxels).toBe(counts.overlap)
      if (!entry.label) continue
      const label = await readImage(join(datasetDir(), entry.label))
      expect(label.imageType.componentType).toBe('uint8')
      expect(compareGeometry(geometry(src), geometry(label))).toEqual([])
      const expected = await expectedLabel(key)
      expect(Buffer.from(label.data as Uint8Array).equals(Buffer.from(expected))).toBe(true)
      expect(countValues(label.data as Uint8Array).slice(1)).toEqual([counts.organ - counts.overlap, counts.tumor])
      expect((await readNiftiHeader(join(datasetDir(), entry.label))).intentCode).toBe(1002)
    }
  })

  it('records sources, splits and hashes in manifest.json', async () => {
    const manifest = JSON.parse(await readFile(join(datasetDir(), 'manifest.json'), 'utf8'))
    expect(manifest.format).toBe('nnunet-wizard-manifest')
    expect(Object.keys(manifest.files)).toHaveLength(15)
    const img1 = manifest.files[join(guide.images, 'image-1.nrrd')]
    expect(img1).toEqual({ caseId: 'aorta_001', split: expect.stringMatching(/train|test/), role: 'image' })
    const c = manifest.cases.aorta_001
    expect(c.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(c.sources.map((s: { role: string }) => s.role)).toEqual(['image', 'organ', 'tumor'])
    expect(manifest.failed).toEqual([])
  })

  it('re-running is a no-op', async () => {
    const before = await hashTree(datasetDir())
    const mtimes = await Promise.all(Object.keys(before).filter((p) => p.endsWith('.nii.gz')).map(async (p) => [p, (await stat(p)).mtimeMs]))
    const again = await runPrepare(request(guideSpec(guide), { outDir: out, id: 1, name: 'Aorta', split: { testCount: 1, seed: 0 } }), testContext())
    expect(again).toMatchObject({ written: 0, skipped: 5, failed: 0 })
    expect(again.cases.find((c) => c.caseKey === 'image-1')?.voxelCounts).toEqual({ organ: 39359, tumor: 36170 })
    for (const [p, m] of mtimes) expect((await stat(p as string)).mtimeMs).toBe(m)
    const after = await hashTree(datasetDir())
    for (const p of Object.keys(before).filter((k) => !k.endsWith('manifest.json'))) expect(after[p]).toBe(before[p])
  })

  it('rewrites only a case whose output was damaged', async () => {
    const victim = join(datasetDir(), 'labelsTr', 'aorta_001.nii.gz')
    await writeFile(victim, 'broken')
    const again = await runPrepare(request(guideSpec(guide), { outDir: out, id: 1, name: 'Aorta', split: { testCount: 1, seed: 0 } }), testContext())
    expect(again).toMatchObject({ written: 1, skipped: 4, failed: 0 })
    expect((await readImage(victim)).imageType.componentType).toBe('uint8')
  })

  it('refuses to resume with other settings unless overwrite', async () => {
    const other = request(guideSpec(guide), { outDir: out, id: 1, name: 'Aorta', prefix: 'other', split: { testCount: 1, seed: 0 } })
    const err = await runPrepare(other, testContext()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrepareRefusedError)
    expect((err as PrepareRefusedError).findings.map((f) => f.code)).toEqual(['target-other-settings'])
  })

  it('refuses a non-empty folder it did not make; overwrite replaces it only once what it did not write is moved away', async () => {
    const foreign = join(out, 'Dataset002_Aorta')
    await mkdir(foreign, { recursive: true })
    await writeFile(join(foreign, 'notes.txt'), 'my own work')
    const req = (overwrite: boolean) => request(guideSpec(guide), { outDir: out, id: 2, name: 'Aorta', overwrite })
    const plan = await planOutput(req(false))
    expect(plan.findings.map((f) => f.code)).toEqual(['target-not-empty'])
    expect(plan.findings[0]!.text).toContain('notes.txt')
    await expect(runPrepare(req(false), testContext())).rejects.toThrow(/not made by nnU-Net Wizard/)
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('my own work')
    // Overwrite deletes only the wizard's own layout (issue 18: predictions inside a dataset folder were deleted).
    await expect(runPrepare(req(true), testContext())).rejects.toThrow(/holds notes\.txt, which nnU-Net Wizard did not write there/)
    expect(await readFile(join(foreign, 'notes.txt'), 'utf8')).toBe('my own work')
    await rename(join(foreign, 'notes.txt'), join(out, 'notes.txt'))
    const replaced = await runPrepare(req(true), testContext())
    expect(replaced.written).toBe(5)
    expect(await readdir(foreign)).not.toContain('notes.txt')
  })

  it('refuses a second folder with the same id and an output inside a source folder', async () => {
    const plan = await planOutput(request(guideSpec(guide), { outDir: out, id: 1, name: 'Other' }))
    expect(plan.findings.map((f) => f.code)).toContain('id-taken')
    const inside = await planOutput(request(guideSpec(guide), { outDir: guide.images, id: 3, name: 'Aorta' }))
    expect(inside.findings.map((f) => f.code)).toContain('target-overlaps-source')
  })
})

describe('prepare, MSD layout (the guide)', () => {
  it('writes TaskNN_Name with {prefix}_{NNN}.nii.gz and the guide dataset.json', async () => {
    const req = request(guideSpec(guide), {
      layout: 'msd',
      outDir: out,
      id: 7,
      name: 'Aorta',
      prefix: 'aorta',
      split: { testCount: 2, seed: 42 },
      metadata: { description: 'Aorta and false lumen', reference: 'TotalSegmentator', licence: 'Apache-2.0', release: '1.0', channelNames: ['CT'] },
    })
    const summary = await runPrepare(req, testContext())
    expect(summary).toMatchObject({ written: 5, failed: 0 })
    const dir = join(out, 'Task07_Aorta')
    const json = JSON.parse(await readFile(join(dir, 'dataset.json'), 'utf8'))
    const tr = (await readdir(join(dir, 'imagesTr'))).sort()
    const ts = (await readdir(join(dir, 'imagesTs'))).sort()
    expect(tr).toHaveLength(3)
    expect(ts).toHaveLength(2)
    for (const f of [...tr, ...ts]) expect(f).toMatch(/^aorta_00[1-5]\.nii\.gz$/)
    expect((await readdir(join(dir, 'labelsTr'))).sort()).toEqual(tr)
    expect(json).toEqual({
      name: 'Aorta',
      description: 'Aorta and false lumen',
      reference: 'TotalSegmentator',
      licence: 'Apache-2.0',
      release: '1.0',
      tensorImageSize: '3D',
      modality: { '0': 'CT' },
      labels: { '0': 'background', '1': 'organ', '2': 'tumor' },
      numTraining: 3,
      numTest: 2,
      training: tr.map((f) => ({ image: `./imagesTr/${f}`, label: `./labelsTr/${f}` })),
      test: ts.map((f) => `./imagesTs/${f}`),
    })
    const first = tr[0]!
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
    const key = (Object.values(manifest.cases) as { caseKey: string; image: string }[]).find((c) => c.image === `imagesTr/${first}`)!.caseKey
    const label = await readImage(join(dir, 'labelsTr', first))
    expect(Buffer.from(label.data as Uint8Array).equals(Buffer.from(await expectedLabel(key)))).toBe(true)
  })
})

describe('validate, preview and cancel', () => {
  it('validates all cases as a job', async () => {
    const ctx = testContext()
    const report = await validateSources(guideSpec(guide), ctx)
    expect(report.counts).toEqual({ ok: 5, warning: 0, error: 0 })
    expect(ctx.progressEvents[ctx.progressEvents.length - 1]).toMatchObject({ done: 5, total: 5 })
  })

  it('previews a case as uncompressed NIfTI without writing', async () => {
    const p = await previewCase({ sources: guideSpec(guide), caseKey: 'image-1' })
    expect(p.labels).toEqual([
      { name: 'organ', value: 1, color: [255, 0, 0] },
      { name: 'tumor', value: 2, color: [0, 255, 0] },
    ])
    expect(p.image.byteLength).toBe(352 + 120 * 126 * 164 * 2)
    expect(p.label.byteLength).toBe(352 + 120 * 126 * 164)
    expect(new DataView(p.label.buffer, p.label.byteOffset).getInt16(68, true)).toBe(1002)
    expect(countValues(p.label.subarray(352))).toEqual([120 * 126 * 164 - 39359 - 36170, 39359, 36170])
    expect(p.report.overlapVoxels).toBe(33451)
    await expect(previewCase({ sources: guideSpec(guide), caseKey: 'image-99' })).rejects.toThrow(/no case "image-99"/)
  })

  it('stops cleanly when cancelled, leaving no temporary files, and resumes', async () => {
    const ctx = testContext()
    const req = request(guideSpec(guide), { outDir: out, id: 5, name: 'Cancelled' })
    const orig = ctx.progress
    ctx.progress = (p) => {
      orig(p)
      if (p.message === 'Writing cases' && p.done === 1) ctx.controller.abort()
    }
    await expect(runPrepare(req, ctx)).rejects.toBeInstanceOf(JobCancelledError)
    const dir = join(out, 'Dataset005_Cancelled')
    const all = (await hashTree(dir).catch(() => ({}))) as Record<string, string>
    expect(Object.keys(all).length).toBeGreaterThan(0)
    expect(Object.keys(all).filter((p) => basename(p).startsWith(TEMP_MARKER))).toEqual([])
    expect((await readdir(out)).filter((n) => n.startsWith('.nnunet-wizard'))).toEqual([])
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
    const recorded = Object.keys(manifest.cases).length
    expect(recorded).toBeGreaterThanOrEqual(1)
    expect(recorded).toBeLessThan(5)
    const resumed = await runPrepare(req, testContext())
    expect(resumed.failed).toBe(0)
    expect(resumed.written + resumed.skipped).toBe(5)
    expect(resumed.skipped).toBe(recorded)
  })

  it('lets one job at a time write a dataset folder', async () => {
    const req = request(guideSpec(guide), { outDir: out, id: 6, name: 'Locked' })
    // Both start at once; which one takes the lock depends on I/O timing, not call order.
    const results = await Promise.allSettled([runPrepare(req, testContext()), runPrepare(req, testContext())])
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r) => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(String((lost[0] as PromiseRejectedResult).reason)).toMatch(/already being written by another job/)
    expect((won[0] as PromiseFulfilledResult<PrepareSummary>).value.written).toBe(5)
    const again = await runPrepare(req, testContext())
    expect(again.skipped).toBe(5)
  })

  it('never touched the source folders', async () => {
    expect(await hashTree(guide.root)).toEqual(sourceHashes)
  })
})
