import { describe, expect, it } from 'vitest'
import { labelFieldErrors } from '../../renderer/steps/labels/labelFieldErrors'

describe('labelFieldErrors', () => {
  it('names the problem of each row in plain words, at that row', () => {
    expect(labelFieldErrors(['organ', 'Organ', '', 'background', 'tu"mor', 'tumor'])).toEqual([
      null,
      'Label 1 is already called "organ": each label needs its own name.',
      'Give this label a name, e.g. organ.',
      'A label cannot be named "background": value 0 is always background.',
      'Label name "tu"mor" is empty or contains quotes, backslashes or control characters.',
      null,
    ])
  })
})
