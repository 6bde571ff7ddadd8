// Planner presets -> nnU-Net argv, and the plans identifier each request produces (what -p must
// name later). The flags are nnunetv2 2.8.1's plan_and_preprocess_entry; the real run is in
// test/nnunet/planPresets.integration.test.ts.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { planArgs, predictArgs } from '../../shared/nnunetArgs'
import { PLAN_PRESETS, plannedIdentifier, plansLabel, v1PlanRefusal } from '../../shared/plans'
import * as s from '../../shared/schema'
import { plansInFolder, plansToUse, rememberPlans, withPlansChoice } from '../../electron/nnunet/plansChoice'
import { writePlannedDataset } from '../helpers/plannedDataset'

const tmps: string[] = []
afterAll(async () => {
  for (const t of tmps) await rm(t, { recursive: true, force: true })
})

describe('plan presets', () => {
  it('names the planner class with -pl for the ResEnc presets, nothing for the default', () => {
    const base = { datasetId: 5, verifyIntegrity: true }
    expect(planArgs('v2', base).args).toEqual(['-d', '5', '--verify_dataset_integrity'])
    expect(planArgs('v2', { ...base, preset: 'resenc-m' }).args).toEqual(['-d', '5', '--verify_dataset_integrity', '-pl', 'nnUNetPlannerResEncM'])
    expect(planArgs('v2', { ...base, preset: 'resenc-xl' }).args.slice(-2)).toEqual(['-pl', 'nnUNetPlannerResEncXL'])
    expect(PLAN_PRESETS.map((p) => [p.id, p.plans, p.targetGb])).toEqual([
      ['default', 'nnUNetPlans', 8],
      ['resenc-m', 'nnUNetResEncUNetMPlans', 8],
      ['resenc-l', 'nnUNetResEncUNetLPlans', 24],
      ['resenc-xl', 'nnUNetResEncUNetXLPlans', 40],
    ])
  })

  it('gives a custom GPU memory target its own plans name, so the standard plans are never overwritten', () => {
    const req = { datasetId: 5, verifyIntegrity: false, preset: 'resenc-l' as const, gpuMemoryTargetGb: 12 }
    expect(plannedIdentifier(req)).toBe('nnUNetResEncUNetLPlans_12GB')
    expect(planArgs('v2', req).args).toEqual(['-d', '5', '-pl', 'nnUNetPlannerResEncL', '-gpu_memory_target', '12', '-overwrite_plans_name', 'nnUNetResEncUNetLPlans_12GB'])
    expect(plannedIdentifier({ gpuMemoryTargetGb: 7.5 })).toBe('nnUNetPlans_7p5GB')
    // A name of the user's wins; the preset's own target needs no new name.
    expect(planArgs('v2', { ...req, plansName: 'MyPlans' }).args.slice(-2)).toEqual(['-overwrite_plans_name', 'MyPlans'])
    expect(plannedIdentifier({ preset: 'resenc-l', gpuMemoryTargetGb: 24 })).toBe('nnUNetResEncUNetLPlans')
  })

  it('refuses presets and memory targets for nnU-Net v1, saying why', () => {
    expect(v1PlanRefusal({ preset: 'resenc-m' })).toMatch(/v1 has no residual-encoder planners/)
    expect(() => planArgs('v1', { datasetId: 5, verifyIntegrity: true, preset: 'resenc-m' })).toThrow(/nnUNetPlannerResEncM came with nnU-Net v2.4/)
    expect(() => planArgs('v1', { datasetId: 5, verifyIntegrity: true, gpuMemoryTargetGb: 4 })).toThrow(/no -gpu_memory_target/)
    expect(planArgs('v1', { datasetId: 5, verifyIntegrity: true, preset: 'default' }).args).toEqual(['-t', '5', '--verify_dataset_integrity'])
  })

  it('passes the plans to prediction with -p (v2 and v1)', () => {
    const req = s.predictRequest.parse({ datasetId: 5, input: '/i', output: '/o', configuration: '3d_fullres', plans: 'nnUNetResEncUNetMPlans' })
    expect(predictArgs('v2', req, { trainer: 'nnUNetTrainer' }).args).toEqual(expect.arrayContaining(['-p', 'nnUNetResEncUNetMPlans']))
    expect(predictArgs('v1', { ...req, plans: 'nnUNetPlansv2.1' }, { trainer: 'nnUNetTrainerV2' }).args).toEqual(expect.arrayContaining(['-p', 'nnUNetPlansv2.1']))
    expect(predictArgs('v2', { ...req, plans: undefined }, { trainer: 'nnUNetTrainer' }).args).not.toContain('-p')
  })

  it('labels preset plans by their preset', () => {
    expect(plansLabel('nnUNetResEncUNetMPlans')).toBe('nnUNetResEncUNetMPlans (ResEnc M)')
    expect(plansLabel('Mine')).toBe('Mine')
  })
})

