// The Electron transport without Electron: its binary cannot be downloaded on this machine, so
// `electron` is replaced by a recording stand-in (ipcMain, contextBridge, ipcRenderer) and the
// real ipc.ts and preload.ts are exercised against the real service. What is checked is ours:
// one channel per contract method, the sender check, validation, the error envelope, and that
// the preload exposes exactly the Api.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { apiMethods, IPC_EVENT, IPC_PREFIX, type ApiClient, type JobEvent } from '../../shared/api'
import type { PrepareRequest } from '../../shared/schema'
import { makeGuideFolders } from '../helpers/guideFolders'

type Handler = (event: unknown, arg: unknown) => Promise<unknown>
const handlers = new Map<string, Handler>()
const exposed: Record<string, unknown> = {}
const rendererEvents = new EventEmitter()

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
      handlers.set(channel, fn)
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  },
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: {
    // The preload's invoke goes straight to the bound handler, as from the trusted window.
    invoke: (channel: string, arg: unknown) => handlers.get(channel)!(trustedEvent(), arg),
    on: (channel: string, fn: (...a: unknown[]) => void) => rendererEvents.on(channel, fn),
    removeListener: (channel: string, fn: (...a: unknown[]) => void) => rendererEvents.off(channel, fn),
  },
}))

const { bindIpc, trustWebContents, forwardJobEvents } = await import('../../electron/ipc')
const { createService } = await import('../../electron/service')

class FakeContents extends EventEmitter {
  mainFrame: { url: string; processId: number; routingId: number }
  sent: [string, unknown][] = []
  constructor(
    readonly id: number,
    url: string,
  ) {
    super()
    this.mainFrame = { url, processId: id, routingId: 1 }
  }
  isDestroyed(): boolean {
    return false
  }
  send(channel: string, value: unknown): void {
    this.sent.push([channel, value])
  }
}

const trusted = new FakeContents(1, 'app://wizard/index.html')
function trustedEvent(): unknown {
  return { sender: trusted, senderFrame: trusted.mainFrame }
}

let base: string
let service: ReturnType<typeof createService>
let unbind: () => void

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-ipc-'))
  service = createService({ mode: 'electron', pickFolder: async () => '/picked' }, base)
  trustWebContents(trusted as never)
  unbind = bindIpc(service)
})
afterAll(async () => {
  unbind()
  await rm(base, { recursive: true, force: true })
})

describe('ipc.ts', () => {
  it('binds one channel per contract method', () => {
    expect([...handlers.keys()].sort()).toEqual(apiMethods.map((m) => IPC_PREFIX + m).sort())
  })

  it('answers the app page with the value in an envelope', async () => {
    // The top frame seen through a second wrapper object is still the top frame.
    const sameFrame = { ...trusted.mainFrame }
    expect(await handlers.get(`${IPC_PREFIX}appInfo`)!({ sender: trusted, senderFrame: sameFrame }, undefined)).toMatchObject({ ok: true })
    const r = await handlers.get(`${IPC_PREFIX}appInfo`)!(trustedEvent(), undefined)
    expect(r).toMatchObject({ ok: true, value: { mode: 'electron', dataDir: base } })
    expect(await handlers.get(`${IPC_PREFIX}pickFolder`)!(trustedEvent(), {})).toEqual({ ok: true, value: '/picked' })
  })

  it('refuses other windows, other pages and embedded frames', async () => {
    const call = handlers.get(`${IPC_PREFIX}listDir`)!
    const stranger = new FakeContents(2, 'app://wizard/index.html')
    const cases: { sender: FakeContents; senderFrame: unknown }[] = [
      { sender: stranger, senderFrame: stranger.mainFrame },
      { sender: trusted, senderFrame: { url: 'app://wizard/index.html', processId: 1, routingId: 2 } }, // an embedded frame
      { sender: trusted, senderFrame: null },
    ]
    const navigated = new FakeContents(1, 'https://evil.example/')
    cases.push({ sender: navigated, senderFrame: navigated.mainFrame })
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    for (const ev of cases) {
      const r = (await call(ev, { path: '/' })) as { ok: boolean; error?: { code: string; message: string } }
      expect(r.ok).toBe(false)
      expect(r.error?.code).toBe('forbidden')
      expect(r.error?.message).toMatch(/^The app refused this call: /)
    }
  })

  it('validates input and sends errors as ApiErrorShape', async () => {
    const r = await handlers.get(`${IPC_PREFIX}scanSources`)!(trustedEvent(), { labels: [{ name: 'organ', dir: '/x' }] })
    expect(r).toEqual({ ok: false, error: { message: 'Invalid request to scanSources: imagesDir is required.', code: 'invalid-input', status: 400 } })
    const missing = join(base, 'nope')
    const r2 = await handlers.get(`${IPC_PREFIX}listDir`)!(trustedEvent(), { path: missing })
    expect(r2).toMatchObject({ ok: false, error: { message: `The folder ${missing} does not exist.` } })
  })

  it('forwards job events to the window', async () => {
    const win = Object.assign(new EventEmitter(), { webContents: trusted, isDestroyed: () => false })
    const off = forwardJobEvents(service, win as never)
    const job = await service.jobs.start('validate', 'ipc test', async () => 7)
    await service.jobs.wait(job.id)
    off()
    const events = trusted.sent.filter(([c]) => c === IPC_EVENT).map(([, e]) => e as JobEvent)
    expect(events.some((e) => e.type === 'exit' && e.jobId === job.id && e.state === 'done')).toBe(true)
  })
})

