// Which structure file a case takes (issue 20, item 4): the one of the label's kind that
// references the case's series and holds one of the label's names; never chosen by file name.
import { describe, expect, it } from 'vitest'
import type { DicomStructureInfo } from '../../shared/api/dicom'
import { pickStructureFile } from '../../electron/dataset/structureMask'

const file = (name: string, kind: 'rtstruct' | 'seg', series: string | null, names: string[]): DicomStructureInfo => ({ kind, file: `/rs/${name}`, sopInstanceUid: name, seriesInstanceUid: `s-${name}`, seriesDescription: '', referencedSeriesUid: series, frameOfReferenceUid: '1', names })

describe('pickStructureFile', () => {
  const files = [file('caseA.dcm', 'rtstruct', '2.2', ['Liver']), file('x', 'rtstruct', '1.1', ['LIVER', 'GTV']), file('seg', 'seg', '1.1', ['Liver'])]

  it('takes the file on the case’s series, whatever its name', () => {
    expect(pickStructureFile(files, { kind: 'rtstruct', names: 'liver' }, '1.1', '/rs')).toEqual({ file: '/rs/x' })
    expect(pickStructureFile(files, { kind: 'seg', names: 'hepar|liver' }, '1.1', '/rs')).toEqual({ file: '/rs/seg' })
  })

  it('says what is there when none fits', () => {
    expect(pickStructureFile(files, { kind: 'rtstruct', names: 'Spleen' }, '1.1', '/rs')).toEqual({ missing: 'the structure set (RTSTRUCT) file in /rs that references this case\'s series (x) has no ROI named "Spleen" (ROIs there: LIVER, GTV)' })
    expect(pickStructureFile(files, { kind: 'rtstruct', names: 'Liver' }, '9.9', '/rs')).toEqual({ missing: "no structure set (RTSTRUCT) in /rs references this case's series" })
  })

  it('refuses two files on one series that both hold the name, naming both', () => {
    const two = [...files, file('y', 'rtstruct', '1.1', ['liver'])]
    const pick = pickStructureFile(two, { kind: 'rtstruct', names: 'Liver' }, '1.1', '/rs')
    expect(pick).toMatchObject({ files: ['/rs/x', '/rs/y'] })
    expect((pick as { ambiguous: string }).ambiguous).toMatch(/^2 structure set \(RTSTRUCT\) files in \/rs reference this case's series and hold "Liver": .*x.*y/)
  })
})
