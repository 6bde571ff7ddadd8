// Saving a label map corrected in the viewer (electron/dataset/labelEdit.ts) on the real
// TotalSegmentator CT: a "prediction" merged from its real liver and spleen masks sits in a temp
// folder laid out like nnUNetv2_predict's output; the edit runs are made here from known voxels
// and the saved file is read back through itk-wasm, voxel by voxel, against an independent count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { applyChanges, correctedPathFor, decodeChanges, encodeChanges, saveLabelEdit, type ChangeRun } from '../../electron/dataset/labelEdit'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { TEMP_MARKER } from '../../electron/files/writeAtomic'
import type { Geometry } from '../../shared/api'
import { saveLabelEditRequest } from '../../shared/schema'
import { TOTALSEG } from '../helpers/guideFolders'
import { hashTree, readImage, readNiftiHeader } from '../helpers/nifti'

const CT = join(TOTALSEG, 'ct_small', 'ct.nii.gz')
const MASKS = join(TOTALSEG, 'ct_small', 'masks')

let tmp: string
let scans: string
let predictions: string
let prediction: string
let ct: Image
let merged: Uint8Array

const geometryOf = (img: Image): Geometry => ({ size: img.size, spacing: img.spacing, origin: img.origin, direction: Array.from(img.direction as Float64Array) })

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'label-edit-'))
  scans = join(tmp, 'scans')
  predictions = join(tmp, 'predictions')
  await mkdir(scans)
  await mkdir(predictions)
  ct = await readImage(CT)
  const liver = (await readImage(join(MASKS, 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(MASKS, 'spleen.nii.gz'))).data as ArrayLike<number>
  merged = new Uint8Array(liver.length)
  for (let i = 0; i < merged.length; i++) merged[i] = spleen[i] ? 2 : liver[i] ? 1 : 0
  await copyFile(CT, join(scans, 'abdomen_001_0000.nii.gz'))
  prediction = join(predictions, 'abdomen_001.nii.gz')
  await writeNiftiGz(prediction, geometryOf(ct), merged, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

/** Flat index (x fastest) of a voxel of the CT. */
const at = (x: number, y: number, z: number) => x + ct.size[0]! * (y + ct.size[1]! * z)

/** The first liver voxel and the first empty voxel after it, on a row, as runs a pen and an eraser would make. */
function editRuns(): { runs: ChangeRun[]; expected: Uint8Array } {
  const firstLiver = merged.indexOf(1)
  expect(firstLiver).toBeGreaterThan(0)
  // Erase 30 voxels from the first liver voxel on (some may be background already: those do not count).
  const erase: ChangeRun = { start: firstLiver, length: 30, value: 0 }
  // Paint spleen (2) over a 5x5 block in the middle slice: background and whatever else is there.
  const z = Math.floor(ct.size[2]! / 2)
  const paint: ChangeRun[] = []
  for (let y = 10; y < 15; y++) paint.push({ start: at(10, y, z), length: 5, value: 2 })
  const runs = [erase, ...paint].sort((a, b) => a.start - b.start)
  const expected = merged.slice()
  for (const r of runs) expected.fill(r.value, r.start, r.start + r.length)
  return { runs, expected }
}

describe('saveLabelEdit: a corrected prediction', () => {
  it('writes corrected/<name> on the scan grid, differing from the prediction exactly where the runs changed it, with the counts per label', async () => {
    const before = await hashTree(tmp)
    const { runs, expected } = editRuns()
    const req = saveLabelEditRequest.parse({ target: 'prediction', image: join(scans, 'abdomen_001_0000.nii.gz'), label: prediction, changes: encodeChanges(runs) })
    const t0 = performance.now()
    const r = await saveLabelEdit(req, { sourceFolders: [scans] })
    const ms = performance.now() - t0
    expect(r.path).toBe(correctedPathFor(prediction))
    expect(r.path).toBe(join(predictions, 'corrected', 'abdomen_001.nii.gz'))
    expect(r.base).toBe(prediction)

    // Independent count of what changed, per label.
    let changed = 0
    const added = new Map<number, number>()
    const removed = new Map<number, number>()
    for (let i = 0; i < merged.length; i++) {
      if (merged[i] === expected[i]) continue
      changed++
      added.set(expected[i]!, (added.get(expected[i]!) ?? 0) + 1)
      removed.set(merged[i]!, (removed.get(merged[i]!) ?? 0) + 1)
    }
    expect(changed).toBeGreaterThan(20)
    expect(r.changed).toBe(changed)
    expect(r.perLabel).toEqual(
      [1, 2].filter((v) => added.has(v) || removed.has(v)).map((v) => ({ value: v, name: v === 1 ? 'liver' : 'spleen', added: added.get(v) ?? 0, removed: removed.get(v) ?? 0 })),
    )

    // Read back through itk-wasm: same grid as the CT, exactly the expected voxels.
    const saved = await readImage(r.path)
    expect(saved.size).toEqual(ct.size)
    for (let i = 0; i < 3; i++) expect(saved.spacing[i]).toBeCloseTo(ct.spacing[i]!, 4)
    for (let i = 0; i < 3; i++) expect(saved.origin[i]).toBeCloseTo(ct.origin[i]!, 3)
    const data = saved.data as Uint8Array
    let diff = 0
    for (let i = 0; i < data.length; i++) if (data[i] !== expected[i]) diff++
    expect(diff).toBe(0)
    expect((await readNiftiHeader(r.path)).intentCode).toBe(NIFTI_INTENT_LABEL)

    // The prediction and the scan are untouched; the only new file is the corrected copy, no temp file left.
    const after = await hashTree(tmp)
    expect(Object.keys(after).filter((p) => !(p in before))).toEqual([r.path])
    for (const [p, h] of Object.entries(before)) expect(after[p]).toBe(h)
    console.log(`saveLabelEdit on ${ct.size.join('x')}: ${ms.toFixed(0)} ms, ${r.changed} voxels changed`)
  })

  it('a second save of the corrected copy continues it', async () => {
    const out = correctedPathFor(prediction)
    const first = (await readImage(out)).data as Uint8Array
    const i = first.indexOf(2)
    const r = await saveLabelEdit(saveLabelEditRequest.parse({ target: 'prediction', image: join(scans, 'abdomen_001_0000.nii.gz'), label: out, changes: encodeChanges([{ start: i, length: 1, value: 0 }]) }), { sourceFolders: [] })
    expect(r.base).toBe(out)
    expect(r.changed).toBe(1)
    expect(r.perLabel).toEqual([{ value: 2, name: 'spleen', added: 0, removed: 1 }])
    const second = (await readImage(out)).data as Uint8Array
    let diff = 0
    for (let k = 0; k < second.length; k++) if (second[k] !== first[k]) diff++
    expect(diff).toBe(1)
    expect(second[i]).toBe(0)
  })

  it('refuses, by name, a prediction folder inside a source folder, and writes nothing', async () => {
    const before = await hashTree(tmp)
    const req = saveLabelEditRequest.parse({ target: 'prediction', image: join(scans, 'abdomen_001_0000.nii.gz'), label: prediction, changes: encodeChanges(editRuns().runs) })
    await expect(saveLabelEdit(req, { sourceFolders: [tmp] })).rejects.toThrow(`lies inside the source folder ${tmp}`)
    expect(await hashTree(tmp)).toEqual(before)
  })

  it('a write that fails leaves no temporary file and the prediction as it was', async () => {
    const other = join(tmp, 'other')
    await mkdir(join(other, 'corrected', 'abdomen_001.nii.gz'), { recursive: true })
    await copyFile(prediction, join(other, 'abdomen_001.nii.gz'))
    const req = saveLabelEditRequest.parse({ target: 'prediction', image: join(scans, 'abdomen_001_0000.nii.gz'), label: join(other, 'abdomen_001.nii.gz'), changes: encodeChanges(editRuns().runs) })
    await expect(saveLabelEdit(req, { sourceFolders: [] })).rejects.toThrow()
    expect((await readdir(join(other, 'corrected'))).filter((n) => n.includes(TEMP_MARKER))).toEqual([])
    expect(await readFile(join(other, 'abdomen_001.nii.gz'))).toEqual(await readFile(prediction))
  })

  it('refuses a label map off the scan grid (shifted 5 mm), by name, and writes nothing', async () => {
    const shifted = join(tmp, 'shifted')
    await mkdir(shifted)
    const g = geometryOf(ct)
    await writeNiftiGz(join(shifted, 'abdomen_001.nii.gz'), { ...g, origin: [g.origin[0]! + 5, g.origin[1]!, g.origin[2]!] }, merged, { intentCode: NIFTI_INTENT_LABEL })
    const before = await hashTree(tmp)
    const req = saveLabelEditRequest.parse({ target: 'prediction', image: join(scans, 'abdomen_001_0000.nii.gz'), label: join(shifted, 'abdomen_001.nii.gz'), changes: encodeChanges(editRuns().runs) })
    await expect(saveLabelEdit(req, { sourceFolders: [] })).rejects.toThrow('The label map abdomen_001.nii.gz is not on the grid of the scan abdomen_001_0000.nii.gz')
    expect(await hashTree(tmp)).toEqual(before)
  })

  it('refuses runs made for another volume or out of order', () => {
    expect(() => decodeChanges(encodeChanges([{ start: 5, length: 10, value: 1 }]), 10)).toThrow(/outside the 10 voxels/)
    expect(() => decodeChanges(encodeChanges([{ start: 5, length: 2, value: 1 }, { start: 6, length: 1, value: 1 }]), 100)).toThrow(/out of order/)
    expect(() => decodeChanges(Buffer.from([1, 2, 3]).toString('base64'), 100)).toThrow(/whole number of runs/)
    expect(() => decodeChanges(encodeChanges([{ start: 0, length: 1, value: 256 }]), 100)).toThrow(/1 to 255/)
    const a = applyChanges(new Uint8Array([0, 1, 1, 2]), decodeChanges(encodeChanges([{ start: 0, length: 3, value: 1 }]), 4))
    expect(Array.from(a.data)).toEqual([1, 1, 1, 2])
    expect(a.changed).toBe(1)
  })
})
