// Real nnunetv2 (pinned venv) on the CPU: the app's prepared dataset passes nnU-Net's own
// integrity check (v2 layout, and MSD after nnUNetv2_convert_MSD_dataset) and is planned and
// preprocessed for 3d_fullres, and trained one 3d_fullres iteration with its validation; a 2-epoch training with a generated trainer, prediction with the
// image's geometry, find best, and a cancelled training that leaves no process behind run on 2d
// copies of the cached fixtures (test/results/trainedFixture.ts: the planned dataset, and the
// model trained on it), so each test runs alone and none trains what another already has.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, folderStatus, groupMembers, runFindBest, runPlan, runTrain } from '../../electron/nnunet'
import { predictAndScore } from '../../electron/service/predictAndScore'
import { JobManager } from '../../electron/jobs/jobManager'
import { readPlansSummary } from '../../electron/nnunet/summaries'
import type { PlanResult, TrainResult } from '../../electron/nnunet/pipeline'
import * as s from '../../shared/schema'
import type { GuideFolders } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID, plannedDataset, trainedFixture, type PlannedFixture, type TrainedFixture } from '../results/trainedFixture'
import { guideFolders, guideFoldersOf, prepareDataset, recordingContext } from './fixture'

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let guide: GuideFolders
  let settings: s.Settings
  let dataDir: string
  let msdTask: string
  // Private copies of the cached fixtures, made by the first test that needs each.
  let planned: Promise<PlannedFixture> | undefined
  let trained: Promise<TrainedFixture> | undefined
  const plannedCopy = () => (planned ??= plannedDataset(join(tmp, 'planned'), py.python!))
  const trainedCopy = () => (trained ??= trainedFixture(join(tmp, 'trained'), py.python!))

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-v2-'))
    guide = await guideFolders(tmp)
    const folders = await createFolders(join(tmp, 'nnunet folders'), 'v2')
    dataDir = join(tmp, 'app data')
    settings = s.settings.parse({ pythonPath: py.python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
    await prepareDataset(guide, 'nnunet-v2', folders.raw, 501)
    msdTask = await prepareDataset(guide, 'msd', join(tmp, 'msd'), 52)
  })
  // A test that fails half-way must not leave a training running behind it.
  const managers: JobManager[] = []
  const jobManager = (dir: string) => {
    const m = new JobManager(join(tmp, dir))
    managers.push(m)
    return m
  }
  afterAll(async () => {
    for (const m of managers) {
      for (const j of await m.list()) {
        if (j.state !== 'running') continue
        m.cancel(j.id)
        await m.wait(j.id)
      }
    }
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('accepts the prepared v2 dataset: plan_and_preprocess --verify_dataset_integrity (3d_fullres)', { timeout: 600_000 }, async () => {
    const ctx = recordingContext()
    const res = await runPlan(s.planRequest.parse({ datasetId: 501, configurations: ['3d_fullres'], processes: 1 }), settings, ctx, dataDir)
    expect(res.dataset).toBe('Dataset501_Tiny')
    expect(ctx.commands[0]!.slice(-9)).toEqual(['-d', '501', '--verify_dataset_integrity', '-c', '3d_fullres', '-np', '1', '-npfp', '1'])
    expect(ctx.lines.join('')).toMatch(/verify_dataset_integrity Done/)
    const pre = join(settings.folders!.preprocessed, 'Dataset501_Tiny')
    expect(existsSync(join(pre, 'nnUNetPlans.json'))).toBe(true)
    expect(existsSync(join(pre, 'dataset_fingerprint.json'))).toBe(true)
    expect((await readdir(join(pre, 'nnUNetPlans_3d_fullres'))).length).toBeGreaterThanOrEqual(5)
    // The plan summary card reads nnU-Net's real nnUNetPlans.json: every configuration it planned.
    const plans = (res as PlanResult).plans!
    expect(plans).toEqual(await readPlansSummary(join(pre, 'nnUNetPlans.json')))
    expect(plans.file).toBe(join(pre, 'nnUNetPlans.json'))
    const raw = JSON.parse(readFileSync(plans.file, 'utf8'))
    expect(plans.configurations.map((c) => c.name)).toEqual(Object.keys(raw.configurations))
    const full = plans.configurations.find((c) => c.name === '3d_fullres')!
    expect(full.spacing).toEqual(raw.configurations['3d_fullres'].spacing)
    expect(full.spacing).toHaveLength(3)
    expect(full.patchSize).toEqual(raw.configurations['3d_fullres'].patch_size)
    expect(full.batchSize).toBeGreaterThanOrEqual(2)
    expect(full.normalization).toEqual(['CTNormalization'])
    // Planned for every configuration, preprocessed only for the one asked (-c 3d_fullres).
    expect(full.preprocessed).toBe(true)
    expect(plans.configurations.find((c) => c.name === '2d')?.preprocessed).toBe(false)
    // The folder status offers what Train and Predict default from.
    const ds = (await folderStatus(settings)).datasets.find((d) => d.id === 501)!
    expect(ds.labels?.map((l) => l.name)).toEqual(['liver', 'spleen'])
    expect(ds.plans?.configurations.map((c) => c.name)).toEqual(plans.configurations.map((c) => c.name))
    expect(ds.imagesTs).toBe(join(settings.folders!.raw, 'Dataset501_Tiny', 'imagesTs'))

    // nnU-Net's 3D network on the CPU, once in the suite (every other training is 2d): one epoch of
    // one iteration on this plan, then the final validation of fold 0's case, in 3d_fullres.
    const jobs = jobManager('jobs-3d')
    const req = s.trainRequest.parse({ datasetId: 501, configuration: '3d_fullres', fold: 0, epochs: 1, iterationsPerEpoch: 1, npz: false })
    const job = await jobs.start('train', 'train', (c) => runTrain(req, settings, c, dataDir))
    const info = await jobs.wait(job.id)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    expect(info.metrics).toHaveLength(1)
    const trained = info.result as TrainResult
    const fold = join(settings.folders!.results, 'Dataset501_Tiny', 'nnUNetTrainer_Wizard_1ep_1it__nnUNetPlans__3d_fullres', 'fold_0')
    expect(trained.outputFolder).toBe(fold)
    expect(trained.checkpoints).toContain('checkpoint_final.pth')
    expect(trained.validation?.cases).toBeGreaterThan(0)
    // The 3D patch nnU-Net trained with is the plan's 3d_fullres one.
    const usedPlans = JSON.parse(readFileSync(join(fold, '..', 'plans.json'), 'utf8'))
    expect(usedPlans.configurations['3d_fullres'].patch_size).toEqual(full.patchSize)
  })

  it('accepts the prepared MSD task: nnUNetv2_convert_MSD_dataset, then the same verification', { timeout: 600_000 }, async () => {
    const ctx = recordingContext()
    const res = await runPlan(s.planRequest.parse({ datasetId: 502, convertFromMsd: msdTask, configurations: ['3d_fullres'], processes: 1 }), settings, ctx, dataDir)
    expect(res.dataset).toBe('Dataset502_Tiny')
    expect(ctx.commands).toHaveLength(2)
    expect(ctx.lines.join('')).toMatch(/verify_dataset_integrity Done/)
    const converted = join(settings.folders!.raw, 'Dataset502_Tiny')
    expect((await readdir(join(converted, 'imagesTr'))).filter((f) => f.endsWith('_0000.nii.gz'))).toHaveLength(5)
    expect(JSON.parse(readFileSync(join(converted, 'dataset.json'), 'utf8')).labels).toEqual({ background: 0, liver: 1, spleen: 2 })
  })

  it('trains fold 0 for 2 epochs with a generated trainer on the CPU, with parsed epochs and checkpoints', { timeout: 600_000 }, async () => {
    const fx = await plannedCopy()
    const settings = fx.settings
    const jobs = jobManager('jobs')
    // 2 epochs (each parsed), 1 iteration each (what an iteration does is not asserted here).
    const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold: 0, epochs: 2, iterationsPerEpoch: 1 })
    const job = await jobs.start('train', 'train', (ctx) => runTrain(req, settings, ctx, fx.dataDir))
    const info = await jobs.wait(job.id)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    expect(info.command).toContain('nnUNetTrainer_Wizard_2ep_1it')
    expect(info.command).toContain('--npz')
    expect(info.command!.slice(-2)).toEqual(['-device', 'cpu'])
    // Two epochs, each with every field nnU-Net v2 prints.
    expect(info.metrics).toHaveLength(2)
    for (const [i, m] of info.metrics!.entries()) {
      expect(m.epoch).toBe(i)
      expect(m.totalEpochs).toBe(2)
      expect(m.learningRate).toBeGreaterThan(0)
      expect(Number.isFinite(m.trainLoss)).toBe(true)
      expect(Number.isFinite(m.valLoss)).toBe(true)
      expect(m.dice).toHaveLength(2)
      expect(m.epochSeconds).toBeGreaterThan(0)
    }
    // After the epochs nnU-Net validates fold 0's one validation case: the job's last phase.
    expect(info.progress).toMatchObject({ done: 1, total: 1, unit: 'validation case', phase: 'Final validation: done, computing the Dice' })
    const result = info.result as { outputFolder: string; checkpoints: string[] }
    expect(result.outputFolder).toBe(join(settings.folders!.results, FIXTURE_DATASET, 'nnUNetTrainer_Wizard_2ep_1it__nnUNetPlans__2d', 'fold_0'))
    expect(result.checkpoints).toContain('checkpoint_final.pth')
    expect(result.checkpoints).toContain('checkpoint_best.pth')
    // --npz: the validation softmax is saved (find_best_configuration needs it).
    expect((await readdir(join(result.outputFolder, 'validation'))).some((f) => f.endsWith('.npz'))).toBe(true)
    // The results card: the final validation Dice per named label, from nnU-Net's real summary.json.
    const validation = (info.result as TrainResult).validation!
    expect(validation.file).toBe(join(result.outputFolder, 'validation', 'summary.json'))
    const summary = JSON.parse(readFileSync(validation.file, 'utf8').replace(/\bNaN\b/g, 'null'))
    expect(validation.labels.map((l) => [l.key, l.name])).toEqual([
      ['1', 'liver'],
      ['2', 'spleen'],
    ])
    for (const l of validation.labels) expect(l.dice).toBe(summary.mean[l.key].Dice)
    expect(validation.mean).toBe(summary.foreground_mean.Dice)
    expect(validation.cases).toBe(summary.metric_per_case.length)
    expect(validation.cases).toBeGreaterThan(0)
    // The log file of the job has nnU-Net's lines.
    expect(readFileSync(info.logFile!, 'utf8')).toMatch(/Pseudo dice/)
    // The folder status lists the model, so predict (and a cascade) can offer it.
    const status = await folderStatus(settings)
    expect(status.trainings).toContainEqual(expect.objectContaining({ datasetId: FIXTURE_ID, configuration: '2d', trainer: 'nnUNetTrainer_Wizard_2ep_1it', plans: 'nnUNetPlans', finished: ['0'] }))
  })

  it('predicts imagesTs with a trained fold; the segmentation has the image geometry', { timeout: 600_000 }, async () => {
    const fx = await trainedCopy()
    const ctx = recordingContext()
    const input = join(fx.datasetDir, 'imagesTs')
    const output = join(tmp, 'predictions 预测')
    const res = await predictAndScore(s.predictRequest.parse({ datasetId: FIXTURE_ID, input, output, configuration: '2d', folds: [0], trainer: fx.trainer }), fx.settings, ctx, fx.dataDir)
    const images = (await readdir(input)).filter((f) => f.endsWith('_0000.nii.gz')).sort()
    expect(images).toHaveLength(2)
    expect([...res.files].sort()).toEqual(images.map((f) => f.replace('_0000.nii.gz', '.nii.gz')))
    for (const image of images) {
      const img = await readImage(join(input, image))
      const seg = await readImage(join(output, image.replace('_0000.nii.gz', '.nii.gz')))
      expect(seg.size).toEqual(img.size)
      for (let i = 0; i < 3; i++) {
        expect(seg.spacing[i]).toBeCloseTo(img.spacing[i]!, 4)
        expect(seg.origin[i]).toBeCloseTo(img.origin[i]!, 3)
      }
      for (let i = 0; i < 9; i++) expect(seg.direction[i] as number).toBeCloseTo(img.direction[i] as number, 5)
      const labels = new Set(seg.data as unknown as number[])
      for (const v of labels) expect([0, 1, 2]).toContain(v)
    }
    expect(ctx.progressEvents.filter((e) => e.unit === 'case').at(-1)).toMatchObject({ done: 2, total: 2, unit: 'case' })
    // prepare kept the test cases' labels (labelsTs), so the prediction was scored by nnU-Net's evaluator.
    expect(res.test?.cases).toBe(2)
  })

  it('finds the best configuration over a trained fold', { timeout: 600_000 }, async () => {
    const fx = await trainedCopy()
    const settings = fx.settings
    const ctx = recordingContext()
    const res = await runFindBest({ datasetId: FIXTURE_ID, configurations: ['2d'], folds: [0], trainer: fx.trainer }, settings, ctx, fx.dataDir)
    expect(res.best?.model).toBe(`${fx.trainer}__nnUNetPlans__2d`)
    expect(existsSync(join(settings.folders!.results, FIXTURE_DATASET, 'inference_instructions.txt'))).toBe(true)
    // The Dice the app read from nnU-Net's "*Best*" line is the one nnU-Net recorded for the winner
    // (not merely a number: a parse of the wrong field or of nothing fails here).
    const info = JSON.parse(readFileSync(join(settings.folders!.results, FIXTURE_DATASET, 'inference_information.json'), 'utf8').replace(/\bNaN\b/g, 'null'))
    const recorded = info.best_model_or_ensemble.result_on_crossval_pre_pp as number
    expect(typeof recorded).toBe('number')
    expect(res.best!.dice).toBeCloseTo(recorded, 3)
  })

  it.skipIf(hasNvidiaGpu())('turns "device cuda" on a machine without a GPU into guidance', { timeout: 600_000 }, async () => {
    const fx = await plannedCopy()
    const jobs = jobManager('jobs-cuda')
    const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold: 0, epochs: 1, iterationsPerEpoch: 1, npz: false })
    const job = await jobs.start('train', 'train', (ctx) => runTrain(req, { ...fx.settings, device: 'cuda' }, ctx, fx.dataDir))
    const info = await jobs.wait(job.id)
    expect(info.state).toBe('failed')
    expect(info.guidance?.map((g) => g.code)).toEqual(['cuda-unavailable'])
    expect(info.error).toMatch(/The run asked for a CUDA GPU, but torch cannot use one here/)
  })

  it('turns "fewer than 5 training cases" into guidance (fold all or a custom split)', { timeout: 600_000 }, async () => {
    // 5 cases with 1 held out for testing leaves 4 to train: nnU-Net cannot make its 5 folds.
    const small = await guideFoldersOf(join(tmp, 'small'), 5)
    await prepareDataset(small, 'nnunet-v2', settings.folders!.raw, 503, 5)
    await runPlan(s.planRequest.parse({ datasetId: 503, configurations: ['3d_fullres'], processes: 1 }), settings, recordingContext(), dataDir)
    const jobs = jobManager('jobs-small')
    const req = s.trainRequest.parse({ datasetId: 503, configuration: '3d_fullres', fold: 0, epochs: 1, iterationsPerEpoch: 1 })
    const job = await jobs.start('train', 'train', (ctx) => runTrain(req, settings, ctx, dataDir))
    const info = await jobs.wait(job.id)
    expect(info.state).toBe('failed')
    expect(info.guidance?.map((g) => g.code)).toContain('too-few-cases')
    expect(info.guidance?.find((g) => g.code === 'too-few-cases')?.hint).toMatch(/fold 'all'/)
    expect(info.error).toMatch(/nnUNetv2_train stopped with exit code 1\. nnU-Net could not make its 5-fold cross-validation split/)
  })

  it('cancels a training: nnU-Net and its augmentation workers are all gone', { timeout: 600_000 }, async () => {
    const fx = await plannedCopy()
    const jobs = jobManager('jobs-cancel')
    const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold: 0, epochs: 50, iterationsPerEpoch: 1, npz: false })
    let sawEpoch!: () => void
    const started = new Promise<void>((r) => (sawEpoch = r))
    const off = jobs.onEvent((e) => {
      if (e.type === 'metrics') sawEpoch()
    })
    const job = await jobs.start('train', 'train', (ctx) => runTrain(req, fx.settings, ctx, fx.dataDir))
    await started
    off()
    // The trainer is the leader of its own process group; its workers are in it.
    const main = mainTrainerPid('nnUNetTrainer_Wizard_50ep_1it')
    expect(main).toBeDefined()
    const members = groupMembers(main!)
    expect(members.length).toBeGreaterThan(1)
    const tree = descendants(main!)
    expect(tree.length).toBeGreaterThan(0)
    jobs.cancel(job.id)
    const info = await jobs.wait(job.id)
    expect(info.state).toBe('cancelled')
    // The workers end a moment after the trainer (SIGTERM to the group, SIGKILL after the grace):
    // all gone within seconds, none left running.
    for (let i = 0; i < 100 && (groupMembers(main!).length > 0 || [main!, ...tree].some(alive)); i++) await new Promise((r) => setTimeout(r, 100))
    expect(groupMembers(main!)).toEqual([])
    for (const pid of [main!, ...tree]) expect(alive(pid)).toBe(false)
  })
})

function hasNvidiaGpu(): boolean {
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function stat(pid: number): { ppid: number; pgrp: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]) }
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  const st = stat(pid)
  return st !== undefined && st.state !== 'Z' && st.state !== 'X'
}

function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)
}

/** The process whose command line runs nnUNetv2_train with this trainer and leads its group. */
function mainTrainerPid(trainer: string): number | undefined {
  for (const pid of allPids()) {
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (cmd.includes(trainer) && cmd.includes('nnUNetv2_train') && stat(pid)?.pgrp === pid) return pid
  }
  return undefined
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>()
  for (const pid of allPids()) {
    const st = stat(pid)
    if (st) parent.set(pid, st.ppid)
  }
  const out: number[] = []
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p) continue
      out.push(child)
      walk(child)
    }
  }
  walk(root)
  return out
}
