import { describe, expect, it } from 'vitest'
import { naturalCompare, naturalSort } from '../../shared/naturalSort'
import {
  caseIdDigits,
  checkDatasetId,
  checkDatasetName,
  checkLabelNames,
  checkPrefix,
  checkSplit,
  composeDatasetFolderName,
  defaultPrefix,
  imagePathFor,
  planCases,
  splitCases,
  testCountFor,
  treePreview,
} from '../../shared/layout'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { defaultLabelColor } from '../../shared/labelColors'
import { datasetJsonMsd, datasetJsonV2, datasetMetadata } from '../../shared/schema'

describe('natural sort', () => {
  it('orders numbers by value, not by character', () => {
    expect(naturalSort(['image-10', 'image-2', 'image-1', 'image-100', 'image-20'])).toEqual(['image-1', 'image-2', 'image-10', 'image-20', 'image-100'])
  })
  it('handles mixed prefixes, zero padding, case and huge numbers', () => {
    expect(naturalSort(['b1', 'a10', 'A2', 'a2'])).toEqual(['A2', 'a2', 'a10', 'b1'])
    expect(naturalCompare('case007', 'case7')).toBeGreaterThan(0)
    expect(naturalCompare('case007', 'case8')).toBeLessThan(0)
    expect(naturalCompare('x123456789012345678901234567890', 'x123456789012345678901234567891')).toBeLessThan(0)
    expect(naturalCompare('same', 'same')).toBe(0)
  })
})

describe('dataset ids and names', () => {
  it('names folders as each nnU-Net expects', () => {
    expect(composeDatasetFolderName('nnunet-v2', 7, 'Aorta')).toBe('Dataset007_Aorta')
    expect(composeDatasetFolderName('nnunet-v2', 123, 'Aorta')).toBe('Dataset123_Aorta')
    expect(composeDatasetFolderName('msd', 7, 'Pancreas')).toBe('Task07_Pancreas')
  })
  it('enforces v2 1-999 and MSD/v1 1-99', () => {
    expect(checkDatasetId('nnunet-v2', 1)).toEqual([])
    expect(checkDatasetId('nnunet-v2', 999)).toEqual([])
    expect(checkDatasetId('nnunet-v2', 0)[0]?.code).toBe('bad-id')
    expect(checkDatasetId('nnunet-v2', 1000)[0]?.code).toBe('bad-id')
    expect(checkDatasetId('msd', 99)).toEqual([])
    const f = checkDatasetId('msd', 100)
    expect(f[0]?.code).toBe('bad-id')
    expect(f[0]?.text).toMatch(/two-digit/)
    expect(f[0]?.hint).toMatch(/nnunet-v2/)
    expect(checkDatasetId('msd', 1.5)[0]?.code).toBe('bad-id')
  })
  it('accepts safe names only', () => {
    expect(checkDatasetName('Aorta')).toEqual([])
    expect(checkDatasetName('Brain_Tumour-2')).toEqual([])
    const bad = checkDatasetName('my data')
    expect(bad[0]?.code).toBe('bad-name')
    expect(bad[0]?.hint).toContain('my_data')
    expect(checkDatasetName('../evil')[0]?.code).toBe('bad-name')
    expect(checkDatasetName('数据')[0]?.code).toBe('bad-name')
  })
  it('rejects prefixes with "_" and derives a safe default', () => {
    expect(checkPrefix('aorta')).toEqual([])
    expect(checkPrefix('la-a')).toEqual([])
    const bad = checkPrefix('my_case')
    expect(bad[0]?.code).toBe('bad-prefix')
    expect(bad[0]?.text).toContain('"_"')
    expect(checkPrefix('a/b')[0]?.code).toBe('bad-prefix')
    expect(defaultPrefix('Liver_Tumor')).toBe('livertumor')
    expect(defaultPrefix('Aorta')).toBe('aorta')
    expect(defaultPrefix('数据')).toBe('case')
  })
  it('checks label names', () => {
    expect(checkLabelNames(['organ', 'tumor'])).toEqual([])
    expect(checkLabelNames(['background'])[0]?.code).toBe('bad-label-name')
    expect(checkLabelNames(['organ', 'Organ'])[0]?.code).toBe('duplicate-label')
    expect(checkLabelNames(['a"b'])[0]?.code).toBe('bad-label-name')
  })
})

describe('case ids and paths', () => {
  it('pads to three digits, more when needed', () => {
    expect(caseIdDigits(5)).toBe(3)
    expect(caseIdDigits(1500)).toBe(4)
  })
  it('adds the channel suffix in v2 only', () => {
    expect(imagePathFor('nnunet-v2', 'train', 'aorta_001')).toBe('imagesTr/aorta_001_0000.nii.gz')
    expect(imagePathFor('nnunet-v2', 'test', 'aorta_001')).toBe('imagesTs/aorta_001_0000.nii.gz')
    expect(imagePathFor('msd', 'train', 'aorta_001')).toBe('imagesTr/aorta_001.nii.gz')
  })
  it('plans cases in order, test labels in labelsTs (none with testLabels off)', () => {
    const cases = planCases(['image-1', 'image-2', 'image-10'], 'msd', 'laa', { testCount: 1, seed: 3 })
    expect(cases.map((c) => c.caseId)).toEqual(['laa_001', 'laa_002', 'laa_003'])
    expect(cases.filter((c) => c.split === 'test')).toHaveLength(1)
    for (const c of cases) expect(c.label).toBe(`${c.split === 'test' ? 'labelsTs' : 'labelsTr'}/${c.caseId}.nii.gz`)
    const off = planCases(['image-1', 'image-2', 'image-10'], 'msd', 'laa', { testCount: 1, seed: 3 }, false)
    for (const c of off) {
      if (c.split === 'test') expect(c.label).toBeNull()
      else expect(c.label).toBe(`labelsTr/${c.caseId}.nii.gz`)
    }
  })
})

