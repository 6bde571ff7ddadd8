// Every kind of bad input a researcher's folders can hold, each with the message it must produce,
// built from the real ct_small scan (liver as organ, spleen as tumor). The good cases around them
// must still be written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { imageIo, TOTALSEG } from '../helpers/guideFolders'
import { hashTree } from '../helpers/nifti'
import { planOutput, previewCase, runPrepare, scanSources, validateSources, PrepareRefusedError } from '../../electron/dataset'
import type { CaseReport, ValidationReport } from '../../shared/api'
import { guideSpec, request, testContext } from './support'

let root: string
let dirs: { images: string; organ: string; tumor: string }
let report: ValidationReport
let sourceHashes: Record<string, string>

function withData(img: Image, data: Image['data'], patch: Partial<Image> = {}): Image {
  return { ...img, data, metadata: new Map(), ...patch }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bad input 数据 '))
  dirs = { images: join(root, 'image'), organ: join(root, 'organ'), tumor: join(root, 'tumor') }
  for (const d of Object.values(dirs)) await mkdir(d)
  const io = await imageIo()
  const [ct, liver, spleen] = await Promise.all(['ct_small/ct.nii.gz', 'ct_small/masks/liver.nii.gz', 'ct_small/masks/spleen.nii.gz'].map((p) => io.readImageNode(join(TOTALSEG, p))))
  const write = (img: Image, dir: string, file: string) => io.writeImageNode({ ...img, metadata: new Map() }, join(dir, file))
  const triple = async (key: string, image: Image, organ: Image, tumor: Image | null, ext = '.nrrd') => {
    await write(image, dirs.images, key + ext)
    await write(organ, dirs.organ, key + ext)
    if (tumor) await write(tumor, dirs.tumor, key + ext)
  }
  const u8 = (img: Image) => img.data as Uint8Array

  await triple('case-1-good', ct!, liver!, spleen!)
  // Mixed formats for one case: NIfTI image, MetaImage organ, detached NRRD tumor.
  await write(ct!, dirs.images, 'case-2-mixed.nii.gz')
  await write(liver!, dirs.organ, 'case-2-mixed.mha')
  await write(spleen!, dirs.tumor, 'case-2-mixed.nhdr')
  await writeFile(join(dirs.images, 'case-3-corrupt.nrrd'), 'NRRD0004\nthis is not a volume\n')
  await write(liver!, dirs.organ, 'case-3-corrupt.nrrd')
  await write(spleen!, dirs.tumor, 'case-3-corrupt.nrrd')
  const gz = await readFile(join(TOTALSEG, 'ct_small/ct.nii.gz'))
  await writeFile(join(dirs.images, 'case-4-truncated.nii.gz'), gz.subarray(0, Math.floor(gz.length / 2)))
  await write(liver!, dirs.organ, 'case-4-truncated.nrrd')
  await write(spleen!, dirs.tumor, 'case-4-truncated.nrrd')
  const [nx, ny, nz] = liver!.size as [number, number, number]
  const cropped = u8(liver!).slice(0, nx * ny * (nz - 2))
  await triple('case-5-size', ct!, withData(liver!, cropped, { size: [nx, ny, nz - 2] }), spleen!)
  await triple('case-6-spacing', ct!, withData(liver!, u8(liver!), { spacing: [liver!.spacing[0]!, liver!.spacing[1]!, 3.5] }), spleen!)
  await triple('case-7-origin', ct!, withData(liver!, u8(liver!), { origin: [liver!.origin[0]! + 5, liver!.origin[1]!, liver!.origin[2]!] }), spleen!)
  await triple('case-8-255', ct!, withData(liver!, u8(liver!).map((v) => v * 255)), spleen!)
  const prob = Float32Array.from(u8(spleen!), (v, i) => (v ? [0.25, 0.5, 0.9][i % 3]! : 0))
  await triple('case-9-float', ct!, liver!, withData(spleen!, prob, { imageType: { ...spleen!.imageType, componentType: 'float32' } }))
  await triple('case-10-multi', ct!, withData(liver!, u8(liver!).map((v, i) => (v ? 1 + (i % 2) : 0))), spleen!)
  await triple('case-11-empty', ct!, liver!, withData(spleen!, new Uint8Array(u8(spleen!).length)))
  await triple('case-12-missing', ct!, liver!, null)
  const slice = (img: Image): Image => ({
    ...img,
    imageType: { ...img.imageType, dimension: 2 },
    size: [nx, ny],
    spacing: img.spacing.slice(0, 2),
    origin: img.origin.slice(0, 2),
    direction: Float64Array.from([1, 0, 0, 1]),
    data: (img.data as Int16Array | Uint8Array).slice(0, nx * ny),
    metadata: new Map(),
  })
  await triple('case-13-2d', slice(ct!), slice(liver!), slice(spleen!))
  const four: Image = { ...ct!, imageType: { ...ct!.imageType, dimension: 4 }, size: [nx, ny, nz, 2], spacing: [...ct!.spacing, 1], origin: [...ct!.origin, 0], direction: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), data: new Int16Array(nx * ny * nz * 2), metadata: new Map() }
  await write(four, dirs.images, 'case-14-4d.nii.gz')
  await write(liver!, dirs.organ, 'case-14-4d.nrrd')
  await write(spleen!, dirs.tumor, 'case-14-4d.nrrd')
  const withNaN = Float32Array.from(ct!.data as Int16Array, (v, i) => (i % 1000 === 7 ? NaN : v))
  await triple('case-15-nan', withData(ct!, withNaN, { imageType: { ...ct!.imageType, componentType: 'float32' } }), liver!, spleen!)
  // Noise a real folder holds: an orphan mask, hidden files, notes.
  await write(liver!, dirs.organ, 'orphan.nrrd')
  await writeFile(join(dirs.images, '.DS_Store'), 'x')
  await writeFile(join(dirs.images, 'notes.txt'), 'scanned 2021')
  sourceHashes = await hashTree(root)
  report = await validateSources(guideSpec(dirs), testContext())
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function caseReport(key: string): CaseReport {
  const r = report.cases.find((c) => c.caseKey === key)
  if (!r) throw new Error(`no report for ${key}`)
  return r
}

