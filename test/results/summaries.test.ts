// nnU-Net's result files as the results and plan cards read them. The real files of a real
// training are read in test/nnunet/nnunetV2.integration.test.ts; here the shapes a 2-epoch CPU run
// does not produce: NaN written by Python's json, v1's validation_raw layout, region keys, a
// configuration that inherits from another.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { labelName, labelsOfDatasetJson, parsePythonJson, plansOf, readValidationSummary } from '../../electron/nnunet/summaries'
import { validationLines } from '../../electron/cli/train'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-summaries-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const labels = [
  { name: 'aorta', value: 1 },
  { name: 'false lumen', value: 2 },
]

describe('validation summary', () => {
  it('reads v2 fold_N/validation/summary.json with a NaN Dice (Python json) per named label', async () => {
    const fold = join(dir, 'v2', 'fold_0')
    await mkdir(join(fold, 'validation'), { recursive: true })
    // As nnU-Net v2 writes it: json.dump(..., indent=4) with NaN for a label in neither reference nor prediction.
    const text = `{
    "foreground_mean": {"Dice": 0.41, "IoU": 0.3},
    "mean": {
        "1": {"Dice": 0.82, "FN": 10, "FP": 3, "IoU": 0.7, "TN": 1000, "TP": 90, "n_pred": 93, "n_ref": 100},
        "2": {"Dice": NaN, "FN": 0, "FP": 0, "IoU": NaN, "TN": 1103, "TP": 0, "n_pred": 0, "n_ref": 0}
    },
    "metric_per_case": [{"prediction_file": "a"}, {"prediction_file": "b"}]
}`
    await writeFile(join(fold, 'validation', 'summary.json'), text)
    const v = await readValidationSummary(fold, 'v2', labels)
    expect(v).toEqual({
      file: join(fold, 'validation', 'summary.json'),
      labels: [
        { key: '1', name: 'aorta', dice: 0.82 },
        { key: '2', name: 'false lumen', dice: null },
      ],
      mean: 0.41,
      cases: 2,
    })
  })

  it('reads v1 validation_raw/summary.json, leaving out the background', async () => {
    const fold = join(dir, 'v1', 'fold_0')
    await mkdir(join(fold, 'validation_raw'), { recursive: true })
    const json = { results: { all: [{}, {}, {}], mean: { '0': { Dice: 0.99 }, '1': { Dice: 0.8 }, '2': { Dice: 0.02 } } }, task: 'Task005' }
    await writeFile(join(fold, 'validation_raw', 'summary.json'), JSON.stringify(json))
    const v = (await readValidationSummary(fold, 'v1', labels))!
    expect(v.labels).toEqual([
      { key: '1', name: 'aorta', dice: 0.8 },
      { key: '2', name: 'false lumen', dice: 0.02 },
    ])
    expect(v.mean).toBeCloseTo(0.41, 10)
    expect(v.cases).toBe(3)
  })

  it('names region keys and unknown values, and is undefined without a summary', async () => {
    const fold = join(dir, 'regions', 'fold_0')
    await mkdir(join(fold, 'validation'), { recursive: true })
    await writeFile(join(fold, 'validation', 'summary.json'), JSON.stringify({ mean: { '(1, 2)': { Dice: 0.5 }, '3': { Dice: 0.1 } }, foreground_mean: { Dice: 0.3 }, metric_per_case: [] }))
    expect((await readValidationSummary(fold, 'v2', labels))!.labels.map((l) => l.name)).toEqual(['label 3', 'region (1, 2)'])
    expect(await readValidationSummary(join(dir, 'none'), 'v2', labels)).toBeUndefined()
  })

  it('names a region by its dataset.json entry: the keys nnU-Net scored a region-based training under', async () => {
    // The dataset.json prepare --regions writes (test/nnunet/regionsIgnore.integration.test.ts), and
    // the keys of that training's summary.json: (1, 2) is the liver region (liver + lesion).
    const regions = labelsOfDatasetJson({ labels: { background: 0, liver: [1, 2], lesion: 2, spleen: 3 }, regions_class_order: [1, 2, 3] })
    expect(regions).toEqual([
      { name: 'liver', value: 1, region: [1, 2] },
      { name: 'lesion', value: 2 },
      { name: 'spleen', value: 3 },
    ])
    const fold = join(dir, 'named-regions', 'fold_0')
    await mkdir(join(fold, 'validation'), { recursive: true })
    await writeFile(join(fold, 'validation', 'summary.json'), JSON.stringify({ mean: { '(1, 2)': { Dice: 0.9 }, '2': { Dice: 0.4 }, '3': { Dice: 0.8 } }, foreground_mean: { Dice: 0.7 }, metric_per_case: [] }))
    expect((await readValidationSummary(fold, 'v2', regions))!.labels.map((l) => l.name)).toEqual(['liver', 'lesion', 'spleen'])
    // A one-value region is printed as Python's one-tuple; the ignore label is not a class.
    const one = labelsOfDatasetJson({ labels: { background: 0, tumour: [3], ignore: 4 }, regions_class_order: [3] })
    expect(one).toEqual([{ name: 'tumour', value: 3, region: [3] }])
    expect(labelName('(3,)', one)).toBe('tumour')
    expect(labelName('(1, 2)', one)).toBe('region (1, 2)')
  })

  it('keeps NaN inside strings as it is', () => {
    expect(parsePythonJson('{"name": "NaN, Infinity", "x": [NaN, -Infinity, 1]}')).toEqual({ name: 'NaN, Infinity', x: [null, null, 1] })
  })
})