describe('preload.ts', () => {
  beforeAll(async () => {
    // What main.ts puts on the renderer's command line (webPreferences.additionalArguments).
    const { methodsSwitch } = await import('../../electron/transport/methods')
    process.argv.push(methodsSwitch(apiMethods))
    await import('../../electron/preload')
    process.argv.pop()
  })

  it('exposes exactly the Api methods and onEvent, nothing raw', () => {
    const api = exposed.api as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual([...apiMethods, 'onEvent'].sort())
    for (const v of Object.values(api)) expect(typeof v).toBe('function')
    expect(Object.keys(exposed)).toEqual(['api'])
  })

  it('returns values and throws the service message', async () => {
    const api = exposed.api as { appInfo(): Promise<{ mode: string }>; scanSources(r: unknown): Promise<unknown> }
    expect((await api.appInfo()).mode).toBe('electron')
    await expect(api.scanSources({ labels: [] })).rejects.toThrow('Invalid request to scanSources: imagesDir is required; labels: at least one mask folder is required.')
  })

  it('hands the renderer the whole error envelope (code, status, findings) as an ApiCallError', async () => {
    const { bridgeClient, ApiCallError } = await import('../../renderer/api')
    const client = bridgeClient(exposed.api as ApiClient)
    expect(Object.keys(client).sort()).toEqual([...apiMethods, 'onEvent'].sort())
    expect((await client.appInfo()).mode).toBe('electron')

    const invalid = await client.scanSources({ labels: [] } as never).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(ApiCallError)
    expect(invalid).toMatchObject({ code: 'invalid-input', status: 400, message: expect.stringContaining('imagesDir is required') })

    // A refusal that carries findings: the dataset id is taken in nnUNet_preprocessed.
    const g = await makeGuideFolders(join(base, 'src'), { cases: 1 })
    const folders = await service.createFolders({ base: join(base, 'nnunet'), version: 'v2' })
    await mkdir(join(folders.preprocessed, 'Dataset007_Spleen'), { recursive: true })
    const request = {
      sources: { imagesDir: g.images, labels: [{ name: 'organ', dir: g.organ }], allowMissingMask: false },
      output: { layout: 'nnunet-v2', outDir: folders.raw, id: 7, name: 'Aorta', split: { seed: 0 }, metadata: { channelNames: ['CT'] } },
    } as PrepareRequest
    const clash = await client.prepare(request).catch((e: unknown) => e)
    expect(clash).toBeInstanceOf(ApiCallError)
    const e = clash as InstanceType<typeof ApiCallError>
    expect(e.message).toMatch(/Dataset id 7 is already used by "Spleen"/)
    expect(e.code).toBe('id-used-in-nnunet-folders')
    expect(e.status).toBe(409)
    expect(e.findings?.map((f) => [f.code, f.severity])).toEqual([['id-used-in-nnunet-folders', 'error']])
  })

  it('delivers events to listeners until they unsubscribe', () => {
    const api = exposed.api as { onEvent(l: (e: JobEvent) => void): () => void }
    const got: JobEvent[] = []
    const off = api.onEvent((e) => got.push(e))
    const ev: JobEvent = { type: 'progress', jobId: 'j1', progress: { done: 1, total: 2, unit: 'cases' } }
    rendererEvents.emit(IPC_EVENT, {}, ev)
    off()
    rendererEvents.emit(IPC_EVENT, {}, ev)
    expect(got).toEqual([ev])
  })
})