describe('splits', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    const a = splitCases(20, { testCount: 5, seed: 1 })
    expect(splitCases(20, { testCount: 5, seed: 1 })).toEqual(a)
    expect(a.filter((s) => s === 'test')).toHaveLength(5)
    const others = [2, 3, 4, 5].map((seed) => splitCases(20, { testCount: 5, seed }).join())
    expect(others.some((o) => o !== a.join())).toBe(true)
  })
  it('computes counts from fractions and keeps a training case', () => {
    expect(testCountFor({ testFraction: 0.2 }, 10)).toBe(2)
    expect(testCountFor({ testCount: 3, testFraction: undefined }, 10)).toBe(3)
    expect(testCountFor({}, 10)).toBe(0)
    expect(splitCases(3, { testCount: 5, seed: 0 }).filter((s) => s === 'train')).toHaveLength(1)
    expect(checkSplit({ testCount: 3 }, 3)[0]?.code).toBe('bad-split')
    expect(checkSplit({ testCount: 1, testFraction: 0.5 }, 3)[0]?.code).toBe('bad-split')
    expect(checkSplit({ testCount: 2 }, 3)).toEqual([])
    expect(splitCases(4, { seed: 9 })).toEqual(['train', 'train', 'train', 'train'])
  })
})

describe('dataset.json', () => {
  const metadata = datasetMetadata.parse({ description: 'Pancreas and cancer segmentation', reference: 'MSKCC', licence: 'CC-BY-SA 4.0', release: '1.0 04/05/2018' })
  const cases = planCases(['a', 'b', 'c'], 'msd', 'pancreas', { testCount: 1, seed: 0 })

  it('builds the MSD file exactly as the guide', () => {
    const json = buildDatasetJsonMsd({ name: 'Pancreas', labels: ['pancreas', 'cancer'], metadata, cases })
    const train = cases.filter((c) => c.split === 'train')
    const test = cases.filter((c) => c.split === 'test')
    expect(json).toEqual({
      name: 'Pancreas',
      description: 'Pancreas and cancer segmentation',
      reference: 'MSKCC',
      licence: 'CC-BY-SA 4.0',
      release: '1.0 04/05/2018',
      tensorImageSize: '3D',
      modality: { '0': 'CT' },
      labels: { '0': 'background', '1': 'pancreas', '2': 'cancer' },
      numTraining: 2,
      numTest: 1,
      training: train.map((c) => ({ image: `./imagesTr/${c.caseId}.nii.gz`, label: `./labelsTr/${c.caseId}.nii.gz` })),
      test: test.map((c) => `./imagesTs/${c.caseId}.nii.gz`),
    })
    expect(Object.keys(json)).toEqual(['name', 'description', 'reference', 'licence', 'release', 'tensorImageSize', 'modality', 'labels', 'numTraining', 'numTest', 'training', 'test'])
    expect(datasetJsonMsd.parse(json)).toEqual(json)
  })

  it('builds the v2 file with channel_names, labels name->int and file_ending', () => {
    const v2cases = planCases(['a', 'b', 'c'], 'nnunet-v2', 'pancreas', { testCount: 1, seed: 0 })
    const json = buildDatasetJsonV2({ name: 'Pancreas', labels: ['pancreas', 'cancer'], metadata: { ...metadata, channelNames: ['CT', 'PET'] }, cases: v2cases })
    expect(json.channel_names).toEqual({ '0': 'CT', '1': 'PET' })
    expect(json.labels).toEqual({ background: 0, pancreas: 1, cancer: 2 })
    expect(json.numTraining).toBe(2)
    expect(json.file_ending).toBe('.nii.gz')
    expect(datasetJsonV2.parse(json)).toEqual(json)
  })

  it('previews the tree', () => {
    const many = planCases(Array.from({ length: 12 }, (_, i) => `image-${i + 1}`), 'nnunet-v2', 'aorta', { testCount: 2, seed: 0 })
    const tree = treePreview('Dataset001_Aorta', many)
    expect(tree[0]).toBe('Dataset001_Aorta/')
    expect(tree).toContain('├── imagesTr/ (10 files)')
    expect(tree).toContain('├── imagesTs/ (2 files)')
    expect(tree).toContain('├── labelsTr/ (10 files)')
    expect(tree).toContain('└── labelsTs/ (2 files)')
    expect(treePreview('Dataset001_Aorta', planCases(['a', 'b', 'c'], 'nnunet-v2', 'aorta', { testCount: 1, seed: 0 }, false))).toContain('└── labelsTr/ (2 files)')
    expect(tree.some((l) => l.includes('… 7 more'))).toBe(true)
  })
})

describe('label colours', () => {
  it('starts with the ITK-SNAP table and stays distinct beyond it', () => {
    expect(defaultLabelColor(0)).toEqual([0, 0, 0])
    expect(defaultLabelColor(1)).toEqual([255, 0, 0])
    expect(defaultLabelColor(2)).toEqual([0, 255, 0])
    const seen = new Set(Array.from({ length: 60 }, (_, i) => defaultLabelColor(i + 1).join()))
    expect(seen.size).toBe(60)
    for (let i = 1; i < 300; i++) for (const c of defaultLabelColor(i)) expect(c >= 0 && c <= 255 && Number.isInteger(c)).toBe(true)
  })
})