function only(key: string, code: string) {
  const r = caseReport(key)
  const f = r.findings.find((x) => x.code === code)
  expect(f, `${key}: ${JSON.stringify(r.findings)}`).toBeDefined()
  return f!
}

describe('bad input', () => {
  it('scans mixed formats in natural order and lists what does not match', async () => {
    const scan = await scanSources(guideSpec(dirs))
    expect(scan.cases.map((c) => c.caseKey)).toEqual(Array.from({ length: 15 }, (_, i) => scan.cases[i]!.caseKey).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1])))
    expect(scan.cases[1]).toMatchObject({ caseKey: 'case-2-mixed', image: join(dirs.images, 'case-2-mixed.nii.gz'), masks: [join(dirs.organ, 'case-2-mixed.mha'), join(dirs.tumor, 'case-2-mixed.nhdr')] })
    expect(scan.unmatched).toEqual([{ folder: dirs.organ, files: [join(dirs.organ, 'orphan.nrrd')] }])
    const codes = scan.findings.map((f) => f.code)
    expect(codes).toContain('unmatched-files')
    expect(codes).toContain('ignored-files')
    expect(scan.findings.find((f) => f.code === 'ignored-files')!.text).toContain('notes.txt')
    expect(scan.findings.find((f) => f.code === 'mask-missing')!.text).toContain('case-12-missing')
    expect(JSON.stringify(scan)).not.toContain('.DS_Store')
    expect(JSON.stringify(scan)).not.toContain('.raw')
  })

  it('accepts good and mixed-format cases', () => {
    expect(caseReport('case-1-good').status).toBe('ok')
    expect(caseReport('case-2-mixed').status).toBe('ok')
    expect(caseReport('case-1-good').voxelCounts).toEqual({ organ: 39350, tumor: 9630 })
  })

  it('corrupt file', () => {
    const f = only('case-3-corrupt', 'unreadable')
    expect(f.file).toBe(join(dirs.images, 'case-3-corrupt.nrrd'))
    expect(f.text).toContain(`The image ${f.file} cannot be read:`)
    expect(f.text).toMatch(/the file is damaged, truncated or not a valid \.nrrd volume/)
  })

  it('truncated .nii.gz (ITK would silently zero-fill it)', () => {
    const f = only('case-4-truncated', 'unreadable')
    expect(f.text).toMatch(/truncated/)
  })

  it('size mismatch', () => {
    const f = only('case-5-size', 'size-mismatch')
    expect(f.file).toBe(join(dirs.organ, 'case-5-size.nrrd'))
    expect(f.text).toContain('size 122x101x28 differs from the image\'s 122x101x30')
  })

  it('spacing mismatch', () => {
    const f = only('case-6-spacing', 'spacing-mismatch')
    expect(f.text).toMatch(/spacing differs from the image's by up to 0\.5 mm/)
  })

  it('origin shifted', () => {
    const f = only('case-7-origin', 'origin-mismatch')
    expect(f.text).toMatch(/origin differs from the image's by up to 5 mm/)
    expect(caseReport('case-7-origin').status).toBe('error')
  })

  it('0/255 mask: accepted with a warning', () => {
    const f = only('case-8-255', 'mask-not-binary')
    expect(f.severity).toBe('warning')
    expect(f.text).toContain('uses 255 instead of 1')
    expect(caseReport('case-8-255').status).toBe('warning')
    expect(caseReport('case-8-255').voxelCounts.organ).toBe(39350)
  })

  it('float probability mask: an error naming the values', () => {
    const f = only('case-9-float', 'mask-not-integer')
    expect(f.file).toBe(join(dirs.tumor, 'case-9-float.nrrd'))
    expect(f.text).toContain('(0, 0.25, 0.5, 0.9)')
    expect(f.text).toMatch(/probability map/)
  })

  it('several labels in one mask: an error naming the values', () => {
    expect(only('case-10-multi', 'mask-multi-value').text).toContain('its values: 0, 1, 2')
  })

  it('empty mask: a warning', () => {
    const f = only('case-11-empty', 'mask-empty')
    expect(f.severity).toBe('warning')
    expect(caseReport('case-11-empty').status).toBe('warning')
  })

  it('missing mask: an error naming the folder', () => {
    const f = only('case-12-missing', 'mask-missing')
    expect(f.severity).toBe('error')
    expect(f.text).toBe(`No "tumor" mask for case "case-12-missing" in ${dirs.tumor}.`)
    expect(f.hint).toMatch(/tick “Cases may lack a mask” in Sources \(--allow-missing-mask on the command line\)/)
  })

  it('2D image', () => {
    expect(only('case-13-2d', 'not-3d').text).toMatch(/is a 2D image \(122x101\)/)
  })

  it('4D image', () => {
    expect(only('case-14-4d', 'not-3d').text).toMatch(/is a 4D image \(122x101x30x2\): 2 volumes/)
  })

  it('NaN in the image', () => {
    const f = only('case-15-nan', 'image-nan')
    expect(f.text).toMatch(/contains \d+ NaN voxels/)
  })

  it('writes the good cases, reports the failed ones, and leaves the sources alone', async () => {
    const out = join(root, '..', `${root.split('/').pop()} out`)
    const summary = await runPrepare(request(guideSpec(dirs), { outDir: out, id: 12, name: 'Bad' }), testContext())
    expect(summary.failed).toBe(11)
    expect(summary.written).toBe(4)
    const manifest = JSON.parse(await readFile(summary.manifest, 'utf8'))
    expect(manifest.failed.map((f: { caseKey: string }) => f.caseKey)).toEqual(['case-3-corrupt', 'case-4-truncated', 'case-5-size', 'case-6-spacing', 'case-7-origin', 'case-9-float', 'case-10-multi', 'case-12-missing', 'case-13-2d', 'case-14-4d', 'case-15-nan'])
    expect(Object.values(manifest.cases).map((c) => (c as { caseKey: string }).caseKey).sort()).toEqual(['case-1-good', 'case-11-empty', 'case-2-mixed', 'case-8-255'])
    const json = JSON.parse(await readFile(join(summary.datasetDir, 'dataset.json'), 'utf8'))
    expect(json.numTraining).toBe(4)
    expect((await readdir(join(summary.datasetDir, 'labelsTr'))).length).toBe(4)
    // With missing masks allowed, that case is written with an empty tumor label.
    const allowed = await runPrepare(request(guideSpec(dirs, { allowMissingMask: true }), { outDir: out, id: 12, name: 'Bad' }), testContext())
    expect(allowed).toMatchObject({ written: 1, skipped: 4, failed: 10 })
    const missing = allowed.cases.find((c) => c.caseKey === 'case-12-missing')!
    expect(missing.status).toBe('warning')
    expect(missing.voxelCounts).toEqual({ organ: 39350, tumor: 0 })
    expect(await hashTree(root)).toEqual(sourceHashes)
    await rm(out, { recursive: true, force: true })
  })

  it('a case with errors previews the masks that fit its image: the off-grid one is left out', async () => {
    const p = await previewCase({ sources: guideSpec(dirs), caseKey: 'case-5-size' })
    expect(p.report.status).toBe('error')
    const counts = [0, 0, 0]
    for (const v of p.label.subarray(352)) counts[v]!++
    // organ (1): its mask is 2 slices short, so none; tumor (2): the spleen mask, all 9630 voxels.
    expect(counts.slice(1)).toEqual([0, 9630])
    // The legend counts what is drawn; the mask's own foreground stays in rawVoxelCounts.
    expect(p.report.voxelCounts).toEqual({ organ: 0, tumor: 9630 })
    expect(p.report.rawVoxelCounts!.organ).toBeGreaterThan(0)
  })

  it('a failed test case is named: the test set loses it and the write says so', async () => {
    const out = join(root, '..', `${root.split('/').pop()} out-test`)
    const req = request(guideSpec(dirs), { outDir: out, id: 13, name: 'BadTest', split: { testCount: 5, seed: 0 } })
    const test = (await planOutput(req)).cases.filter((c) => c.split === 'test').map((c) => c.caseKey)
    const ctx = testContext()
    const summary = await runPrepare(req, ctx)
    const lost = summary.cases.filter((c) => c.status === 'error' && test.includes(c.caseKey)).map((c) => c.caseKey)
    // 11 of the 15 cases fail, so 5 test cases hold at least one of them.
    expect(lost.length).toBeGreaterThan(0)
    expect(summary.testLost).toEqual(lost)
    expect(summary.testPlanned).toBe(5)
    expect((await readdir(join(summary.datasetDir, 'imagesTs'))).length).toBe(5 - lost.length)
    expect(ctx.lines.join('\n')).toContain(`warning: The test set lost ${lost.length === 1 ? lost[0] : lost.join(', ')} (failed)`)
    await rm(out, { recursive: true, force: true })
  })

  it('empty folder: refused before anything is written', async () => {
    const empty = join(root, '..', `${root.split('/').pop()} empty`)
    await mkdir(empty, { recursive: true })
    const spec = guideSpec({ images: empty, organ: dirs.organ, tumor: dirs.tumor })
    const plan = await planOutput(request(spec, { outDir: join(empty, '..', 'never'), id: 3, name: 'Empty' }))
    const f = plan.findings.find((x) => x.code === 'folder-empty')!
    expect(f.text).toBe(`The image folder ${empty} holds no volumes (.nii.gz, .nrrd, .nhdr, .nii, .mha, .mhd) and no sub-folders of DICOM files.`)
    const err = await runPrepare(request(spec, { outDir: join(empty, 'out'), id: 3, name: 'Empty' }), testContext()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrepareRefusedError)
    expect(await readdir(empty)).toEqual([])
    const missing = await scanSources(guideSpec({ images: join(root, 'nope'), organ: dirs.organ, tumor: dirs.tumor }))
    expect(missing.findings[0]).toMatchObject({ code: 'folder-missing', text: `The image folder ${join(root, 'nope')} does not exist.` })
    await rm(empty, { recursive: true, force: true })
  })

  it('a copied folder under a path with spaces and non-ASCII characters works', async () => {
    const nested = join(root, '..', `${root.split('/').pop()} 数据 集`)
    for (const d of ['image', 'organ', 'tumor']) {
      await mkdir(join(nested, d), { recursive: true })
      await copyFile(join(root, d, 'case-1-good.nrrd'), join(nested, d, '病例 1.nrrd'))
    }
    const spec = guideSpec({ images: join(nested, 'image'), organ: join(nested, 'organ'), tumor: join(nested, 'tumor') })
    const summary = await runPrepare(request(spec, { outDir: join(nested, '输出 out'), id: 4, name: 'Unicode' }), testContext())
    expect(summary).toMatchObject({ written: 1, failed: 0 })
    const manifest = JSON.parse(await readFile(summary.manifest, 'utf8'))
    expect(manifest.cases.unicode_001.caseKey).toBe('病例 1')
    await rm(nested, { recursive: true, force: true })
  })
})
