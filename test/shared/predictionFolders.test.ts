// Where predictions go by default (issue 18 item 10): one folder per model and input under
// nnUNet_results/<dataset>/predictions, never inside the raw dataset (the old imagesTs_predicted
// left stray files in nnU-Net's dataset). The Node side's folder facts give the root that the
// Predict and Results steps build the default from; Results reads the same layout back, and
// predictions an older version wrote inside the dataset are still listed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, folderStatus } from '../../electron/nnunet/folders'
import { defaultTestFolders } from '../../electron/results/crossValidation'
import { isInside } from '../../electron/files/pathInside'
import { datasetPredictionsRoot, defaultPredictionFolder, LEGACY_TEST_PREDICTIONS, predictionFolderLabel } from '../../shared/predictionFolders'
import * as s from '../../shared/schema'

const model = { trainer: 'nnUNetTrainer_Wizard_2ep_2it', plans: 'nnUNetPlans', configuration: '2d' }

describe('the default prediction folder', () => {
  it('is <results>/<dataset>/predictions/<trainer>__<plans>__<configuration>/<input name>', () => {
    const root = datasetPredictionsRoot('/data/nnUNet_results/', 'Dataset501_Liver')
    expect(root).toBe('/data/nnUNet_results/Dataset501_Liver/predictions')
    expect(defaultPredictionFolder({ root, model, input: '/data/nnUNet_raw/Dataset501_Liver/imagesTs/' })).toBe(
      '/data/nnUNet_results/Dataset501_Liver/predictions/nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d/imagesTs',
    )
    // Another input or another model: another folder, so nothing is overwritten.
    expect(defaultPredictionFolder({ root, model, input: '/home/me/new-dicom' })).toBe(`${root}/nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d/new-dicom`)
    expect(defaultPredictionFolder({ root, model: { ...model, configuration: '3d_fullres' }, input: '/x/imagesTs' })).toBe(`${root}/nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__3d_fullres/imagesTs`)
    expect(defaultPredictionFolder({ root, model, input: '/' })).toBe(`${root}/nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d/input`)
  })

  it('keeps a Windows path in its own separators', () => {
    const root = datasetPredictionsRoot('C:\\nnUNet_results', 'Dataset501_Liver')
    expect(root).toBe('C:\\nnUNet_results\\Dataset501_Liver\\predictions')
    expect(defaultPredictionFolder({ root, model, input: 'C:\\nnUNet_raw\\Dataset501_Liver\\imagesTs' })).toBe(`${root}\\nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d\\imagesTs`)
  })

  it('names a test folder by its model and input under the root, else by its own name', () => {
    const root = '/r/Dataset501_Liver/predictions'
    expect(predictionFolderLabel(`${root}/m__p__2d/imagesTs`, root)).toBe('m__p__2d/imagesTs')
    expect(predictionFolderLabel('/raw/Dataset501_Liver/imagesTs_predicted/', root)).toBe('imagesTs_predicted')
    expect(predictionFolderLabel('/r/Dataset501_Liver/predictions_old/x', root)).toBe('x')
  })
})

describe('the folder facts and Results read the same layout', () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-pred-folders-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  for (const version of ['v2', 'v1'] as const) {
    it(`${version}: the Predict default for imagesTs lies under nnUNet_results, outside the raw dataset`, async () => {
      const f = await createFolders(join(tmp, version), version)
      const folder = version === 'v2' ? 'Dataset501_Liver' : 'Task501_Liver'
      const rawDir = version === 'v2' ? join(f.raw, folder) : join(f.raw, 'nnUNet_raw_data', folder)
      await mkdir(join(rawDir, 'imagesTs'), { recursive: true })
      const st = await folderStatus(s.settings.parse({ folders: f, nnunetVersion: version }))
      const d = st.datasets.find((x) => x.id === 501)!
      expect(d.imagesTs).toBe(join(rawDir, 'imagesTs'))
      expect(d.predictionsRoot).toBe(join(f.results, folder, 'predictions'))
      const out = defaultPredictionFolder({ root: d.predictionsRoot!, model, input: d.imagesTs! })
      expect(out).toBe(join(f.results, folder, 'predictions', 'nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d', 'imagesTs'))
      expect(isInside(out, rawDir)).toBe(false)
      expect(isInside(out, f.raw)).toBe(false)
    })
  }

  it('Results lists every model/input folder under the root and the older imagesTs_predicted inside the dataset', async () => {
    const raw = join(tmp, 'raw', 'Dataset501_Liver')
    const root = join(tmp, 'res', 'Dataset501_Liver', 'predictions')
    for (const d of [join(root, 'b__p__2d', 'imagesTs'), join(root, 'a__p__3d_fullres', 'imagesTs'), join(root, 'a__p__3d_fullres', 'other')]) await mkdir(d, { recursive: true })
    await writeFile(join(root, 'stray.txt'), '')
    expect(await defaultTestFolders(raw, root)).toEqual([
      join(raw, LEGACY_TEST_PREDICTIONS),
      join(root, 'a__p__3d_fullres', 'imagesTs'),
      join(root, 'a__p__3d_fullres', 'other'),
      join(root, 'b__p__2d', 'imagesTs'),
    ])
    // No root yet: only the older folder (left out later when it does not exist either).
    expect(await defaultTestFolders(raw, join(tmp, 'nowhere'))).toEqual([join(raw, LEGACY_TEST_PREDICTIONS)])
  })
})
