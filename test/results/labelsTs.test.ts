// Held-out test cases keep their merged label in labelsTs (default), written by the same path as
// labelsTr: the voxels equal what the same case gets as a training case; --no-test-labels writes
// none, and switching it off on a resumed dataset removes the labelsTs files again.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'
import { guideSpec, request, testContext } from '../dataset/support'

describe('labelsTs', () => {
  let tmp: string
  let guide: GuideFolders
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-labelsts-'))
    guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 4, source: 'ct_small' })
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('writes the merged label of each test case to labelsTs, voxel for voxel what training would get', async () => {
    const withTest = await runPrepare(request(guideSpec(guide), { outDir: join(tmp, 'a'), id: 1, name: 'Split', split: { testCount: 2, seed: 0 } }), testContext())
    const allTrain = await runPrepare(request(guideSpec(guide), { outDir: join(tmp, 'b'), id: 1, name: 'Split' }), testContext())
    expect(withTest.failed + allTrain.failed).toBe(0)
    const manifest = JSON.parse(await readFile(join(withTest.datasetDir, 'manifest.json'), 'utf8'))
    const testIds = Object.values(manifest.cases as Record<string, { caseId: string; split: string; label: string }>).filter((c) => c.split === 'test')
    expect(testIds).toHaveLength(2)
    expect((await readdir(join(withTest.datasetDir, 'labelsTs'))).sort()).toEqual(testIds.map((c) => `${c.caseId}.nii.gz`).sort())
    for (const c of testIds) {
      expect(c.label).toBe(`labelsTs/${c.caseId}.nii.gz`)
      const ts = await readImage(join(withTest.datasetDir, c.label))
      const tr = await readImage(join(allTrain.datasetDir, 'labelsTr', `${c.caseId}.nii.gz`))
      expect(ts.size).toEqual(tr.size)
      expect(Buffer.from(ts.data as Uint8Array).equals(Buffer.from(tr.data as Uint8Array))).toBe(true)
      // A real merge: both labels present (liver = 1, spleen = 2).
      expect(new Set(ts.data as Uint8Array)).toEqual(new Set([0, 1, 2]))
    }
    // nnU-Net never sees them as training data: dataset.json counts training cases only.
    const json = JSON.parse(await readFile(join(withTest.datasetDir, 'dataset.json'), 'utf8'))
    expect(json.numTraining).toBe(2)
  })

  it('--no-test-labels leaves them out, and switching it off on a resumed dataset removes them', async () => {
    const out = join(tmp, 'c')
    const off = await runPrepare(request(guideSpec(guide), { outDir: out, id: 2, name: 'Off', split: { testCount: 1, seed: 0 }, testLabels: false }), testContext())
    expect(off.failed).toBe(0)
    expect(existsSync(join(off.datasetDir, 'labelsTs')) ? await readdir(join(off.datasetDir, 'labelsTs')) : []).toEqual([])
    // On again: the test case is written again with its label, the training cases are skipped.
    const on = await runPrepare(request(guideSpec(guide), { outDir: out, id: 2, name: 'Off', split: { testCount: 1, seed: 0 } }), testContext())
    expect(on).toMatchObject({ written: 1, skipped: 3, failed: 0 })
    expect(await readdir(join(on.datasetDir, 'labelsTs'))).toHaveLength(1)
    // Off again: the labelsTs file goes with the old record.
    const again = await runPrepare(request(guideSpec(guide), { outDir: out, id: 2, name: 'Off', split: { testCount: 1, seed: 0 }, testLabels: false }), testContext())
    expect(again).toMatchObject({ written: 1, skipped: 3, failed: 0 })
    expect(await readdir(join(on.datasetDir, 'labelsTs'))).toEqual([])
  })
})
