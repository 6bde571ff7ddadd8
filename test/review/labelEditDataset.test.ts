// Correcting a training case's label in a dataset written by prepare (electron/dataset/labelEdit.ts,
// target 'dataset'), on real ct_small cases: the labelsTr file is replaced atomically with exactly
// the runs applied, manifest.json records the correction and the new size and voxel counts, the
// sources are untouched, and a re-run of prepare keeps the corrected case (its size agrees).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPrepare } from '../../electron/dataset'
import { encodeChanges, projectTrainingCaseFiles, saveLabelEdit, trainingCaseFiles, type ManifestCaseWithCorrections } from '../../electron/dataset/labelEdit'
import { readManifest } from '../../electron/dataset/manifest'
import { saveLabelEditRequest } from '../../shared/schema'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { hashTree, readImage } from '../helpers/nifti'
import { guideSpec, request, testContext } from '../dataset/support'

let tmp: string
let guide: GuideFolders
let datasetDir: string
const out = () => join(tmp, 'out')

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'label-edit-dataset-'))
  guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 2, source: 'ct_small' })
  const s = await runPrepare(request(guideSpec(guide), { outDir: out(), id: 7, name: 'Fix', split: { testCount: 0, seed: 0 } }), testContext())
  datasetDir = s.datasetDir
}, 60_000)
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('saveLabelEdit: a training case of a dataset', () => {
  it('replaces labelsTr/<case> with the runs applied and records the correction in the manifest', async () => {
    const sources = await hashTree(guide.root)
    const caseId = 'fix_001'
    const label = join(datasetDir, 'labelsTr', `${caseId}.nii.gz`)
    const before = (await readImage(label)).data as Uint8Array
    // Erase the first 40 voxels of organ (1) and paint 25 background voxels with tumor (2).
    const firstOrgan = before.indexOf(1)
    const firstBackground = before.indexOf(0)
    const runs = [
      { start: firstBackground, length: 25, value: 2 },
      { start: firstOrgan, length: 40, value: 0 },
    ].sort((a, b) => a.start - b.start)
    const expected = before.slice()
    for (const r of runs) expected.fill(r.value, r.start, r.start + r.length)
    let organRemoved = 0
    let tumorAdded = 0
    for (let i = 0; i < before.length; i++) {
      if (before[i] === 1 && expected[i] !== 1) organRemoved++
      if (expected[i] === 2 && before[i] !== 2) tumorAdded++
    }
    const r = await saveLabelEdit(saveLabelEditRequest.parse({ target: 'dataset', datasetDir, caseId, changes: encodeChanges(runs) }), { sourceFolders: [guide.images, guide.organ, guide.tumor] })
    expect(r.path).toBe(label)
    const got = (await readImage(label)).data as Uint8Array
    let differ = 0
    for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++
    expect(differ).toBe(0)
    expect(r.perLabel).toEqual([
      { value: 1, name: 'organ', added: 0, removed: organRemoved },
      { value: 2, name: 'tumor', added: tumorAdded, removed: 0 },
    ].filter((c) => c.added + c.removed > 0))

    const m = await readManifest(datasetDir)
    if (!m || !('manifest' in m)) throw new Error('no manifest')
    const c = m.manifest.cases[caseId] as ManifestCaseWithCorrections
    expect(c.labelBytes).toBe((await stat(label)).size)
    expect(c.corrections).toHaveLength(1)
    expect(c.corrections![0]).toMatchObject({ changed: r.changed, perLabel: r.perLabel })
    expect(await hashTree(guide.root)).toEqual(sources)

    // A re-run of prepare keeps the corrected file (the manifest's size agrees with it).
    const label1 = await readFile(label)
    const again = await runPrepare(request(guideSpec(guide), { outDir: out(), id: 7, name: 'Fix', split: { testCount: 0, seed: 0 } }), testContext())
    expect(again.skipped).toBe(2)
    expect(await readFile(label)).toEqual(label1)
  })

  it('refuses a dataset that lies inside a source folder, by name', async () => {
    const req = saveLabelEditRequest.parse({ target: 'dataset', datasetDir, caseId: 'fix_001', changes: encodeChanges([{ start: 0, length: 1, value: 1 }]) })
    await expect(saveLabelEdit(req, { sourceFolders: [tmp] })).rejects.toThrow(`lies inside the source folder ${tmp}`)
  })

  it('names a training case’s files from the manifest (the page builds no path); refuses an unknown dataset by name', async () => {
    const f = await trainingCaseFiles(out(), 7, 'fix_002')
    expect(f).toEqual({ datasetDir, image: join(datasetDir, 'imagesTr', 'fix_002_0000.nii.gz'), label: join(datasetDir, 'labelsTr', 'fix_002.nii.gz'), datasetJson: join(datasetDir, 'dataset.json') })
    await expect(trainingCaseFiles(out(), 8, 'fix_002')).rejects.toThrow(`There is no dataset 8 in ${out()}`)
    await expect(trainingCaseFiles(undefined, 7, 'fix_002')).rejects.toThrow('The nnU-Net folders are not set')
  })

  it('finds the training case a source case key was written as, in the dataset the project’s Output names; refuses by name what is not written', async () => {
    const read = await readManifest(datasetDir)
    const key = (read as { manifest: { cases: Record<string, { caseKey?: string }> } }).manifest.cases.fix_002!.caseKey!
    expect(key).toBeTruthy()
    const output = { layout: 'nnunet-v2' as const, outDir: out(), id: 7, name: 'Fix' }
    expect(await projectTrainingCaseFiles(output, key)).toEqual({ datasetDir, caseId: 'fix_002', image: join(datasetDir, 'imagesTr', 'fix_002_0000.nii.gz'), label: join(datasetDir, 'labelsTr', 'fix_002.nii.gz'), datasetJson: join(datasetDir, 'dataset.json') })
    await expect(projectTrainingCaseFiles(output, 'no_such_case')).rejects.toThrow('The case no_such_case is not in Dataset007_Fix')
    await expect(projectTrainingCaseFiles({ ...output, id: 8 }, key)).rejects.toThrow(`${join(out(), 'Dataset008_Fix')} is not written yet: run the Write step first`)
    await expect(projectTrainingCaseFiles({ outDir: out() }, key)).rejects.toThrow('The Output step has no folder, dataset id and name yet')
  })

  it('refuses a case that is not a training case of the dataset', async () => {
    const req = saveLabelEditRequest.parse({ target: 'dataset', datasetDir, caseId: 'fix_099', changes: encodeChanges([{ start: 0, length: 1, value: 1 }]) })
    await expect(saveLabelEdit(req, { sourceFolders: [] })).rejects.toThrow('fix_099 is not a training case')
  })
})
