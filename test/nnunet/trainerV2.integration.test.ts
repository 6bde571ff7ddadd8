// Real nnunetv2 (pinned venv, CPU), through the service door the Train step and the CLI use:
// a trainer made with a loss nnU-Net ships (Top-K 10%) is checked by nnU-Net (compile, found
// through nnUNet_extTrainer, constructed on the plans, one iteration), trains 2 epochs (leaving
// checkpoint_final.pth and validation/summary.json) and predicts; a trainer whose own loss code
// has a syntax error is refused before any training, naming its line; one that saves no
// checkpoint trains, and then the training fails saying so. The dataset is a private copy of the
// cached planned fixture (test/results/trainedFixture.ts): no prepare or plan here.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreatedTrainer, TrainerOptions } from '../../shared/api'
import { createService, type Service } from '../../electron/service'
import * as s from '../../shared/schema'
import { oneTestCase } from '../helpers/oneTestCase'
import { nnunetPython } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`own trainers with nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let dataDir: string
  let service: Service
  let settings: s.Settings
  let topk: CreatedTrainer

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-trv2-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    dataDir = fx.dataDir
    settings = fx.settings
    service = createService({ mode: 'browser' }, dataDir, { settings, memoryQueue: true })
  })
  afterAll(async () => {
    for (const j of await service.jobs.list()) if (j.state === 'running') service.jobs.cancel(j.id)
    await service.dispose()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('lists the losses the installed nnunetv2 ships', async () => {
    const opts: TrainerOptions = await service.trainerOptions()
    expect(opts.version).toBe('v2')
    expect(opts.losses.map((l) => l.className)).toEqual(expect.arrayContaining(['nnUNetTrainerCELoss', 'nnUNetTrainerDiceLoss', 'nnUNetTrainerTopk10Loss', 'nnUNetTrainerDiceTopK10Loss']))
    expect(opts.losses.find((l) => l.className === 'nnUNetTrainerTopk10Loss')?.label).toBe('Top-K 10% (nnUNetTrainerTopk10Loss)')
    expect(opts.where).toContain('nnUNet_extTrainer')
  })

  it('refuses own loss code with a syntax error before any training, naming its line', { timeout: 300_000 }, async () => {
    const lossCode = ['import torch', '', 'def build_loss(trainer)', '    return torch.nn.CrossEntropyLoss()', ''].join('\n')
    const job = await service.jobs.wait((await service.createTrainer({ name: 'BrokenLossTrainer', epochs: 2, lossCode, check: { datasetId: FIXTURE_ID, configuration: '2d', fold: 0 } })).jobId)
    expect(job.state).toBe('failed')
    expect(job.error).toMatch(/failed the check "Python compiles it" at line 3 of your code \(line \d+ of BrokenLossTrainer\.py\): SyntaxError/)
    expect(job.guidance?.[0]).toMatchObject({ code: 'trainer-compile', severity: 'error' })
    // Never put where nnU-Net searches: a broken module there would break the search for every trainer.
    expect(existsSync(join(dataDir, 'trainers', 'BrokenLossTrainer.py'))).toBe(false)
    expect((await service.trainerOptions()).created).toEqual([])
  })

  it('creates a Top-K trainer: nnU-Net finds it, constructs it on the plans and trains one iteration', { timeout: 600_000 }, async () => {
    const job = await service.jobs.wait(
      (await service.createTrainer({ epochs: 2, iterationsPerEpoch: 2, loss: 'nnUNetTrainerTopk10Loss', check: { datasetId: FIXTURE_ID, configuration: '2d', fold: 0 } })).jobId,
    )
    expect(job.error).toBeUndefined()
    topk = job.result as CreatedTrainer
    expect(topk.name).toBe('nnUNetTrainer_Wizard_2ep_2it_Topk10Loss')
    expect(topk.stages.map((st) => [st.stage, st.ok])).toEqual([
      ['compile', true],
      ['find', true],
      ['construct', true],
      ['iteration', true],
    ])
    const iteration = topk.stages.find((st) => st.stage === 'iteration')!
    expect(iteration.loss).toBeGreaterThan(0)
    expect(iteration.batchSize).toBeLessThanOrEqual(2)
    // nnU-Net's deep-supervision wrapper around the Top-K loss.
    expect(iteration.lossClass).toBe('DeepSupervisionWrapper')
    expect(topk.stages.find((st) => st.stage === 'construct')).toMatchObject({ epochs: 2, iterations: 2 })
    expect(readFileSync(topk.file, 'utf8')).toContain('from nnunetv2.training.nnUNetTrainer.variants.loss.nnUNetTrainerTopkLoss import nnUNetTrainerTopk10Loss as _LossSource')
    // The check left no fold folder in the results (it used a scratch folder).
    expect(readdirSync(settings.folders!.results)).toEqual([])
    expect((await service.trainerOptions()).created.map((t) => t.name)).toEqual([topk.name])
  })

  it('trains 2 epochs with it, leaving the final checkpoint and validation summary, then predicts', { timeout: 900_000 }, async () => {
    const train = await service.jobs.wait((await service.train({ datasetId: FIXTURE_ID, configuration: '2d', fold: 0, trainer: topk.name, npz: false })).jobId)
    expect(train.error).toBeUndefined()
    expect(train.state).toBe('done')
    const fold = (train.result as { outputFolder: string }).outputFolder
    expect(fold).toContain(`${topk.name}__nnUNetPlans__2d`)
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(true)
    expect(existsSync(join(fold, 'validation', 'summary.json'))).toBe(true)
    expect(train.metrics?.filter((m) => m.epochSeconds !== undefined)).toHaveLength(2)
    // One of the planned fixture's two test cases: what is asserted is that nnU-Net predicts with
    // the new trainer's model (a prediction of several cases is asserted in nnunetV2.integration).
    const input = join(tmp, 'one case')
    const seg = await oneTestCase(join(settings.folders!.raw, FIXTURE_DATASET, 'imagesTs'), input)
    const output = join(tmp, 'predicted')
    const pred = await service.jobs.wait((await service.predict({ datasetId: FIXTURE_ID, configuration: '2d', folds: [0], input, output, trainer: topk.name })).jobId)
    expect(pred.error).toBeUndefined()
    expect(readdirSync(output).filter((f) => f.endsWith('.nii.gz'))).toEqual([seg])
  })

  it('a trainer that saves no checkpoint (and skips the validation) passes its check, but its training ends as failed with the explanation', { timeout: 900_000 }, async () => {
    const classCode = [
      'import torch',
      'from nnunetv2.training.nnUNetTrainer.nnUNetTrainer import nnUNetTrainer',
      '',
      '',
      'class NoSaveTrainer(nnUNetTrainer):',
      "    def __init__(self, plans: dict, configuration: str, fold: int, dataset_json: dict, device: torch.device = torch.device('cuda')):",
      '        super().__init__(plans, configuration, fold, dataset_json, device)',
      '        self.num_epochs = 1',
      '        self.num_iterations_per_epoch = 1',
      '        self.num_val_iterations_per_epoch = 1',
      '',
      '    def save_checkpoint(self, filename: str) -> None:',
      '        pass',
      '',
      '    def perform_actual_validation(self, save_probabilities: bool = False):',
      '        pass',
      '',
    ].join('\n')
    const created = await service.jobs.wait((await service.createTrainer({ classCode })).jobId)
    expect(created.error).toBeUndefined()
    expect((created.result as CreatedTrainer).name).toBe('NoSaveTrainer')
    const train = await service.jobs.wait((await service.train({ datasetId: FIXTURE_ID, configuration: '2d', fold: 1, trainer: 'NoSaveTrainer', npz: false })).jobId)
    expect(train.state).toBe('failed')
    expect(train.error).toMatch(/left no usable model: checkpoint_final\.pth, validation\/summary\.json are missing in .*fold_1\. The trainer NoSaveTrainer saved no final checkpoint/)
  })
})
