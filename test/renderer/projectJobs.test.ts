// A step shows only its project's job for the request the project makes now. The stores talk to
// a real service in this process (the dispatcher both transports use, events from its one
// channel) on real scans: project A checks and writes its folders; a new project B with other
// folders and another output folder must see none of A's results, although A's jobs are the
// newest of their kind on the server.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { apiMethods, type ApiClient, type JobInfo, type JobKind } from '../../shared/api'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'

const mocked = vi.hoisted(() => ({ client: null as unknown }))
vi.mock('../../renderer/api', () => ({ api: mocked.client }))

const base = await mkdtemp(join(tmpdir(), 'wizard-project-jobs-'))
const service = createService({ mode: 'browser' }, join(base, 'data'))
mocked.client = {
  ...Object.fromEntries(apiMethods.map((m) => [m, (arg?: unknown) => callApi(service, m, arg)])),
  onEvent: (listener) => service.jobs.onEvent(listener),
} as ApiClient
const { api } = await import('../../renderer/api')
const { connectJobs, useJobs } = await import('../../renderer/store/jobsStore')
const { useProject, sourceSpecOf, prepareRequestOf } = await import('../../renderer/store/projectStore')
const { shownRun, startProjectJob } = await import('../../renderer/store/projectJobs')

let a: GuideFolders
let b: GuideFolders
beforeAll(async () => {
  a = await makeGuideFolders(join(base, 'a'), { cases: 2 })
  b = await makeGuideFolders(join(base, 'b'), { cases: 1, source: 'ct_small' })
  connectJobs()
})
afterAll(async () => {
  await service.dispose()
  await rm(base, { recursive: true, force: true })
})

/** Until the store holds the job as ended. */
const ended = (jobId: string) =>
  vi.waitFor(
    () => {
      const job = useJobs.getState().jobs[jobId]
      expect(job && job.state !== 'queued' && job.state !== 'running' && job.result !== undefined).toBe(true)
      return job!
    },
    { timeout: 110_000, interval: 50 },
  )

function fill(g: GuideFolders, outDir: string, id: number, name: string): void {
  const p = useProject.getState()
  p.setImagesDir(g.images)
  p.addMaskFolder(g.organ)
  p.addMaskFolder(g.tumor)
  p.setOutput({ outDir, id, name })
}

/** What a step of this kind shows for the project's current request. */
function shown(kind: JobKind, request: unknown): { job: JobInfo | undefined; outdated: boolean } {
  const run = useProject.getState().runs[kind]
  const r = shownRun(run, run ? useJobs.getState().jobs[run.jobId] : undefined, request)
  return { job: r.jobId ? useJobs.getState().jobs[r.jobId] : undefined, outdated: r.outdated }
}

describe('a step’s job belongs to its project', () => {
  it('a new project with other folders starts clean; a changed request hides the old result', async () => {
    // ---- project A: check and write
    useProject.getState().newProject()
    fill(a, join(base, 'out-a'), 7, 'Aorta')
    const specA = sourceSpecOf(useProject.getState())!
    const checkA = await startProjectJob('validate', specA, () => api.validate(specA))
    const requestA = prepareRequestOf(useProject.getState()).request!
    const writeA = await startProjectJob('prepare', requestA, () => api.prepare(requestA))
    await ended(checkA)
    expect((await ended(writeA)).state).toBe('done')
    expect(shown('validate', specA).job?.id).toBe(checkA)
    expect(shown('prepare', requestA).job?.id).toBe(writeA)

    // ---- project B: the newest jobs on the server are still A's, yet B shows none of them
    useProject.getState().newProject()
    fill(b, join(base, 'out-b'), 8, 'Liver')
    const specB = sourceSpecOf(useProject.getState())!
    const requestB = prepareRequestOf(useProject.getState()).request!
    expect(useJobs.getState().latest.validate).toBe(checkA)
    expect(useJobs.getState().latest.prepare).toBe(writeA)
    expect(shown('validate', specB)).toEqual({ job: undefined, outdated: false })
    expect(shown('prepare', requestB)).toEqual({ job: undefined, outdated: false })

    // ---- B checks its own folders: its report is shown, with its one case
    const checkB = await startProjectJob('validate', specB, () => api.validate(specB))
    await ended(checkB)
    const report = shown('validate', specB).job?.result as { cases: { caseKey: string }[] }
    expect(report.cases.map((c) => c.caseKey)).toEqual(b.caseKeys)

    // ---- a changed output folder: B's write no longer applies (and says so)
    const writeB = await startProjectJob('prepare', requestB, () => api.prepare(requestB))
    expect((await ended(writeB)).state).toBe('done')
    expect(shown('prepare', requestB).job?.id).toBe(writeB)
    useProject.getState().setOutput({ outDir: join(base, 'out-c') })
    const requestC = prepareRequestOf(useProject.getState()).request!
    expect(shown('prepare', requestC)).toEqual({ job: undefined, outdated: true })
    // and a removed mask folder outdates the check the same way
    useProject.getState().removeLabel(1)
    expect(shown('validate', sourceSpecOf(useProject.getState()))).toEqual({ job: undefined, outdated: true })
  })
})
