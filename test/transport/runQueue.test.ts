// The run queue behind the service's door: it survives a restart of the service (the app), with
// the run that was going reported as interrupted and the waiting ones started in order; queue
// changes arrive on the one event channel both transports forward; and "plan and preprocess
// first" is a rule of every training, from the wizard or the terminal. Real services on real
// folders; no interpreter, so a run that starts ends at once with a message instead of nnU-Net.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { JobEvent, RunQueueState } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { createService, type Service } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'
import { writePlannedDataset } from '../helpers/plannedDataset'

let base: string
let folders: { raw: string; preprocessed: string; results: string }
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-run-queue-'))
  folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
  for (const f of Object.values(folders)) await mkdir(f, { recursive: true })
  // Dataset 7 has been planned and preprocessed, so its trainings are queued.
  await writePlannedDataset(folders.preprocessed, 'Dataset007_Queued')
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const train = (fold: TrainRequest['fold'], datasetId = 7): TrainRequest => ({ datasetId, configuration: '3d_fullres', fold, npz: true, continueTraining: false, validationOnly: false })

async function serviceAt(data: string): Promise<Service> {
  const service = createService({ mode: 'browser' }, data)
  await service.setSettings({ folders, nnunetVersion: 'v2', pythonPath: join(base, 'no-python') })
  return service
}

/** Until nothing runs or waits. */
const idle = (service: Service) =>
  vi.waitFor(
    async () => {
      const q = await service.runQueue()
      expect([q.running, q.waiting.length]).toEqual([[], 0])
    },
    { timeout: 20_000, interval: 50 },
  )

describe('the run queue across a restart of the service', () => {
  it('keeps the waiting entries, reports the running one as interrupted, and starts the rest in order', async () => {
    const data = join(base, 'restart')
    const first = await serviceAt(data)
    const state = (await callApi(first, 'enqueueTrainings', { trainings: [0, 1, 2].map((f) => train(f)) })) as RunQueueState
    expect(state.started.map((e) => e.title)).toEqual(['Train 3d_fullres fold 0 (dataset 7)'])
    expect(state.running).toEqual([state.started[0]!.id])
    expect(state.waiting.map((e) => e.title)).toEqual(['Train 3d_fullres fold 1 (dataset 7)', 'Train 3d_fullres fold 2 (dataset 7)'])
    await first.dispose() // the app stops while fold 0 runs

    const second = await serviceAt(data)
    const events: RunQueueState[] = []
    second.jobs.onEvent((e: JobEvent) => {
      if (e.type === 'queue') events.push(e.queue)
    })
    const resumed = await second.runQueue()
    expect(resumed.started[0]).toMatchObject({ title: 'Train 3d_fullres fold 0 (dataset 7)', interrupted: true })
    await idle(second)
    const after = await second.runQueue()
    expect(after.started.map((e) => [e.title, e.interrupted ?? false])).toEqual([
      ['Train 3d_fullres fold 0 (dataset 7)', true],
      ['Train 3d_fullres fold 1 (dataset 7)', false],
      ['Train 3d_fullres fold 2 (dataset 7)', false],
    ])
    // Each resumed entry ran as a job of the new service, in queue order.
    const jobs = await second.listJobs()
    const resumedJobs = after.started.slice(1).map((e) => jobs.find((j) => j.id === e.jobId)!)
    expect(resumedJobs.map((j) => [j.title, j.state])).toEqual([
      ['Train 3d_fullres fold 1 (dataset 7)', 'failed'],
      ['Train 3d_fullres fold 2 (dataset 7)', 'failed'],
    ])
    expect(resumedJobs[0]!.createdAt).toBeLessThanOrEqual(resumedJobs[1]!.createdAt)
    expect(resumedJobs[0]!.endedAt!).toBeLessThanOrEqual(resumedJobs[1]!.startedAt!)
    // The changes came on the jobs' event channel, the one both transports forward.
    expect(events.at(-1)!.started.map((e) => e.title)).toEqual(after.started.map((e) => e.title))
    await second.dispose()
  })

  it('a waiting entry removed before the restart is not resumed', async () => {
    const data = join(base, 'removed')
    const first = await serviceAt(data)
    const state = (await callApi(first, 'enqueueTrainings', { trainings: [0, 1, 2].map((f) => train(f)) })) as RunQueueState
    await callApi(first, 'removeQueued', { entryId: state.waiting[0]!.id })
    await first.dispose()
    const second = await serviceAt(data)
    await idle(second)
    expect((await second.runQueue()).started.map((e) => e.title)).toEqual(['Train 3d_fullres fold 0 (dataset 7)', 'Train 3d_fullres fold 2 (dataset 7)'])
    expect((await second.listJobs()).map((j) => j.title)).not.toContain('Train 3d_fullres fold 1 (dataset 7)')
    await second.dispose()
  })
})

