// Real nnU-Net v1 (nnunet 1.7.1, CPU): a short 2d training must leave a model. The wizard's
// generated v1 trainer (installed into nnunet/training/network_training/nnunet_wizard/) trains 2
// epochs of 2 iterations, saves model_final_checkpoint.model + .pkl and validates
// (validation_raw/summary.json); nnUNet_predict then finds the same trainer again and writes
// segmentations with the image geometry. A trainer that saves no checkpoint ends as failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, runPlan, runPredict, runTrain } from '../../electron/nnunet'
import { v1InstallFolder } from '../../electron/nnunet/trainerInstall'
import { createTrainer } from '../../electron/nnunet/trainerCreate'
import * as s from '../../shared/schema'
import { nnunetPython } from '../helpers/python'
import { readImage } from '../helpers/nifti'
import { guideFolders, prepareDataset, recordingContext } from './fixture'

const py = nnunetPython('v1')

describe.skipIf(!py.python)(`generated nnU-Net v1 trainers ${py.reason}`, () => {
  let tmp: string
  let dataDir: string
  let settings: s.Settings
  const installed: string[] = []

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-trv1-'))
    dataDir = join(tmp, 'app data')
    const guide = await guideFolders(tmp)
    const folders = await createFolders(join(tmp, 'nnunet v1 folders'), 'v1')
    settings = s.settings.parse({ pythonPath: py.python, nnunetVersion: 'v1', folders, device: 'cpu', augmentationWorkers: 1 })
    const task = await prepareDataset(guide, 'msd', join(tmp, 'msd'), 61)
    await runPlan(s.planRequest.parse({ datasetId: 61, convertFromMsd: task, configurations: ['2d'], processes: 1 }), settings, recordingContext(), dataDir)
  }, 900_000)
  afterAll(async () => {
    // The modules this test put into the venv's nnunet package (by name; nothing else there).
    for (const f of installed) await rm(f, { force: true })
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('trains 2d for 2 epochs with a generated trainer that saves model_final_checkpoint and validates', { timeout: 900_000 }, async () => {
    const ctx = recordingContext()
    const req = s.trainRequest.parse({ datasetId: 61, configuration: '2d', fold: 0, epochs: 2, iterationsPerEpoch: 2 })
    const res = await runTrain(req, settings, ctx, dataDir)
    const trainer = 'nnUNetTrainerV2_Wizard_2ep_2it'
    installed.push(join(await v1InstallFolder(py.python!), `${trainer}.py`))
    expect(res.trainer).toBe(trainer)
    // Never nnU-Net's benchmarking trainer, which saves nothing.
    expect(ctx.commands[0]).toEqual(expect.arrayContaining(['2d', trainer, '61', '0']))
    expect(ctx.commands[0]).not.toContain('nnUNetTrainerV2_2epochs')
    expect(res.epochs).toBe(2)
    const fold = res.outputFolder!
    expect(fold).toContain(join('nnUNet', '2d', 'Task061_Tiny', `${trainer}__nnUNetPlansv2.1`, 'fold_0'))
    for (const f of ['model_final_checkpoint.model', 'model_final_checkpoint.model.pkl', join('validation_raw', 'summary.json')]) {
      expect(existsSync(join(fold, f)), f).toBe(true)
    }
    expect(res.checkpoints).toContain('model_final_checkpoint.model')
    expect(res.validation?.labels.map((l) => l.name)).toEqual(['liver', 'spleen'])
  })

  it('predicts with that trainer: nnU-Net v1 finds it again, the segmentation has the image geometry', { timeout: 900_000 }, async () => {
    const input = join(settings.folders!.raw, 'nnUNet_raw_data', 'Task061_Tiny', 'imagesTs')
    const output = join(tmp, 'predictions')
    const req = s.predictRequest.parse({ datasetId: 61, configuration: '2d', folds: [0], input, output, trainer: 'nnUNetTrainerV2_Wizard_2ep_2it' })
    const res = await runPredict(req, settings, recordingContext(), dataDir)
    expect(res.files).toHaveLength(1)
    const image = await readImage(join(input, readdirSync(input).find((f) => f.endsWith('_0000.nii.gz'))!))
    const seg = await readImage(join(output, res.files[0]!))
    expect(seg.size).toEqual(image.size)
    for (let i = 0; i < 3; i++) {
      expect(seg.spacing[i]).toBeCloseTo(image.spacing[i]!, 4)
      expect(seg.origin[i]).toBeCloseTo(image.origin[i]!, 3)
    }
    for (let i = 0; i < 9; i++) expect(seg.direction[i] as number).toBeCloseTo(image.direction[i] as number, 5)
    for (const v of new Set(seg.data as unknown as number[])) expect([0, 1, 2]).toContain(v)
  })

  it('a trainer that saves no checkpoint is found by nnU-Net v1, trains, and then the training fails saying why', { timeout: 900_000 }, async () => {
    const classCode = [
      'from nnunet.training.network_training.nnUNetTrainerV2 import nnUNetTrainerV2',
      '',
      '',
      'class NoSaveTrainerV1(nnUNetTrainerV2):',
      '    def __init__(self, *args, **kwargs):',
      '        super().__init__(*args, **kwargs)',
      '        self.max_num_epochs = 1',
      '        self.num_batches_per_epoch = 1',
      '        self.num_val_batches_per_epoch = 1',
      '',
      '    def save_checkpoint(self, fname, save_optimizer=True):',
      '        pass',
      '',
      '    def validate(self, *args, **kwargs):',
      '        pass',
      '',
    ].join('\n')
    // No check on the dataset (construct + one iteration): its training below constructs it and
    // trains an iteration; the full v1 check is asserted on the Top-K trainer below.
    const created = await createTrainer({ classCode }, settings, recordingContext(), dataDir)
    installed.push(created.installedAt!)
    expect(created.stages.map((st) => [st.stage, st.ok])).toEqual([
      ['compile', true],
      ['find', true],
    ])
    expect(created.installedAt).toBe(join(await v1InstallFolder(py.python!), 'NoSaveTrainerV1.py'))
    expect(created.file).toBe(join(dataDir, 'trainers-v1', 'NoSaveTrainerV1.py'))
    const ctx = recordingContext()
    const req = s.trainRequest.parse({ datasetId: 61, configuration: '2d', fold: 1, trainer: 'NoSaveTrainerV1', npz: false })
    await expect(runTrain(req, settings, ctx, dataDir)).rejects.toThrow(
      /left no usable model: model_final_checkpoint\.model, model_final_checkpoint\.model\.pkl, validation_raw\/summary\.json are missing in .*fold_1\. The trainer NoSaveTrainerV1 saved no final checkpoint/,
    )
  })

  it('creates a v1 trainer with a loss nnunet 1.7.1 ships (Top-K): its self.loss line, checked by one iteration', { timeout: 600_000 }, async () => {
    const created = await createTrainer({ epochs: 2, iterationsPerEpoch: 2, loss: 'nnUNetTrainerV2_Loss_TopK10', check: { datasetId: 61, configuration: '2d', fold: 0 } }, settings, recordingContext(), dataDir)
    installed.push(created.installedAt!)
    expect(created.name).toBe('nnUNetTrainerV2_Wizard_2ep_2it_Loss_TopK10')
    expect(readFileSync(created.file, 'utf8')).toContain('        self.loss = TopKLoss(k=10)')
    // nnU-Net v1's whole check: compiled, found in its package, constructed on the plans, one iteration.
    expect(created.stages.map((st) => [st.stage, st.ok])).toEqual([
      ['compile', true],
      ['find', true],
      ['construct', true],
      ['iteration', true],
    ])
    expect(created.installedAt).toBe(join(await v1InstallFolder(py.python!), `${created.name}.py`))
    const iteration = created.stages.find((st) => st.stage === 'iteration')!
    // nnU-Net v1 wraps it for deep supervision (MultipleOutputLoss2); the loss inside is Top-K.
    expect(iteration).toMatchObject({ ok: true, lossClass: 'TopKLoss' })
    expect(iteration.loss).toBeGreaterThan(0)
  })

  it('refuses a v1 trainer whose Python does not compile, with its line, and installs nothing', { timeout: 300_000 }, async () => {
    const classCode = ['from nnunet.training.network_training.nnUNetTrainerV2 import nnUNetTrainerV2', '', 'class BadV1(nnUNetTrainerV2):', '    def __init__(self, *args, **kwargs)', '        super().__init__(*args, **kwargs)', ''].join('\n')
    const ctx = recordingContext()
    await expect(createTrainer({ classCode }, settings, ctx, dataDir)).rejects.toThrow(/BadV1 failed the check "Python compiles it" at line 4: SyntaxError/)
    expect(existsSync(join(await v1InstallFolder(py.python!), 'BadV1.py'))).toBe(false)
    expect(ctx.findings[0]).toMatchObject({ code: 'trainer-compile' })
  })
})
