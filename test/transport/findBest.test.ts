// findBest in the contract: validated at the boundary with readable errors, refused with the
// --npz guidance before any job starts, and otherwise run as a 'find-best' job. Called through
// the generic dispatcher both transports use, on a real service with real folders. (The real
// nnU-Net find_best_configuration run is in test/nnunet/nnunetV2.integration.test.ts.)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiMethods, apiRequests } from '../../shared/api'
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
  await rm(base, { recursive: true, force: true })
})

describe('findBest request', () => {
  it('is a method of the contract, validated with its own schema', () => {
    expect(apiMethods).toContain('findBest')
    expect(apiRequests.findBest).toBe(findBestRequest)
  })

  it('names what is wrong', () => {
    expect(() => parseRequest('findBest', {})).toThrow('Invalid request to findBest: datasetId is required; configurations is required.')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: [] })).toThrow('configurations: at least one configuration is required')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['3d'] })).toThrow(/configurations\[0\]: /)
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['2d', '2d'] })).toThrow('each configuration can be named once')
    expect(() => parseRequest('findBest', { datasetId: 1, configurations: ['2d'], folds: ['all'] })).toThrow(/folds\[0\]: /)
    expect(() => parseRequest('findBest', { datasetId: 1000, configurations: ['2d'] })).toThrow(/datasetId: /)
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
    expect(shape.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'find-best-needs-npz', file: join(model('2d'), 'fold_0', 'validation'), hint: expect.stringContaining('--val --npz') })])
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