describe('dataset labels', () => {
  it('reads v2 (name -> value) and MSD (value -> name) tables without background or regions', () => {
    expect(labelsOfDatasetJson({ labels: { background: 0, spleen: 2, liver: 1, both: [1, 2] } })).toEqual([
      { name: 'liver', value: 1 },
      { name: 'spleen', value: 2 },
    ])
    expect(labelsOfDatasetJson({ labels: { '0': 'background', '1': 'aorta' } })).toEqual([{ name: 'aorta', value: 1 }])
  })
})

describe('plans summary', () => {
  it('resolves inherits_from and names the previous stage of the cascade', () => {
    const plans = plansOf(
      {
        plans_name: 'nnUNetPlans',
        configurations: {
          '2d': { batch_size: 12, patch_size: [192, 160], spacing: [0.8, 0.8], normalization_schemes: ['CTNormalization'], median_image_size_in_voxels: [210, 180] },
          '3d_fullres': { batch_size: 2, patch_size: [96, 160, 128], spacing: [2.5, 0.8, 0.8], normalization_schemes: ['CTNormalization'] },
          '3d_lowres': { inherits_from: '3d_fullres', spacing: [3.1, 1.6, 1.6], patch_size: [80, 128, 112], next_stage: '3d_cascade_fullres' },
          '3d_cascade_fullres': { inherits_from: '3d_fullres', previous_stage: '3d_lowres' },
        },
      },
      '/p/nnUNetPlans.json',
    )
    expect(plans.configurations).toEqual([
      { name: '2d', spacing: [0.8, 0.8], patchSize: [192, 160], batchSize: 12, normalization: ['CTNormalization'], medianImageSize: [210, 180] },
      { name: '3d_fullres', spacing: [2.5, 0.8, 0.8], patchSize: [96, 160, 128], batchSize: 2, normalization: ['CTNormalization'] },
      { name: '3d_lowres', spacing: [3.1, 1.6, 1.6], patchSize: [80, 128, 112], batchSize: 2, normalization: ['CTNormalization'] },
      { name: '3d_cascade_fullres', spacing: [2.5, 0.8, 0.8], patchSize: [96, 160, 128], batchSize: 2, normalization: ['CTNormalization'], previousStage: '3d_lowres' },
    ])
    expect(() => plansOf({ foo: 1 }, '/x.json')).toThrow('/x.json has no "configurations"')
  })
})

describe('the CLI summary of a finished training', () => {
  it('names each label with its final Dice and warns for those at zero or near it', () => {
    const validation = { file: '/f', cases: 1, mean: 0.41, labels: [{ key: '1', name: 'aorta', dice: 0.82 }, { key: '2', name: 'false lumen', dice: 0.001 }] }
    expect(validationLines({ validation })).toEqual([
      'Final validation Dice (1 case): aorta 0.820, false lumen 0.001; mean 0.410',
      'warning: false lumen at zero or near it: the model has not learned it yet (train longer, or check the masks).',
    ])
    expect(validationLines({ trainer: 'x' })).toEqual([])
  })
})
