import { describe, expect, it } from 'vitest'
import { editorLabels } from '../../renderer/steps/review/editorLabels'

describe('editorLabels: the Review editor labels of a case', () => {
  it('a label the model knows but did not predict here gets its own colour, not another label’s', () => {
    // The region-tools case: the prediction holds spleen only; the model knows liver and spleen.
    const labels = editorLabels([{ name: 'spleen', value: 2, color: [0, 255, 0] }], [{ name: 'liver', value: 1 }, { name: 'spleen', value: 2 }], [])
    expect(labels).toEqual([
      { name: 'liver', value: 1, color: [255, 0, 0] },
      { name: 'spleen', value: 2, color: [0, 255, 0] },
    ])
  })
  it('the project’s colour wins where the project has the label', () => {
    const labels = editorLabels([], [{ name: 'liver', value: 1 }], [{ name: 'liver', color: [10, 20, 30] }])
    expect(labels).toEqual([{ name: 'liver', value: 1, color: [10, 20, 30] }])
  })
})