describe('the plans a dataset was planned with', () => {
  it('are remembered per preprocessed folder and dataset, listed with every plans file, and used when none is named', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'nnw-plans-'))
    tmps.push(tmp)
    const pre = join(tmp, 'pre')
    const folders = { raw: join(tmp, 'raw'), preprocessed: pre, results: join(tmp, 'res') }
    const settings = s.settings.parse({ nnunetVersion: 'v2', folders })
    const dir = await writePlannedDataset(pre, 'Dataset007_Liver')
    // A ResEnc plans file next to the default, and a JSON that is not a plans file.
    const resenc = { plans_name: 'nnUNetResEncUNetMPlans', configurations: { '3d_fullres': { data_identifier: 'nnUNetPlans_3d_fullres', batch_size: 2, patch_size: [64, 64, 64], spacing: [1, 1, 1], normalization_schemes: ['CTNormalization'] } } }
    await writeFile(join(dir, 'nnUNetResEncUNetMPlans.json'), JSON.stringify(resenc))
    await writeFile(join(dir, 'splits_final.json'), '[]')
    await writeFile(join(dir, 'notes.json'), '{"plans_name": "other", "configurations": {}}')
    expect((await plansInFolder(dir)).map((p) => p.plans)).toEqual(['nnUNetPlans', 'nnUNetResEncUNetMPlans'])

    const data = join(tmp, 'data')
    await mkdir(data)
    expect(await plansToUse(data, settings, 7)).toBeUndefined()
    const status = () => ({ version: 'v2' as const, env: {}, exists: {}, datasets: [{ id: 7, name: 'Liver', where: [dir] }] })
    let st = await withPlansChoice(status(), settings, data)
    expect(st.datasets[0]!.plansAvailable).toEqual(['nnUNetPlans', 'nnUNetResEncUNetMPlans'])
    expect(st.datasets[0]!.chosenPlans).toBe('nnUNetPlans')

    await rememberPlans(data, settings, 7, 'nnUNetResEncUNetMPlans')
    expect(await plansToUse(data, settings, 7)).toBe('nnUNetResEncUNetMPlans')
    st = await withPlansChoice(status(), settings, data)
    expect(st.datasets[0]!.chosenPlans).toBe('nnUNetResEncUNetMPlans')
    expect(st.datasets[0]!.plans?.plans).toBe('nnUNetResEncUNetMPlans')
    // Another dataset id, and the same id in other nnU-Net folders, are not affected.
    expect(await plansToUse(data, settings, 8)).toBeUndefined()
    expect(await plansToUse(data, { ...settings, folders: { ...folders, preprocessed: join(tmp, 'other') } }, 7)).toBeUndefined()
    // Planning the default again makes the default the choice (no -p needed).
    await rememberPlans(data, settings, 7, 'nnUNetPlans')
    expect(await plansToUse(data, settings, 7)).toBeUndefined()
  })
})