describe('predict checks its model before it is queued', () => {
  it('refuses a model that is not trained, naming the models that are (no job, nothing queued)', async () => {
    const model = join(folders.results, 'Dataset007_Queued', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d', 'fold_0')
    await mkdir(model, { recursive: true })
    await writeFile(join(model, 'checkpoint_final.pth'), '')
    // Finished means validated too (foldCompletion).
    await mkdir(join(model, 'validation'), { recursive: true })
    await writeFile(join(model, 'validation', 'summary.json'), '{}')
    const service = await serviceAt(join(base, 'predict-check'))
    const input = join(base, 'scans')
    await mkdir(input, { recursive: true })
    await writeFile(join(input, 'case_001_0000.nii.gz'), '')
    const refused = callApi(service, 'predict', { datasetId: 7, input, output: join(base, 'out'), configuration: '3d_fullres', folds: [0] })
    await expect(refused).rejects.toMatchObject({ code: 'no-trained-model' })
    await expect(refused).rejects.toThrow(
      `There is no trained model to predict with: ${join(folders.results, 'Dataset007_Queued', 'nnUNetTrainer__nnUNetPlans__3d_fullres', 'fold_0', 'checkpoint_final.pth')} does not exist. Trained models of dataset 7: 2d with nnUNetTrainer_Wizard_2ep (nnUNetPlans): folds 0, finished 0.`,
    )
    expect(await service.listJobs()).toEqual([])
    // The model that exists is accepted and queued (its run then fails here: no interpreter).
    const { jobId } = (await callApi(service, 'predict', { datasetId: 7, input, output: join(base, 'out'), configuration: '2d', folds: [0], trainer: 'nnUNetTrainer_Wizard_2ep' })) as { jobId: string }
    expect((await service.jobs.wait(jobId)).state).toBe('failed')
    await service.dispose()
  })

  it('refuses a folder of scans nnU-Net would not read (no CASE_0000 + file ending), naming folder and files (the CLI predict -i too)', async () => {
    const model = join(folders.results, 'Dataset007_Queued', 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d', 'fold_0')
    await mkdir(model, { recursive: true })
    await writeFile(join(model, 'checkpoint_final.pth'), '')
    const service = await serviceAt(join(base, 'predict-input'))
    const input = join(base, 'newpatients')
    await mkdir(input, { recursive: true })
    await writeFile(join(input, 'newpatient01.nrrd'), '')
    const refused = callApi(service, 'predict', { datasetId: 7, input, output: join(base, 'out-new'), configuration: '2d', folds: [0], trainer: 'nnUNetTrainer_Wizard_2ep' })
    await expect(refused).rejects.toMatchObject({ code: 'predict-input-no-cases' })
    await expect(refused).rejects.toThrow(new RegExp(`The input folder ${input.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} holds no scan nnU-Net would read[\\s\\S]*case_0000\\.nii\\.gz[\\s\\S]*found: newpatient01\\.nrrd`))
    expect(await service.listJobs()).toEqual([])
    await service.dispose()
  })
})

describe('plan and preprocess first', () => {
  beforeAll(async () => {
    // Dataset 12 is written into nnUNet_raw but was never planned.
    await mkdir(join(folders.raw, 'Dataset012_Unplanned', 'imagesTr'), { recursive: true })
    await writeFile(join(folders.raw, 'Dataset012_Unplanned', 'dataset.json'), '{}')
  })

  it('a training of a dataset without plans is refused before it is queued (no job, nothing in the queue)', async () => {
    const service = await serviceAt(join(base, 'unplanned'))
    const refused = callApi(service, 'train', train(0, 12))
    await expect(refused).rejects.toMatchObject({ code: 'plan-first' })
    await expect(refused).rejects.toThrow(
      `Dataset 12 (Dataset012_Unplanned) has not been planned and preprocessed for 3d_fullres yet: ${join(folders.preprocessed, 'Dataset012_Unplanned', 'nnUNetPlans.json')} does not exist. Plan first (Plan step, or nnunet-wizard plan -d 12), then train.`,
    )
    await expect(callApi(service, 'enqueueTrainings', { trainings: [train(0, 12)] })).rejects.toMatchObject({ code: 'plan-first' })
    expect(await service.listJobs()).toEqual([])
    expect((await service.runQueue()).waiting).toEqual([])
    await service.dispose()
  })

  it('a configuration the plans lack, or one not preprocessed, is refused the same way', async () => {
    // Planned with only 2d preprocessed: 3d_fullres is in the plans, 3d_lowres is not.
    await writePlannedDataset(folders.preprocessed, 'Dataset014_TwoD', ['2d'])
    await mkdir(join(folders.raw, 'Dataset014_TwoD'), { recursive: true })
    const service = await serviceAt(join(base, 'not-preprocessed'))
    const plans = join(folders.preprocessed, 'Dataset014_TwoD', 'nnUNetPlans.json')
    await expect(callApi(service, 'train', train(0, 14))).rejects.toThrow(
      'Dataset 14 (Dataset014_TwoD) has not been preprocessed for 3d_fullres: plan first with 3d_fullres ticked (nnunet-wizard plan -d 14 -c 3d_fullres), then train.',
    )
    await expect(callApi(service, 'train', { ...train(0, 14), configuration: '3d_lowres' })).rejects.toThrow(
      `The plans of dataset 14 (${plans}) have no 3d_lowres: nnU-Net planned 2d, 3d_fullres for these images. Choose one of them.`,
    )
    // 2d is preprocessed: queued (its run then fails here: no interpreter).
    const { jobId } = (await callApi(service, 'train', { ...train(0, 14), configuration: '2d' })) as { jobId: string }
    expect((await service.jobs.wait(jobId)).error).not.toMatch(/plan first|Plan first/)
    await service.dispose()
  })

  const cli = (...argv: string[]) => {
    const [file, args] = builtCli(['train', ...argv, '-c', '3d_fullres', '-f', '0', '--raw', folders.raw, '--preprocessed', folders.preprocessed, '--results', folders.results, '--python', join(base, 'no-python')])
    return new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: join(base, 'cli-data') } }, (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }))
    })
  }

  it('applies from the terminal too: nnunet-wizard train exits 2 with "plan first", no traceback', { timeout: 120_000 }, async () => {
    const r = await cli('-d', '12')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('nnunet-wizard train: Dataset 12 (Dataset012_Unplanned) has not been planned and preprocessed for 3d_fullres yet')
    expect(r.stderr).toContain('Plan first')
    expect(r.stderr).not.toMatch(/Traceback|FileNotFoundError/)
    // A dataset that is nowhere in the folders: the same rule, said so.
    const none = await cli('-d', '13')
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Dataset 13 is not in the nnU-Net folders')
    expect(none.stderr).toContain('plan first')
  })
})
