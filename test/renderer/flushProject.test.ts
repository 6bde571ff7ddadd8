// Leaving a project (New project, Open) first writes what is pending. On a loaded machine an edit
// can arrive while that write is on its way; it must be written too, not reported as "could not be
// written ... will be lost" (the question that, dismissed, silently kept the old project open:
// e2e/projectEnv.spec.ts failed that way in CI). The store writes through the real service, whose
// autosave is slowed down here so the late edit lands during it.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it, vi } from 'vitest'
import { apiMethods, type ApiClient } from '../../shared/api'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'

const mocked = vi.hoisted(() => ({ client: null as unknown }))
vi.mock('../../renderer/api', () => ({ api: mocked.client }))

const base = await mkdtemp(join(tmpdir(), 'wizard-flush-'))
const data = join(base, 'data')
const service = createService({ mode: 'browser' }, data)
let slowSaves = 0
let duringSave: (() => void) | null = null
mocked.client = {
  ...Object.fromEntries(apiMethods.map((m) => [m, (arg?: unknown) => callApi(service, m, arg)])),
  autosaveProject: async (arg: unknown) => {
    slowSaves++
    const late = duringSave
    duringSave = null
    late?.() // an edit made while this write is on its way
    await new Promise((r) => setTimeout(r, 300))
    return callApi(service, 'autosaveProject', arg)
  },
  onEvent: (listener) => service.jobs.onEvent(listener),
} as ApiClient
const { useProject } = await import('../../renderer/store/projectStore')
const { keepProject, flushProject, lossBeforeSwitching } = await import('../../renderer/store/keepProject')

afterAll(async () => {
  await service.dispose()
  await rm(base, { recursive: true, force: true })
})

it('an edit made during the flush is written by the same flush; nothing is reported lost', async () => {
  const stop = keepProject()
  try {
    useProject.getState().newProject()
    expect(await flushProject()).toBe(true)
    const draftId = useProject.getState().draftId
    expect(draftId).toBeTruthy()

    // An edit, and a second one that arrives while the first is being written.
    useProject.getState().setImagesDir('/scans/first')
    duringSave = () => useProject.getState().setImagesDir('/scans/late')
    const before = slowSaves
    expect(await lossBeforeSwitching()).toBeNull()
    expect(slowSaves - before).toBe(2)
    const draft = JSON.parse(await readFile(join(data, 'drafts', `${draftId}.json`), 'utf8'))
    expect(draft.sources.imagesDir).toBe('/scans/late')
  } finally {
    stop()
  }
})
