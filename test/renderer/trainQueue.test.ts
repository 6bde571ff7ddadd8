// The training queue: folds 0-4 then find_best_configuration, with the trainer and folds the
// trainings really ran, other finished configurations joining the comparison, and a stop (with
// the Node side's guidance) where find_best cannot run.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { JobInfo, TrainedModel } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'

const api = vi.hoisted(() => ({
  train: vi.fn(),
  findBest: vi.fn(),
  folderStatus: vi.fn(),
  listJobs: vi.fn(async () => []),
}))
vi.mock('../../renderer/api', () => ({ api }))

const { useJobs } = await import('../../renderer/store/jobsStore')
const { commonFolds, findBestChoices, resolveFindBest, useTrainQueue } = await import('../../renderer/store/trainQueue')

const train = (fold: TrainRequest['fold'], configuration: TrainRequest['configuration'] = '3d_fullres'): TrainRequest => ({
  datasetId: 7,
  configuration,
  fold,
  epochs: 50,
  npz: true,
  continueTraining: false,
  validationOnly: false,
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

/** Until the queue has started (and tracked) n runs. */
const startedRuns = (n: number) => vi.waitFor(() => expect(useTrainQueue.getState().started).toHaveLength(n))

/** The job of a started run ends (as the Node side reports it). */
function end(jobId: string, state: JobInfo['state'], result?: unknown): void {
  const job = useJobs.getState().jobs[jobId]!
  useJobs.getState().handleEvent({ type: 'job', job: { ...job, state, ...(result ? { result } : {}) } })
}

let ids = 0
beforeEach(() => {
  vi.clearAllMocks()
  ids = 0
  api.train.mockImplementation(async () => ({ jobId: `t${ids++}` }))
  api.findBest.mockImplementation(async () => ({ jobId: 'fb' }))
  api.folderStatus.mockResolvedValue({ version: 'v2', env: {}, exists: {}, datasets: [], trainings: [] })
  useJobs.setState({ jobs: {}, logs: {}, metrics: {}, latest: {} })
  useTrainQueue.setState({ waiting: [], started: [], error: null })
})

describe('train queue with find_best_configuration', () => {
  it('runs folds 0-4 one after another, then find_best with their trainer, folds and the other finished configurations', async () => {
    api.folderStatus.mockResolvedValue({
      version: 'v2',
      env: {},
      exists: {},
      datasets: [],
      trainings: [
        model('3d_fullres', ['0', '1', '2', '3', '4']),
        model('2d', ['0', '1', '2', '3', '4', 'all']),
        model('3d_lowres', ['0']), // not finished on every fold
        model('2d', ['0', '1', '2', '3', '4'], 'nnUNetTrainer'), // another trainer
        model('2d', ['0', '1', '2', '3', '4'], 'nnUNetTrainer_Wizard_50ep', 'nnUNetPlans', 8), // another dataset
      ],
    })
    useTrainQueue.getState().enqueue([0, 1, 2, 3, 4].map((f) => train(f)), { thenFindBest: true })
    await startedRuns(1)
    expect(useTrainQueue.getState().waiting.map((w) => w.kind)).toEqual(['train', 'train', 'train', 'train', 'find-best'])

    for (let i = 0; i < 5; i++) {
      expect(api.train).toHaveBeenLastCalledWith(train(i))
      expect(api.findBest).not.toHaveBeenCalled()
      end(`t${i}`, 'done', { trainer: 'nnUNetTrainer_Wizard_50ep', epochs: 50, checkpoints: [] })
      await startedRuns(i + 2)
    }
    expect(api.train).toHaveBeenCalledTimes(5)
    expect(api.findBest).toHaveBeenCalledTimes(1)
    expect(api.findBest).toHaveBeenCalledWith({ datasetId: 7, configurations: ['3d_fullres', '2d'], folds: [0, 1, 2, 3, 4], trainer: 'nnUNetTrainer_Wizard_50ep' })
    const q = useTrainQueue.getState()
    expect(q.waiting).toEqual([])
    expect(q.error).toBeNull()
    expect(q.started.map((s) => [s.kind, s.jobId])).toEqual([['train', 't0'], ['train', 't1'], ['train', 't2'], ['train', 't3'], ['train', 't4'], ['find-best', 'fb']])
    expect(useJobs.getState().latest['find-best']).toBe('fb')
  })

  it('does not start find_best when a training before it failed, and says which', async () => {
    useTrainQueue.getState().enqueue([train(0), train(1)], { thenFindBest: true })
    await startedRuns(1)
    end('t0', 'done', { trainer: 'nnUNetTrainer_Wizard_50ep' })
    await startedRuns(2)
    end('t1', 'failed')
    await vi.waitFor(() => expect(useTrainQueue.getState().error).not.toBeNull())
    expect(useTrainQueue.getState().error!.message).toBe('find_best_configuration was not started: the training of 3d_fullres fold 1 failed.')
    expect(api.findBest).not.toHaveBeenCalled()
    expect(useTrainQueue.getState().waiting).toEqual([])
  })

  it('waits behind a running training; a refusal keeps the run queued with the Node side guidance', async () => {
    useTrainQueue.getState().enqueue([train(0)])
    await startedRuns(1)
    const request = { datasetId: 7, configurations: ['3d_fullres' as const, '2d' as const], folds: [0], trainer: 'nnUNetTrainer', plans: 'nnUNetPlans' }
    useTrainQueue.getState().enqueueFindBest(request)
    await Promise.resolve()
    expect(api.findBest).not.toHaveBeenCalled()
    const finding = { severity: 'error', code: 'find-best-needs-npz', file: '/results/2d/fold_0/validation', text: 'no .npz', hint: 're-validate with --npz' }
    api.findBest.mockRejectedValueOnce(Object.assign(new Error('find_best_configuration cannot compare 3d_fullres, 2d'), { code: 'find-best-needs-npz', findings: [finding] }))
    end('t0', 'done')
    await vi.waitFor(() => expect(useTrainQueue.getState().error).not.toBeNull())
    expect(api.findBest).toHaveBeenCalledWith(request)
    expect(useTrainQueue.getState().error).toEqual({ message: 'find_best_configuration cannot compare 3d_fullres, 2d', findings: [finding] })
    expect(useTrainQueue.getState().waiting).toEqual([expect.objectContaining({ kind: 'find-best', request })])

    // once the folds are re-validated, the queue goes on
    useTrainQueue.getState().dismissError()
    await useTrainQueue.getState().pump()
    expect(api.findBest).toHaveBeenCalledTimes(2)
    expect(useTrainQueue.getState().waiting).toEqual([])
  })
})

describe('find_best choices', () => {
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

  it('a standalone request is sent as it is', () => {
    const request = { datasetId: 7, configurations: ['2d' as const], folds: [0] }
    expect(resolveFindBest({ key: 1, kind: 'find-best', request }, [], {})).toEqual({ request })
  })
})
