// The DICOM series choice of the Sources step (issue 20, item 2) reaches every case: the project's
// "dicom" form becomes the source spec's dicomSeries / dicomSeriesByCase, and each case's input
// for Check, Preview and Write carries its own choice.
import { describe, expect, it } from 'vitest'
import { DICOM_FORM, sourceSpecOf } from '../../renderer/store/projectStore'
import { caseInput } from '../../electron/dataset/validate'
import { sourceSpec } from '../../shared/api/dataset'

describe('DICOM series choice', () => {
  const base = { imagesDir: '/data/dicom', labels: [{ name: 'body', dir: '/data/body', color: [255, 0, 0] as [number, number, number] }], allowMissingMask: false }

  it('a pattern and a per-case series from the project form go into the source spec and each case input', () => {
    const spec = sourceSpec.parse(sourceSpecOf({ ...base, forms: { [DICOM_FORM]: { series: ' bone ', byCase: { 'pat-2': '1.2.3.4', 'pat-3': '' } } } }))
    expect(spec.dicomSeries).toBe('bone')
    expect(spec.dicomSeriesByCase).toEqual({ 'pat-2': '1.2.3.4' })
    const one = caseInput(spec, { caseKey: 'pat-1', image: '/data/dicom/pat-1', masks: [null] })
    const two = caseInput(spec, { caseKey: 'pat-2', image: '/data/dicom/pat-2', masks: [null] })
    expect(one).toMatchObject({ dicomSeries: 'bone' })
    expect(one.dicomSeriesUid).toBeUndefined()
    expect(two).toMatchObject({ dicomSeries: 'bone', dicomSeriesUid: '1.2.3.4' })
  })

  it('no form, no choice: the spec stays as it was', () => {
    const spec = sourceSpecOf(base)!
    expect('dicomSeries' in spec).toBe(false)
    expect('dicomSeriesByCase' in spec).toBe(false)
  })
})
