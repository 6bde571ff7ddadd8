// nnU-Net's own --verify_dataset_integrity on datasets whose every image was carried across
// (prepare wrote each .nii.gz from the input's gzip bytes behind a new header: see
// carryAcross.test.ts for the byte-level proof): v2, MSD after nnUNetv2_convert_MSD_dataset, and v1
// where its venv exists. Real nnU-Net, so it lives in the serial integration project.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PrepareSummary } from '../../shared/api'
import * as s from '../../shared/schema'
import { runPrepare } from '../../electron/dataset'
import { createFolders, runPlan } from '../../electron/nnunet'
import { imageIo, makeGuideFolders } from '../helpers/guideFolders'
import { nnunetPython } from '../helpers/python'
import { guideSpec, request, testContext } from './support'
import { recordingContext } from '../nnunet/fixture'

const py2 = nnunetPython('v2')
const py1 = nnunetPython('v1')

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-carry-nnunet-'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe.skipIf(!py2.python)(`nnU-Net accepts datasets whose every image was carried across ${py2.reason}`, () => {
  let root: string
  let settings: s.Settings
  let v2: PrepareSummary
  let msd: PrepareSummary

  beforeAll(async () => {
    root = join(tmp, 'nnunet')
    // The integration fixture's six ct_small cases (flips, crops, respacing), all saved as gzip NRRD.
    const guide = await makeGuideFolders(join(root, 'guide'), { cases: 6, source: 'ct_small' })
    const io = await imageIo()
    for (const d of [guide.images, guide.organ, guide.tumor]) {
      for (const key of guide.caseKeys) {
        const f = join(d, `${key}.nrrd`)
        await io.writeImageNode(await io.readImageNode(f), f, { useCompression: true })
      }
    }
    const folders = await createFolders(join(root, 'folders'), 'v2')
    settings = s.settings.parse({ pythonPath: py2.python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
    const spec = guideSpec(guide)
    v2 = await runPrepare(request(spec, { layout: 'nnunet-v2', outDir: folders.raw, id: 511, name: 'Carried', split: { testCount: 1, seed: 0 } }), testContext())
    msd = await runPrepare(request(spec, { layout: 'msd', outDir: join(root, 'msd'), id: 53, name: 'Carried', split: { testCount: 1, seed: 0 } }), testContext())
  }, 300_000)

  it('carried every image of both layouts', () => {
    for (const sum of [v2, msd]) {
      expect(sum.written).toBe(6)
      expect(sum.cases.map((c) => c.imageWrite?.path)).toEqual(Array(6).fill('carried'))
    }
  })

  it('v2: plan_and_preprocess --verify_dataset_integrity passes', { timeout: 600_000 }, async () => {
    const ctx = recordingContext()
    await runPlan(s.planRequest.parse({ datasetId: 511, configurations: ['3d_fullres'], processes: 1 }), settings, ctx, join(root, 'appdata'))
    expect(ctx.lines.join('')).toMatch(/verify_dataset_integrity Done/)
  })

  it('MSD: nnUNetv2_convert_MSD_dataset, then the same verification passes', { timeout: 600_000 }, async () => {
    const ctx = recordingContext()
    await runPlan(s.planRequest.parse({ datasetId: 512, convertFromMsd: msd.datasetDir, configurations: ['3d_fullres'], processes: 1 }), settings, ctx, join(root, 'appdata'))
    expect(ctx.lines.join('')).toMatch(/verify_dataset_integrity Done/)
  })

  it.skipIf(!py1.python)(`v1: nnUNet_plan_and_preprocess --verify_dataset_integrity passes on the MSD task ${py1.reason}`, { timeout: 600_000 }, async () => {
    const folders = await createFolders(join(root, 'v1 folders'), 'v1')
    const v1 = s.settings.parse({ pythonPath: py1.python, nnunetVersion: 'v1', folders, device: 'cpu', augmentationWorkers: 1 })
    const ctx = recordingContext()
    const res = await runPlan(s.planRequest.parse({ datasetId: 53, convertFromMsd: msd.datasetDir, configurations: ['3d_fullres'], processes: 1 }), v1, ctx)
    expect(res.dataset).toBe('Task053_Carried')
    expect(ctx.commands.at(-1)).toContain('--verify_dataset_integrity')
    expect(existsSync(join(folders.preprocessed, 'Task053_Carried', 'nnUNetPlansv2.1_plans_3D.pkl'))).toBe(true)
  })
})
