// Predict's model and folders when the form holds nothing typed: the rule Predict shows and Review
// lists by (issue 21: Review's Predictions field stayed empty after a prediction to the default
// folder, since the form holds null there).
import { describe, expect, it } from 'vitest'
import type { FolderStatus, TrainedModel } from '../../shared/api'
import { resolvePredictFolders } from '../../renderer/steps/predict/predictFolders'

const results = '/n/nnUNet_results'
const model = (trainer: string, modifiedAt: number, finished: string[] = ['0']): TrainedModel => ({
  datasetId: 621,
  dataset: 'Dataset621_Loop',
  configuration: '2d',
  trainer,
  plans: 'nnUNetPlans',
  folder: `${results}/Dataset621_Loop/${trainer}__nnUNetPlans__2d`,
  folds: ['0'],
  finished,
  modifiedAt,
})
const status = (trainings: TrainedModel[]): FolderStatus => ({
  version: 'v2',
  env: {},
  exists: {},
  datasets: [{ id: 621, name: 'Dataset621_Loop', where: ['raw'], imagesTs: '/n/nnUNet_raw/Dataset621_Loop/imagesTs', predictionsRoot: `${results}/Dataset621_Loop/predictions` }],
  trainings,
})
const none = { model: null, input: null, output: null }

describe('Predict folders, as Predict and Review show them', () => {
  it('follow the newest finished model and its dataset when nothing is typed', () => {
    const r = resolvePredictFolders(none, status([model('Old', 1), model('New', 2), model('Training', 3, [])]))
    expect(r.model?.trainer).toBe('New')
    expect(r.models.map((m) => m.trainer)).toEqual(['New', 'Old', 'Training'])
    expect(r.input).toBe('/n/nnUNet_raw/Dataset621_Loop/imagesTs')
    expect(r.output).toBe(`${results}/Dataset621_Loop/predictions/New__nnUNetPlans__2d/imagesTs`)
  })

  it('name the default output after a typed input, for the chosen model', () => {
    const old = model('Old', 1)
    const r = resolvePredictFolders({ model: old.folder, input: '/study/unlabelled', output: null }, status([old, model('New', 2)]))
    expect(r.model?.trainer).toBe('Old')
    expect(r.input).toBe('/study/unlabelled')
    expect(r.output).toBe(`${results}/Dataset621_Loop/predictions/Old__nnUNetPlans__2d/unlabelled`)
  })

  it('keep what was typed, and give empty folders when nothing is known', () => {
    expect(resolvePredictFolders({ model: null, input: '/in', output: '/out' }, status([model('New', 2)]))).toMatchObject({ input: '/in', output: '/out' })
    expect(resolvePredictFolders(none, null)).toEqual({ models: [], input: '', output: '' })
    // A typed input without any model: no default output to name.
    expect(resolvePredictFolders({ ...none, input: '/in' }, status([]))).toMatchObject({ input: '/in', output: '' })
  })
})
