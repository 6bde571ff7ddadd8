// Corrections across sessions (issue 21): a draft of unsaved edits kept beside its prediction
// (electron/dataset/labelDraft.ts) and where each predicted case stands from the files on disk
// (electron/results/reviewProgress.ts). Real files in a temp folder: predictions written as NIfTI,
// a corrected copy by saveLabelEdit, an added case recorded as addToDataset records it.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Geometry } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { discardLabelDraft, draftPathFor, readLabelDraft, saveLabelDraft } from '../../electron/dataset/labelDraft'
import { encodeChanges, saveLabelEdit } from '../../electron/dataset/labelEdit'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { PREDICTION_ORIGIN_FILE } from '../../electron/results/predictionOrigin'
import { reviewProgress } from '../../electron/results/reviewProgress'

let root = ''
let pred = ''
const geometry: Geometry = { size: [4, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nnunet-wizard-label-draft-'))
  pred = join(root, 'pred')
  await mkdir(pred)
  for (const c of ['a', 'b', 'c', 'd']) await writeNiftiGz(join(pred, `${c}.nii.gz`), geometry, new Uint8Array(24).fill(1, 0, 6), { intentCode: NIFTI_INTENT_LABEL })
  await writeNiftiGz(join(root, 'scan.nii.gz'), geometry, new Uint8Array(24), {})
})

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

describe('label drafts', () => {
  it('keeps the unsaved runs beside the prediction, atomically, and gives them back', async () => {
    const prediction = join(pred, 'a.nii.gz')
    const changes = encodeChanges([{ start: 2, length: 3, value: 2 }, { start: 10, length: 1, value: 0 }])
    const r = await saveLabelDraft({ prediction, base: prediction, changes }, { sourceFolders: [] })
    expect(r.path).toBe(join(pred, 'corrected', '.draft', 'a.nii.gz.json'))
    expect(r.path).toBe(draftPathFor(prediction))
    // No temporary file left beside it.
    expect(await readdir(join(pred, 'corrected', '.draft'))).toEqual(['a.nii.gz.json'])
    const d = await readLabelDraft({ prediction })
    expect(d).toMatchObject({ path: r.path, prediction, base: prediction, changes, voxels: 4, savedAt: r.savedAt })
    expect(d!.stale).toBeUndefined()
    // Named through its corrected copy, the same draft.
    expect((await readLabelDraft({ prediction: join(pred, 'corrected', 'a.nii.gz') }))?.path).toBe(r.path)
  })

  it('is stale once its base is saved again, and is removed by discard', async () => {
    const prediction = join(pred, 'a.nii.gz')
    await new Promise((r) => setTimeout(r, 20))
    await writeNiftiGz(prediction, geometry, new Uint8Array(24).fill(1, 0, 7), { intentCode: NIFTI_INTENT_LABEL })
    expect((await readLabelDraft({ prediction }))?.stale).toMatch(/saved again after this draft was kept/)
    expect(await discardLabelDraft({ prediction }, { sourceFolders: [] })).toEqual({ removed: true })
    expect(await readLabelDraft({ prediction })).toBeNull()
    expect(await discardLabelDraft({ prediction }, { sourceFolders: [] })).toEqual({ removed: false })
  })

  it('refuses a draft inside a source folder, a base that is not the prediction, and broken runs', async () => {
    const prediction = join(pred, 'b.nii.gz')
    const changes = encodeChanges([{ start: 0, length: 1, value: 2 }])
    await expect(saveLabelDraft({ prediction, base: prediction, changes }, { sourceFolders: [pred] })).rejects.toThrow(/never written into a source folder/)
    await expect(saveLabelDraft({ prediction, base: join(pred, 'c.nii.gz'), changes }, { sourceFolders: [] })).rejects.toThrow(/neither the prediction/)
    await expect(saveLabelDraft({ prediction, base: prediction, changes: Buffer.from([1, 2, 3]).toString('base64') }, { sourceFolders: [] })).rejects.toThrow(/whole number of runs/)
    expect(existsSync(draftPathFor(prediction))).toBe(false)
  })
})

describe('review progress from disk', () => {
  it('says which cases are added, corrected, in progress or still to do, and which came from a DICOM case folder', async () => {
    const raw = join(root, 'raw')
    const datasetDir = join(raw, 'Dataset007_Liver')
    await mkdir(datasetDir, { recursive: true })
    for (const f of ['preprocessed', 'results']) await mkdir(join(root, f), { recursive: true })
    const settings = { nnunetVersion: 'v2', folders: { raw, preprocessed: join(root, 'preprocessed'), results: join(root, 'results') } } as unknown as Settings
    // b: corrected by the editor; c: corrected and added (recorded as addToDataset does); d: a draft.
    const scan = join(root, 'scan.nii.gz')
    const b = await saveLabelEdit({ target: 'prediction', image: scan, label: join(pred, 'b.nii.gz'), changes: encodeChanges([{ start: 0, length: 1, value: 2 }]) }, { sourceFolders: [] })
    const c = await saveLabelEdit({ target: 'prediction', image: scan, label: join(pred, 'c.nii.gz'), changes: encodeChanges([{ start: 0, length: 1, value: 0 }]) }, { sourceFolders: [] })
    await writeFile(join(datasetDir, 'nnunet_wizard_added.json'), JSON.stringify({ added: { liver_011: { caseId: 'liver_011', sources: { images: [scan], label: c.path, prediction: join(pred, 'c.nii.gz') }, addedAt: 'x' } } }))
    await saveLabelDraft({ prediction: join(pred, 'd.nii.gz'), base: join(pred, 'd.nii.gz'), changes: encodeChanges([{ start: 5, length: 2, value: 2 }]) }, { sourceFolders: [] })
    // Predicted from a DICOM input that holds a case folder for b only (as Predict records it).
    await mkdir(join(root, 'dicom-in', 'b'), { recursive: true })
    await writeFile(join(pred, PREDICTION_ORIGIN_FILE), JSON.stringify({ model: { datasetId: 7 }, input: join(root, 'dicom-in'), probabilities: false, predictedAt: 'x' }))
    const p = await reviewProgress(settings, { folder: pred })
    expect(p.datasetId).toBe(7)
    expect(p.cases.map((x) => [x.case, x.state])).toEqual([
      ['a', 'todo'],
      ['b', 'corrected'],
      ['c', 'added'],
      ['d', 'draft'],
    ])
    expect(p.cases[1]!.corrected).toBe(b.path)
    expect(p.cases[2]!.addedAs).toBe('liver_011')
    expect(p.cases[3]!.draft?.voxels).toBe(2)
    expect(p.cases.map((x) => x.fromDicom ?? false)).toEqual([false, true, false, false])
  })
})
