// One palette: a label is drawn in the same colour in Preview (the project's label rows, coloured
// when a mask folder is added, sent with the preview request) and in the prediction view (the
// service colours a prediction's values itself). Both sides run for real: the preview of the
// guide's ct_small case (organ = liver, tumor = spleen) and viewFiles on a prediction merged from
// the same masks, written with the app's NIfTI writer next to a copy of the scan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { previewCase, viewFiles } from '../../electron/dataset'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { sourceSpecOf, useProject } from '../../renderer/store/projectStore'
import { buildLabelLut, type LabelColormap } from '../../renderer/viewer/labelLut'
import type { LabelInfo } from '../../shared/api'
import { sourceSpec } from '../../shared/schema'
import { makeGuideFolders, TOTALSEG, type GuideFolders } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'

let tmp: string
let guide: GuideFolders
let prediction: string
let imagesTs: string

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'label-colours-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 1, source: 'ct_small' })
  // A "prediction" of that scan: liver = 1, spleen = 2, as nnUNetv2_predict would write it.
  const ct = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
  const liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  const merged = new Uint8Array(liver.length)
  for (let i = 0; i < merged.length; i++) merged[i] = spleen[i] ? 2 : liver[i] ? 1 : 0
  imagesTs = join(tmp, 'imagesTs')
  await mkdir(imagesTs)
  await mkdir(join(tmp, 'predictions'))
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(imagesTs, 'abdomen_001_0000.nii.gz'))
  prediction = join(tmp, 'predictions', 'abdomen_001.nii.gz')
  const geometry = { size: ct.size, spacing: ct.spacing, origin: ct.origin, direction: Array.from(ct.direction as Float64Array) }
  await writeNiftiGz(prediction, geometry, merged, { intentCode: NIFTI_INTENT_LABEL })
})

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** What NiiVue draws value `v` with: the LUT both views build from their labels. */
function drawn(labels: readonly LabelInfo[], v: number): number[] {
  const lut: LabelColormap = buildLabelLut(labels.map((l) => ({ ...l, visible: true })))
  return [lut.R[v]!, lut.G[v]!, lut.B[v]!, lut.A[v]!]
}

describe('label colours', () => {
  it('Preview and the prediction view draw label 1 and 2 in the same colours', async () => {
    // Preview: the user adds the two mask folders and keeps the default colours.
    const project = useProject.getState()
    project.newProject()
    project.setImagesDir(guide.images)
    project.addMaskFolder(guide.organ)
    project.addMaskFolder(guide.tumor)
    const sources = sourceSpec.parse(sourceSpecOf(useProject.getState()))
    const preview = await previewCase({ sources, caseKey: guide.caseKeys[0]! })

    const predicted = await viewFiles({ label: prediction, imagesDir: imagesTs })
    expect(predicted.labels.map((l) => l.value)).toEqual([1, 2])

    for (const v of [1, 2]) {
      expect(drawn(preview.labels, v), `label ${v}`).toEqual(drawn(predicted.labels, v))
      expect(drawn(preview.labels, v)[3]).toBe(255)
    }
  })
})
