// The renderer's queue store is a mirror of the Node side's run queue: here it talks to a real
// service in this process (through the dispatcher both transports use, events from the service's
// one channel), and whatever it shows must be what the service holds. Then the find_best rules the
// queue applies after trainings (shared/findBest.ts): their trainer and folds, the other finished
// configurations joining in, and a clear stop when a training did not finish.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { apiMethods, type ApiClient, type RunQueueState, type TrainedModel } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { commonFolds, findBestChoices, resolveFindBest } from '../../shared/findBest'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'

const mocked = vi.hoisted(() => ({ client: null as unknown }))
vi.mock('../../renderer/api', () => ({ api: mocked.client }))

const base = await mkdtemp(join(tmpdir(), 'wizard-queue-store-'))
const service = createService({ mode: 'browser' }, join(base, 'data'))
mocked.client = {
  ...Object.fromEntries(apiMethods.map((m) => [m, (arg?: unknown) => callApi(service, m, arg)])),
  onEvent: (listener) => service.jobs.onEvent(listener),
} as ApiClient
const { useTrainQueue, connectQueue } = await import('../../renderer/store/trainQueue')

afterAll(async () => {
  await service.dispose()
  await rm(base, { recursive: true, force: true })
})

const train = (fold: TrainRequest['fold'], configuration: TrainRequest['configuration'] = '3d_fullres'): TrainRequest => ({
  datasetId: 7,
  configuration,
  fold,
  epochs: 50,
  npz: true,
  continueTraining: false,
  validationOnly: false,
})

const view = (q: Pick<RunQueueState, 'waiting' | 'started' | 'running'>) => ({ waiting: q.waiting, started: q.started, running: q.running })
/** Until the store shows exactly what the service holds, and nothing runs. */
const settled = () =>
  vi.waitFor(
    async () => {
      const server = await service.runQueue()
      expect(server.running).toEqual([])
      expect(view(useTrainQueue.getState())).toEqual(view(server))
    },
    { timeout: 20_000, interval: 50 },
  )

describe('the queue store mirrors the Node side’s run queue', () => {
  it('shows what the service holds, through enqueue, events and removal; a removed entry never starts', async () => {
    const folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
    for (const f of Object.values(folders)) await mkdir(f, { recursive: true })
    // Dataset 7 has been planned and preprocessed: trainings of it are accepted.
    await writePlannedDataset(folders.preprocessed, 'Dataset007_Queued')
    // No interpreter: every run that starts fails at once with a message, instead of running nnU-Net.
    await service.setSettings({ folders, nnunetVersion: 'v2', pythonPath: join(base, 'no-python') })
    connectQueue()

    await useTrainQueue.getState().enqueue([0, 1, 2].map((f) => train(f)), { thenFindBest: true })
    const after = useTrainQueue.getState()
    expect(after.error).toBeNull()
    expect(after.started.map((e) => e.title)).toEqual(['Train 3d_fullres fold 0 (dataset 7)'])
    expect(after.waiting.map((e) => [e.kind, e.title])).toEqual([
      ['train', 'Train 3d_fullres fold 1 (dataset 7)'],
      ['train', 'Train 3d_fullres fold 2 (dataset 7)'],
      ['find-best', 'Find the best configuration of dataset 7 (3d_fullres)'],
    ])
    // Removed through the store before it starts: it never does, on the server either.
    const removed = after.waiting[0]!
    await useTrainQueue.getState().remove(removed.id)
    expect(useTrainQueue.getState().waiting.map((e) => e.id)).not.toContain(removed.id)

    await settled()
    const server = await service.runQueue()
    expect(server.waiting).toEqual([])
    expect(server.started.map((e) => e.title)).toEqual([
      'Train 3d_fullres fold 0 (dataset 7)',
      'Train 3d_fullres fold 2 (dataset 7)',
      'Find the best configuration of dataset 7 (3d_fullres)',
    ])
    const jobs = await service.listJobs()
    expect(jobs.map((j) => j.title).sort()).toEqual(server.started.map((e) => e.title).sort())
    // The find_best queued after them did not run nnU-Net: the trainings it follows failed.
    const fb = jobs.find((j) => j.kind === 'find-best')!
    expect(fb.error).toBe('find_best_configuration was not started: the training of 3d_fullres fold 0 failed.')

    // A refusal by the service is shown, and the mirror is unchanged.
    await useTrainQueue.getState().remove(removed.id)
    expect(useTrainQueue.getState().error?.message).toMatch(/^The run queue has no waiting entry /)
    expect(view(useTrainQueue.getState())).toEqual(view(await service.runQueue()))
  })
})

