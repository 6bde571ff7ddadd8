// addCaseToDataset (electron/dataset/addCase.ts) on a small dataset folder made of the real
// ct_small CT and its liver mask, without a wizard manifest (a dataset made by hand): the record
// then goes to nnunet_wizard_added.json; splits come through the callback. Also the case-id rule
// and the label table of a prediction folder's dataset.json (regions included).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCaseToDataset, ADDED_CASES_FILE, nextCaseId } from '../../electron/dataset/addCase'
import { labelsOfDatasetJson } from '../../electron/results/reviewCases'
import * as s from '../../shared/schema'
import { TOTALSEG } from '../helpers/guideFolders'

const CT = join(TOTALSEG, 'ct_small')

describe('nextCaseId', () => {
  it('continues the dataset’s own PREFIX_NUMBER naming, keeping the digit count', () => {
    expect(nextCaseId(['liver_001', 'liver_002', 'liver_007'])).toBe('liver_008')
    expect(nextCaseId(['BraTS_0099', 'BraTS_0100'])).toBe('BraTS_0101')
    expect(nextCaseId(['a_1', 'a_2'])).toBe('a_003')
    expect(nextCaseId([])).toBeUndefined()
    expect(nextCaseId(['scan'])).toBeUndefined()
  })
})

describe('labelsOfDatasetJson', () => {
  it('reads v2 name -> value, MSD value -> name, and regions by regions_class_order', () => {
    expect(labelsOfDatasetJson({ labels: { background: 0, liver: 1, spleen: 2 } })!.labels).toEqual([{ name: 'liver', value: 1 }, { name: 'spleen', value: 2 }])
    expect(labelsOfDatasetJson({ labels: { '0': 'background', '1': 'liver' } })!.labels).toEqual([{ name: 'liver', value: 1 }])
    const r = labelsOfDatasetJson({ labels: { background: 0, whole_tumor: [1, 2, 3], tumor_core: [2, 3], enhancing: 3 }, regions_class_order: [1, 2, 3] })!
    expect(r.regions).toBe(true)
    expect(r.labels).toEqual([{ name: 'whole_tumor', value: 1 }, { name: 'tumor_core', value: 2 }, { name: 'enhancing', value: 3 }])
  })
})

