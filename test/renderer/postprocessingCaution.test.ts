import { describe, expect, it } from 'vitest'
import { postprocessingCaution } from '../../renderer/lib/postprocessingCaution'

describe('postprocessingCaution: determine_postprocessing on fewer folds than the splits', () => {
  it('cautions when one fold of five is the basis', () => {
    expect(postprocessingCaution([0], 5, true)).toBe(
      'Determined from fold 0 only (1 of the 5 cross-validation folds): a weak basis, its choice rests on few validation cases and may remove true structures on others. Train the other folds and determine it again before relying on it.',
    )
  })
  it('says "would be" before it is determined, and lists several folds', () => {
    expect(postprocessingCaution([2, 0], 5, false)).toMatch(/^Would be determined from folds 0, 2 only \(2 of the 5 cross-validation folds\)/)
  })
  it('is silent when every fold of the splits is used (a 3-fold splits file included)', () => {
    expect(postprocessingCaution([0, 1, 2, 3, 4], 5, true)).toBeNull()
    expect(postprocessingCaution([0, 1, 2], 3, true)).toBeNull()
    expect(postprocessingCaution([], 5, false)).toBeNull()
  })
})