const model = (configuration: string, finished: string[], trainer = 'nnUNetTrainer_Wizard_50ep', plans = 'nnUNetPlans', datasetId = 7): TrainedModel => ({
  datasetId,
  dataset: `Dataset00${datasetId}_Npz`,
  configuration,
  trainer,
  plans,
  folder: `/results/Dataset00${datasetId}_Npz/${trainer}__${plans}__${configuration}`,
  folds: finished,
  finished,
})

describe('find_best after queued trainings', () => {
  const done = (fold: number) => ({ request: train(fold), job: { state: 'done' as const, result: { trainer: 'nnUNetTrainer_Wizard_50ep' } } })

  it('compares their folds with the trainer they ran, plus the other configurations finished on those folds', () => {
    const trainings = [
      model('3d_fullres', ['0', '1', '2', '3', '4']),
      model('2d', ['0', '1', '2', '3', '4', 'all']),
      model('3d_lowres', ['0']), // not finished on every fold
      model('2d', ['0', '1', '2', '3', '4'], 'nnUNetTrainer'), // another trainer
      model('2d', ['0', '1', '2', '3', '4'], 'nnUNetTrainer_Wizard_50ep', 'nnUNetPlans', 8), // another dataset
    ]
    expect(resolveFindBest({ datasetId: 7, configurations: ['3d_fullres'] }, [0, 1, 2, 3, 4].map(done), trainings, 'v2')).toEqual({
      request: { datasetId: 7, configurations: ['3d_fullres', '2d'], folds: [0, 1, 2, 3, 4], trainer: 'nnUNetTrainer_Wizard_50ep' },
    })
  })

  it('says which training did not finish, or that none ran', () => {
    const failed = { request: train(1), job: { state: 'failed' as const, result: undefined } }
    expect(resolveFindBest({ datasetId: 7, configurations: ['3d_fullres'] }, [done(0), failed])).toEqual({ error: 'find_best_configuration was not started: the training of 3d_fullres fold 1 failed.' })
    expect(resolveFindBest({ datasetId: 7, configurations: ['3d_fullres'] }, [{ request: train(2) }])).toEqual({ error: 'find_best_configuration was not started: the training of 3d_fullres fold 2 never started.' })
    expect(resolveFindBest({ datasetId: 7, configurations: ['3d_fullres'] }, [])).toEqual({ error: 'find_best_configuration was not started: none of the trainings queued before it ran.' })
    expect(resolveFindBest({ datasetId: 7, configurations: ['3d_fullres'] }, [{ request: train('all'), job: { state: 'done', result: {} } }])).toEqual({
      error: 'find_best_configuration was not started: it compares numbered folds (0-4), and none of the trainings before it trained one.',
    })
  })

  it('groups a dataset’s finished configurations by trainer and plans, and compares them on their common folds', () => {
    const trainings = [
      model('3d_fullres', ['0', '1', '2']),
      model('2d', ['0', '2', 'all']),
      model('3d_lowres', ['all']), // no numbered fold: nothing to validate
      model('2d', ['0'], 'nnUNetTrainer'),
      model('2d', ['0'], 'nnUNetTrainer', 'nnUNetPlans', 8),
    ]
    const choices = findBestChoices(trainings, 7)
    expect(choices.map((c) => [c.trainer, c.plans, c.models.map((m) => m.configuration)])).toEqual([
      ['nnUNetTrainer_Wizard_50ep', 'nnUNetPlans', ['3d_fullres', '2d']],
      ['nnUNetTrainer', 'nnUNetPlans', ['2d']],
    ])
    expect(commonFolds(choices[0]!.models)).toEqual([0, 2])
    expect(commonFolds([])).toEqual([])
    expect(findBestChoices(undefined, 7)).toEqual([])
  })
})
