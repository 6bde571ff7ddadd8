// The prediction card counts only the .seg.nrrd files written for its own folder (FOLDER/slicer).
import { describe, expect, it } from 'vitest'
import { slicerResultFor } from '../../renderer/steps/predict/slicerResult'

describe('slicerResultFor', () => {
  const result = { folder: '/r/Dataset611_Results/predictions/m/imagesTs/slicer', files: ['a.seg.nrrd', 'b.seg.nrrd'] }
  it("shows the export of this prediction folder (with or without a trailing separator, Windows' too)", () => {
    expect(slicerResultFor('/r/Dataset611_Results/predictions/m/imagesTs', result)).toBe(result)
    expect(slicerResultFor('/r/Dataset611_Results/predictions/m/imagesTs/', result)).toBe(result)
    const win = { folder: 'D:\\p\\imagesTs\\slicer', files: [] }
    expect(slicerResultFor('D:\\p\\imagesTs', win)).toBe(win)
  })
  it("hides another run's export (another folder), and nothing when none ran", () => {
    expect(slicerResultFor('/r/Dataset611_Results/predictions/m/newpatients', result)).toBeUndefined()
    expect(slicerResultFor('/r/Dataset611_Results/predictions/m/imagesTs2', result)).toBeUndefined()
    expect(slicerResultFor('/r/x', undefined)).toBeUndefined()
  })
})
