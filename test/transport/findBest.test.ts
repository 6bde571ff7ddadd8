// findBest in the contract: validated at the boundary with readable errors, refused with the
// --npz guidance before any job starts, and otherwise run as a 'find-best' job. Called through
// the generic dispatcher both transports use, on a real service with real folders. (The real
// nnU-Net find_best_configuration run is in test/nnunet/nnunetV2.integration.test.ts.)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBestRequest } from '../../shared/schema'
import { findBestArgs } from '../../shared/nnunetArgs'
import { callApi, parseRequest } from '../../electron/transport/dispatch'
import { toApiError } from '../../electron/transport/errors'
import { createService, type Service } from '../../electron/service'

let base: string
let service: Service
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-findbest-'))
  service = createService({ mode: 'browser' }, join(base, 'data'))
})
afterAll(async () => {
  // The service writes its run queue state in the background: close it before the folder goes.
  await service.dispose()
  await rm(base, { recursive: true, force: true })
})

describe('findBest request', () => {
  it('is validated at the boundary both transports use: a bad request never reaches the service', async () => {
    // Fold "all" has no validation, so find_best cannot use it; the dispatcher refuses before any job exists.
    const err = await callApi(service, 'findBest', { datasetId: 7, configurations: ['2d'], folds: ['all'] }).catch((e: unknown) => e)
    expect(toApiError(err, 'findBest')).toMatchObject({ code: 'invalid-input', status: 400, message: expect.stringMatching(/^Invalid request to findBest: folds\[0\]: /) })
    expect((await service.listJobs()).filter((j) => j.kind === 'find-best')).toEqual([])
  })

  it('names what is wrong', () => {
    expect(() => parseRequest('findBest', {})).toThrow('Invalid request to findBest: datasetId is required; configurations is required.')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: [] })).toThrow('configurations: at least one configuration is required')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['3d'] })).toThrow(/configurations\[0\]: /)
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['2d', '2d'] })).toThrow('each configuration can be named once')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['2d'], folds: ['all'] })).toThrow(/folds\[0\]: /)
    expect(() => parseRequest('findBest', { datasetId: 1000, configurations: ['2d'] })).toThrow('the dataset id (datasetId) must be 999 or less')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['2d'], trainer: 'x; rm -rf /' })).toThrow('trainer: a trainer is a Python class name')
  })

  it('accepts what the argv builders take', () => {
    const req = parseRequest('findBest', { datasetId: 4, configurations: ['2d', '3d_fullres'], folds: [0, 1], trainer: 'nnUNetTrainer', plans: 'nnUNetPlans' })
    expect(findBestArgs('v2', findBestRequest.parse(req)).args).toEqual(['4', '-c', '2d', '3d_fullres', '-f', '0', '1', '-tr', 'nnUNetTrainer', '-p', 'nnUNetPlans'])
  })
})

describe('findBest service', () => {
  let folders: { raw: string; preprocessed: string; results: string }
  const model = (c: string) => join(folders.results, 'Dataset007_Npz', `nnUNetTrainer__nnUNetPlans__${c}`)

  beforeAll(async () => {
    folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
    await mkdir(join(folders.preprocessed, 'Dataset007_Npz'), { recursive: true })
    await mkdir(folders.raw, { recursive: true })
    await mkdir(join(model('3d_fullres'), 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model('3d_fullres'), 'fold_0', 'validation', 'case_001.npz'), '')
    await mkdir(join(model('2d'), 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model('2d'), 'fold_0', 'validation', 'case_001.nii.gz'), '')
    // No interpreter: a job that does start fails at once, with a message, instead of running nnU-Net.
    await service.setSettings({ folders, nnunetVersion: 'v2', pythonPath: join(base, 'no-python') })
  })

  it('refuses a comparison whose folds have no .npz, with the guidance, before any job starts', async () => {
    const err = await callApi(service, 'findBest', { datasetId: 7, configurations: ['3d_fullres', '2d'], folds: [0] }).catch((e: unknown) => e)
    const shape = toApiError(err, 'findBest')
    expect(shape).toMatchObject({ code: 'find-best-needs-npz', status: 400 })
    expect(shape.message).toMatch(/cannot compare 3d_fullres, 2d: 1 trained fold has no \.npz files/)
    expect(shape.findings).toEqual([
      {
        severity: 'error',
        code: 'find-best-needs-npz',
        file: join(model('2d'), 'fold_0', 'validation'),
        text: 'This validation folder (2d fold 0) has no softmax files (.npz): the fold was trained without --npz.',
        hint: 'Re-run the validation of this fold with "Validation only" and --npz ticked (nnUNetv2_train 7 2d 0 -tr nnUNetTrainer --npz --val), then find the best configuration again.',
      },
    ])
    expect((await service.listJobs()).filter((j) => j.kind === 'find-best')).toEqual([])
  })

  it('starts a find-best job otherwise', async () => {
    const ref = (await callApi(service, 'findBest', { datasetId: 7, configurations: ['3d_fullres'], folds: [0] })) as { jobId: string }
    const job = await service.jobs.wait(ref.jobId)
    expect(job.kind).toBe('find-best')
    expect(job.title).toBe('Find the best configuration of dataset 7 (3d_fullres)')
    expect(job.state).toBe('failed')
    expect(job.error).toMatch(/no-python does not exist/)
  })
})

describe('findBest service with nnU-Net v1', () => {
  it('names v1’s own re-validation command (nnUNet_train CONFIG TRAINER TASK FOLD -val), never nnUNetv2_train', async () => {
    const v1 = { raw: join(base, 'v1', 'raw'), preprocessed: join(base, 'v1', 'preprocessed'), results: join(base, 'v1', 'results') }
    const modelV1 = (c: string) => join(v1.results, 'nnUNet', c, 'Task009_Npz', 'nnUNetTrainerV2__nnUNetPlansv2.1')
    await mkdir(join(v1.preprocessed, 'Task009_Npz'), { recursive: true })
    await mkdir(join(v1.raw, 'nnUNet_raw_data'), { recursive: true })
    await mkdir(join(modelV1('3d_fullres'), 'fold_1', 'validation_raw'), { recursive: true })
    await writeFile(join(modelV1('3d_fullres'), 'fold_1', 'validation_raw', 'case_001.npz'), '')
    await mkdir(join(modelV1('2d'), 'fold_1', 'validation_raw'), { recursive: true })
    const v1Service = createService({ mode: 'browser' }, join(base, 'data-v1'))
    await v1Service.setSettings({ folders: v1, nnunetVersion: 'v1', pythonPath: join(base, 'no-python') })
    const err = await callApi(v1Service, 'findBest', { datasetId: 9, configurations: ['3d_fullres', '2d'], folds: [1] }).catch((e: unknown) => e)
    const shape = toApiError(err, 'findBest')
    expect(shape.message).toBe('find_best_configuration cannot compare 3d_fullres, 2d: 1 trained fold has no .npz files. Re-validate them with --npz first.')
    expect(shape.findings?.map((f) => [f.file, f.hint])).toEqual([
      [
        join(modelV1('2d'), 'fold_1', 'validation_raw'),
        'Re-run the validation of this fold with "Validation only" and --npz ticked (nnUNet_train 2d nnUNetTrainerV2 9 1 --npz -val), then find the best configuration again.',
      ],
    ])
  })
})
