// Real nnU-Net v1 (nnunet 1.7.1 in its pinned venv): the guide's own commands on the app's MSD
// output: nnUNet_convert_decathlon_task, then nnUNet_plan_and_preprocess -t N
// --verify_dataset_integrity, with the v1 folder variables (nnUNet_raw_data_base,
// nnUNet_preprocessed, RESULTS_FOLDER). Training v1 on a CPU is out of reach for a test (its
// shortest shipped trainer runs 2 x 250 iterations), so v1 stops after preprocessing.
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, detectEnv, folderStatus, runPlan } from '../../electron/nnunet'
import * as s from '../../shared/schema'
import { nnunetPython } from '../helpers/python'
import { guideFolders, prepareDataset, recordingContext } from './fixture'

const py = nnunetPython('v1')

describe.skipIf(!py.python)(`nnU-Net v1 ${py.reason}`, () => {
  let tmp: string
  let settings: s.Settings
  let task: string

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-v1-'))
    const guide = await guideFolders(tmp)
    const folders = await createFolders(join(tmp, 'nnunet v1 folders'), 'v1')
    settings = s.settings.parse({ pythonPath: py.python, nnunetVersion: 'v1', folders, device: 'cpu', augmentationWorkers: 1 })
    task = await prepareDataset(guide, 'msd', join(tmp, 'msd'), 52)
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('detects nnunet 1.7.1 and its trainer classes', { timeout: 600_000 }, async () => {
    const report = await detectEnv({ ...settings, pythonPath: py.python })
    expect(report.selected?.python).toBe(py.python)
    expect(report.selected?.nnunet?.v1).toBe('1.7.1')
    expect(report.selected?.trainers).toEqual(expect.arrayContaining(['nnUNetTrainerV2', 'nnUNetTrainerV2_2epochs', 'nnUNetTrainerV2CascadeFullRes']))
  })

  it('converts the MSD task and passes plan_and_preprocess --verify_dataset_integrity', { timeout: 600_000 }, async () => {
    expect(task).toMatch(/Task52_Tiny$/)
    const ctx = recordingContext()
    const res = await runPlan(s.planRequest.parse({ datasetId: 52, convertFromMsd: task, configurations: ['3d_fullres'], processes: 1 }), settings, ctx)
    // The pinned venv has nnU-Net's console scripts beside its python: the guide's own commands run.
    const bin = dirname(py.python!)
    expect(ctx.commands).toEqual([
      [join(bin, 'nnUNet_convert_decathlon_task'), '-i', task, '-p', '1', '-output_task_id', '52'],
      [join(bin, 'nnUNet_plan_and_preprocess'), '-t', '52', '-pl2d', 'None', '-tl', '1', '-tf', '1', '--verify_dataset_integrity'],
    ])
    expect(res.dataset).toBe('Task052_Tiny')
    const raw = join(settings.folders!.raw, 'nnUNet_raw_data', 'Task052_Tiny')
    expect(readdirSync(join(raw, 'imagesTr')).filter((f) => f.endsWith('_0000.nii.gz'))).toHaveLength(5)
    const pre = join(settings.folders!.preprocessed, 'Task052_Tiny')
    expect(existsSync(join(pre, 'nnUNetPlansv2.1_plans_3D.pkl'))).toBe(true)
    expect(readdirSync(pre).some((d) => d.startsWith('nnUNetData_plans_v2.1_stage'))).toBe(true)
    const status = await folderStatus(settings)
    expect(status.datasets.find((d) => d.id === 52)?.where.length).toBeGreaterThanOrEqual(3)
  })
})
