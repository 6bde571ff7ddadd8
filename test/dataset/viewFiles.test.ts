// viewFiles on real files: the TotalSegmentator CT with a multi-label "prediction" (liver = 1,
// spleen = 2, merged from the real masks and written with the app's NIfTI writer into a temp
// folder laid out like nnUNetv2_predict's output), read back through itk-wasm voxel by voxel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { viewFiles } from '../../electron/dataset'
import { labelNamesFromDatasetJson } from '../../electron/dataset/viewFiles'
import { compareGeometry } from '../../electron/imaging/geometry'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import type { Geometry, ViewFilesResult } from '../../shared/api'
import { viewFilesRequest } from '../../shared/schema'
import { caseFileParts, channelFileName } from '../../shared/layout'
import { TOTALSEG } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'

const CT = join(TOTALSEG, 'ct_small', 'ct.nii.gz')
const MASKS = join(TOTALSEG, 'ct_small', 'masks')

let tmp: string
let imagesTs: string
let predictions: string
let ct: Image
let merged: Uint8Array
let counts: { liver: number; spleen: number }

const geometryOf = (img: Image): Geometry => ({ size: img.size, spacing: img.spacing, origin: img.origin, direction: Array.from(img.direction as Float64Array) })

/** Bytes returned by the service, written to a .nii and read back with itk-wasm. */
async function readBack(bytes: Uint8Array, name: string): Promise<Image> {
  const p = join(tmp, name)
  await writeFile(p, bytes)
  return readImage(p)
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'view-files-'))
  imagesTs = join(tmp, 'imagesTs')
  predictions = join(tmp, 'predictions')
  await mkdir(imagesTs)
  await mkdir(predictions)
  ct = await readImage(CT)
  const liver = (await readImage(join(MASKS, 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(MASKS, 'spleen.nii.gz'))).data as ArrayLike<number>
  merged = new Uint8Array(liver.length)
  counts = { liver: 0, spleen: 0 }
  for (let i = 0; i < merged.length; i++) {
    if (spleen[i]) {
      merged[i] = 2
      counts.spleen++
    } else if (liver[i]) {
      merged[i] = 1
      counts.liver++
    }
  }
  // nnUNetv2_predict's layout: the scans as case_0000.nii.gz, the predictions as case.nii.gz plus
  // the model's dataset.json in the output folder.
  await copyFile(CT, join(imagesTs, 'abdomen_001_0000.nii.gz'))
  await writeNiftiGz(join(predictions, 'abdomen_001.nii.gz'), geometryOf(ct), merged, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('pairing rule', () => {
  it('names channel 0 of a case and splits volume file names', () => {
    expect(channelFileName('abdomen_001', '.nii.gz')).toBe('abdomen_001_0000.nii.gz')
    expect(channelFileName('x', '.nrrd', 1)).toBe('x_0001.nrrd')
    expect(caseFileParts('abdomen_001.nii.gz')).toEqual({ caseId: 'abdomen_001', ending: '.nii.gz' })
    expect(caseFileParts('case.NII.GZ')).toEqual({ caseId: 'case', ending: '.NII.GZ' })
    expect(caseFileParts('dataset.json')).toBeNull()
    expect(caseFileParts('abdomen_001.npz')).toBeNull()
  })

  it('reads label names from v2 (name -> value) and MSD (value -> name) dataset.json', () => {
    expect([...labelNamesFromDatasetJson({ labels: { background: 0, liver: 1, spleen: 2, both: [1, 2] } })]).toEqual([
      [1, 'liver'],
      [2, 'spleen'],
    ])
    expect([...labelNamesFromDatasetJson({ labels: { '0': 'background', '1': 'liver', '7': 'spleen' } })]).toEqual([
      [1, 'liver'],
      [7, 'spleen'],
    ])
    expect(() => labelNamesFromDatasetJson({ name: 'x' })).toThrow(/no "labels"/)
  })

  it('the request needs the image, or a label and the folder of scans', () => {
    expect(viewFilesRequest.safeParse({ label: '/a/b.nii.gz' }).success).toBe(false)
    expect(viewFilesRequest.safeParse({ image: '/a/b.nii.gz' }).success).toBe(true)
    expect(viewFilesRequest.safeParse({ label: '/a/b.nii.gz', imagesDir: '/a' }).success).toBe(true)
  })
})

describe('viewFiles: a prediction over its scan', () => {
  it('pairs case.nii.gz with case_0000.nii.gz and returns both volumes on the scan grid', async () => {
    const v = await viewFiles({ label: join(predictions, 'abdomen_001.nii.gz'), imagesDir: imagesTs })
    expect(v.imagePath).toBe(join(imagesTs, 'abdomen_001_0000.nii.gz'))
    expect(v.caseKey).toBe('abdomen_001')
    expect(v.datasetJson).toBe(join(predictions, 'dataset.json'))
    expect(v.report.status).toBe('ok')
    expect(v.report.findings).toEqual([])
    expect(v.labels.map((l) => [l.name, l.value])).toEqual([
      ['liver', 1],
      ['spleen', 2],
    ])
    expect(v.labels[0]!.color).toEqual([255, 0, 0])
    expect(v.report.voxelCounts).toEqual({ liver: counts.liver, spleen: counts.spleen })
    expect(counts.liver).toBeGreaterThan(1000)
    expect(counts.spleen).toBeGreaterThan(1000)

    const image = await readBack(v.image, 'image.nii')
    const label = await readBack(v.label, 'label.nii')
    expect(compareGeometry(geometryOf(ct), geometryOf(image))).toEqual([])
    expect(compareGeometry(geometryOf(ct), geometryOf(label))).toEqual([])
    expect(image.imageType.componentType).toBe(ct.imageType.componentType)
    expect(Buffer.from((image.data as Int16Array).buffer).equals(Buffer.from((ct.data as Int16Array).buffer))).toBe(true)
    expect(label.imageType.componentType).toBe('uint8')
    expect(Buffer.from(label.data as Uint8Array).equals(Buffer.from(merged))).toBe(true)
    // Uncompressed NIfTI with the label intent, as NiiVue loads it.
    expect(new DataView(v.label.buffer, v.label.byteOffset).getInt16(68, true)).toBe(NIFTI_INTENT_LABEL)
  })

  it('takes an int16 label map with MSD names, values not from 1', async () => {
    const dir = join(tmp, 'msd')
    await mkdir(dir)
    const int16 = Int16Array.from(merged, (x) => (x === 2 ? 7 : x))
    const label = join(dir, 'abdomen_001.nii.gz')
    await writeNiftiGz(label, geometryOf(ct), int16)
    const json = join(tmp, 'Task01_dataset.json')
    await writeFile(json, JSON.stringify({ labels: { '0': 'background', '1': 'Liver', '7': 'Spleen' } }))
    const v = await viewFiles({ image: CT, label, datasetJson: json })
    expect(v.labels.map((l) => [l.name, l.value])).toEqual([
      ['Liver', 1],
      ['Spleen', 7],
    ])
    expect(v.report.voxelCounts).toEqual({ Liver: counts.liver, Spleen: counts.spleen })
    const back = await readBack(v.label, 'label-msd.nii')
    expect(back.imageType.componentType).toBe('uint8')
    expect(Array.from(back.data as Uint8Array).filter((x) => x === 7).length).toBe(counts.spleen)
  })

  it('names values "label N" without a dataset.json, and shows a scan alone', async () => {
    const dir = join(tmp, 'bare')
    await mkdir(dir)
    const label = join(dir, 'abdomen_001.nii.gz')
    await writeNiftiGz(label, geometryOf(ct), merged)
    const v = await viewFiles({ label, imagesDir: imagesTs })
    expect(v.labels.map((l) => l.name)).toEqual(['label 1', 'label 2'])
    expect(v.datasetJson).toBeUndefined()

    const alone = await viewFiles({ image: CT })
    expect(alone.labels).toEqual([])
    expect(alone.labelPath).toBeUndefined()
    expect((await readBack(alone.label, 'empty.nii')).data!.every((x) => x === 0)).toBe(true)
  })
})

describe('viewFiles: what it refuses, in words', () => {
  it('a label map on another grid: the scan is shown, the label is not, and the finding names both files', async () => {
    const dir = join(tmp, 'shifted')
    await mkdir(dir)
    const label = join(dir, 'abdomen_001.nii.gz')
    const g = geometryOf(ct)
    await writeNiftiGz(label, { ...g, origin: [g.origin[0]! + 12, g.origin[1]!, g.origin[2]!] }, merged, { intentCode: NIFTI_INTENT_LABEL })
    const v = await viewFiles({ label, imagesDir: imagesTs })
    expect(v.report.status).toBe('error')
    const f = v.report.findings.find((x) => x.code === 'origin-mismatch')
    expect(f?.file).toBe(label)
    expect(f?.text).toMatch(/The label map abdomen_001\.nii\.gz does not match the image abdomen_001_0000\.nii\.gz: origin differs .* by up to 12 mm/)
    expect(v.labels).toEqual([])
    expect((await readBack(v.label, 'shifted.nii')).data!.every((x) => x === 0)).toBe(true)
  })

  it('a label map of another size', async () => {
    const dir = join(tmp, 'small')
    await mkdir(dir)
    const label = join(dir, 'abdomen_001.nii.gz')
    const g = geometryOf(ct)
    const size = [g.size[0]!, g.size[1]!, g.size[2]! - 1]
    await writeNiftiGz(label, { ...g, size }, merged.subarray(0, size[0]! * size[1]! * size[2]!))
    const v = await viewFiles({ image: CT, label })
    expect(v.report.findings.map((x) => x.code)).toContain('size-mismatch')
    expect(v.report.findings.find((x) => x.code === 'size-mismatch')!.text).toMatch(/does not match the image ct\.nii\.gz: size/)
  })

  it('a probability map is not taken for a segmentation', async () => {
    const dir = join(tmp, 'probabilities')
    await mkdir(dir)
    const label = join(dir, 'abdomen_001.nii.gz')
    await writeNiftiGz(label, geometryOf(ct), Float32Array.from(merged, (x) => x * 0.4))
    const v = await viewFiles({ image: CT, label })
    expect(v.report.findings.map((x) => x.code)).toEqual(['label-not-integer'])
    expect(v.report.findings[0]!.text).toMatch(/probability map/)
  })

  it('no scan for the case in the folder', async () => {
    const label = join(tmp, 'other_case.nii.gz')
    await writeNiftiGz(label, geometryOf(ct), merged)
    await expect(viewFiles({ label, imagesDir: imagesTs })).rejects.toThrow(`There is no scan for case "other_case" in ${imagesTs}: expected other_case_0000.nii.gz`)
    await expect(viewFiles({ label: join(predictions, 'dataset.json'), imagesDir: imagesTs })).rejects.toThrow(/not a volume file/)
  })

  it('an explicit dataset.json that is missing', async () => {
    await expect(viewFiles({ image: CT, label: join(predictions, 'abdomen_001.nii.gz'), datasetJson: join(tmp, 'nope.json') })).rejects.toThrow(/dataset\.json .*nope\.json cannot be read: it does not exist/)
  })
})

describe('viewFiles through the Api', () => {
  it('is bound by the generic dispatcher and returns volume handles', async () => {
    const service = createService({ mode: 'browser' }, join(tmp, 'app-data'))
    // The viewer serves only the open project's folders: a project whose Predict form names these two.
    const project = { format: 'nnunet-wizard-project' as const, version: 1 as const, sources: { imagesDir: imagesTs, labels: [] }, output: {}, step: 'predict', forms: { predict: { input: imagesTs, output: predictions } } }
    await callApi(service, 'autosaveProject', { project, path: null, draftId: null, runs: {} })
    const r = (await callApi(service, 'viewFiles', { label: join(predictions, 'abdomen_001.nii.gz'), imagesDir: imagesTs })) as ViewFilesResult
    expect(r.image).toBe(join(imagesTs, 'abdomen_001_0000.nii.gz'))
    expect(r.labels.map((l) => l.name)).toEqual(['liver', 'spleen'])
    const bytes = (await callApi(service, 'getVolume', { id: r.labelVolume })) as Uint8Array
    expect(Buffer.from(bytes.subarray(352)).equals(Buffer.from(merged))).toBe(true)
    await expect(callApi(service, 'viewFiles', { label: 'x.nii.gz' })).rejects.toThrow(/label and the folder/)
    await service.dispose()
  })
})