describe('addCaseToDataset on a hand-made dataset', () => {
  let tmp: string
  let ds: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-add-unit-'))
    ds = join(tmp, 'raw', 'Dataset077_Liver')
    await mkdir(join(ds, 'imagesTr'), { recursive: true })
    await mkdir(join(ds, 'labelsTr'), { recursive: true })
    for (const id of ['ct_001', 'ct_002']) {
      await copyFile(join(CT, 'ct.nii.gz'), join(ds, 'imagesTr', `${id}_0000.nii.gz`))
      await copyFile(join(CT, 'masks', 'liver.nii.gz'), join(ds, 'labelsTr', `${id}.nii.gz`))
    }
    await writeFile(join(ds, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1 }, numTraining: 2, file_ending: '.nii.gz', name: 'Liver' }, null, 4))
    await mkdir(join(tmp, 'accepted'))
    await copyFile(join(CT, 'ct.nii.gz'), join(tmp, 'accepted', 'scan_0000.nii.gz'))
    await copyFile(join(CT, 'masks', 'liver.nii.gz'), join(tmp, 'accepted', 'label.nii.gz'))
    await copyFile(join(CT, 'masks', 'spleen.nii.gz'), join(tmp, 'accepted', 'prediction.nii.gz'))
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const opts = (folds: number[]) => ({ datasetDir: ds, lockKey: 'Dataset077', assignFold: async () => ({ fold: folds.shift()!, file: '/pre/splits_final.json' }) })

  it('refuses a second channel the dataset does not have, and a label file outside the dataset’s ending, before writing', async () => {
    const image = join(tmp, 'accepted', 'scan_0000.nii.gz')
    await expect(addCaseToDataset(s.addToDatasetRequest.parse({ datasetId: 77, image: [image, image], label: join(tmp, 'accepted', 'label.nii.gz') }), opts([0]))).rejects.toThrow(/has 1 channel per case .*2 scan files were given/)
    await expect(addCaseToDataset(s.addToDatasetRequest.parse({ datasetId: 77, image, label: join(CT, 'ct.nii.gz') + '.nrrd' }), opts([0]))).rejects.toThrow(/does not exist/)
    await expect(addCaseToDataset(s.addToDatasetRequest.parse({ datasetId: 77, image, label: join(ds, 'labelsTr', 'ct_001.nii.gz') }), opts([0]))).rejects.toThrow(/inside the dataset's labelsTr/)
    expect(await readdir(join(ds, 'imagesTr'))).toHaveLength(2)
  })

  it('takes back the files and dataset.json when the folds cannot be extended (no half case for nnU-Net)', async () => {
    const json = await readFile(join(ds, 'dataset.json'), 'utf8')
    const failing = { datasetDir: ds, lockKey: 'Dataset077', assignFold: async () => Promise.reject(new Error('splits_final.json cannot be extended: not a list')) }
    await expect(addCaseToDataset(s.addToDatasetRequest.parse({ datasetId: 77, image: join(tmp, 'accepted', 'scan_0000.nii.gz'), label: join(tmp, 'accepted', 'label.nii.gz') }), failing)).rejects.toThrow(/cannot be extended/)
    expect(await readdir(join(ds, 'imagesTr'))).toEqual(['ct_001_0000.nii.gz', 'ct_002_0000.nii.gz'])
    expect(await readdir(join(ds, 'labelsTr'))).toEqual(['ct_001.nii.gz', 'ct_002.nii.gz'])
    expect(await readFile(join(ds, 'dataset.json'), 'utf8')).toBe(json)
  })

  it('adds ct_003 with the voxels added and removed against the prediction, recorded beside the dataset', async () => {
    const r = await addCaseToDataset(
      s.addToDatasetRequest.parse({ datasetId: 77, image: join(tmp, 'accepted', 'scan_0000.nii.gz'), label: join(tmp, 'accepted', 'label.nii.gz'), prediction: join(tmp, 'accepted', 'prediction.nii.gz') }),
      { ...opts([3]), origin: { datasetId: 77, trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', configuration: '3d_fullres', folds: [0] } },
    )
    expect(r.caseId).toBe('ct_003')
    expect(r.numTraining).toBe(3)
    expect(JSON.parse(await readFile(join(ds, 'dataset.json'), 'utf8'))).toMatchObject({ numTraining: 3, name: 'Liver' })
    // The "prediction" is the spleen mask and the label the liver's: every liver voxel was added, every spleen voxel (predicted as label 1) removed.
    const [liverVoxels, spleenVoxels] = await Promise.all(['liver', 'spleen'].map(async (m) => {
      const { readVolume } = await import('../../electron/imaging/volume')
      return Array.from((await readVolume(join(CT, 'masks', `${m}.nii.gz`))).data as Uint8Array).filter((v) => v !== 0).length
    }))
    expect(r.record.changes).toEqual([{ name: 'liver', value: 1, added: liverVoxels, removed: spleenVoxels }])
    expect(r.record.fold).toBe(3)
    const file = JSON.parse(await readFile(join(ds, ADDED_CASES_FILE), 'utf8')) as { added: Record<string, s.AddedCaseRecord> }
    expect(file.added.ct_003).toMatchObject({ caseId: 'ct_003', fold: 3, origin: { trainer: 'nnUNetTrainer' }, changes: r.record.changes })
    expect(await readdir(join(ds, 'imagesTr'))).toEqual(['ct_001_0000.nii.gz', 'ct_002_0000.nii.gz', 'ct_003_0000.nii.gz'])
    // No temporary file left behind anywhere in the dataset.
    for (const d of [ds, join(ds, 'imagesTr'), join(ds, 'labelsTr')]) expect((await readdir(d)).filter((n) => n.includes('tmp'))).toEqual([])
  })
})
