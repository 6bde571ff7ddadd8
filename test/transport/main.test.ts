// electron/main.ts wired to a recording stand-in for Electron (its binary cannot be downloaded
// here): checks the hardening main.ts applies (window preferences, the app:// scheme and its
// CSP, denied navigation, window.open and permissions, blocked remote requests), the native
// hooks, and that closing with a running job asks first. The real service runs behind it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EventEmitter } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiMethods, IPC_PREFIX } from '../../shared/api'

const rec = vi.hoisted(() => ({
  privileged: [] as { scheme: string; privileges: Record<string, boolean> }[],
  protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
  windows: [] as unknown[],
  ipc: new Map<string, (event: unknown, arg: unknown) => Promise<unknown>>(),
  beforeRequest: null as null | { filter: { urls: string[] }; fn: (d: unknown, cb: (r: { cancel?: boolean }) => void) => void },
  headersReceived: null as null | ((d: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void),
  permissionRequest: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  permissionCheck: null as null | (() => boolean),
  messageBoxResponse: 1,
  messageBoxes: 0,
  openedExternally: [] as string[],
  openedPaths: [] as string[],
  shownInFolder: [] as string[],
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  const app = Object.assign(new Emitter(), {
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit: vi.fn(),
    exit: vi.fn(),
  })
  let nextId = 1
  class WebContents extends Emitter {
    id = nextId++
    mainFrame = { url: 'app://wizard/index.html', processId: 1, routingId: 1 }
    openHandler: ((d: { url: string }) => { action: string }) | null = null
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void {
      this.openHandler = fn
    }
    isDestroyed(): boolean {
      return false
    }
    send(): void {}
  }
  class BrowserWindow extends Emitter {
    webContents = new WebContents()
    loadedUrl = ''
    closed = false
    constructor(readonly options: Record<string, unknown>) {
      super()
      rec.windows.push(this)
      app.emit('web-contents-created', {}, this.webContents)
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url
      return Promise.resolve()
    }
    show(): void {}
    isDestroyed(): boolean {
      return this.closed
    }
    isMinimized(): boolean {
      return false
    }
    focus(): void {}
    restore(): void {}
    close(): void {
      const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true } }
      this.emit('close', event)
      if (!event.defaultPrevented) {
        this.closed = true
        this.emit('closed')
      }
    }
  }
  return {
    app,
    BrowserWindow,
    protocol: {
      registerSchemesAsPrivileged: (list: typeof rec.privileged) => rec.privileged.push(...list),
      handle: (scheme: string, fn: (req: Request) => Promise<Response>) => rec.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        webRequest: {
          onBeforeRequest: (filter: { urls: string[] }, fn: never) => (rec.beforeRequest = { filter, fn }),
          onHeadersReceived: (fn: never) => (rec.headersReceived = fn),
        },
        setPermissionRequestHandler: (fn: never) => (rec.permissionRequest = fn),
        setPermissionCheckHandler: (fn: never) => (rec.permissionCheck = fn),
      },
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: false, filePaths: ['/chosen/folder'] }),
      showMessageBox: async () => {
        rec.messageBoxes++
        return { response: rec.messageBoxResponse }
      },
      showErrorBox: vi.fn(),
    },
    shell: {
      openExternal: async (url: string) => void rec.openedExternally.push(url),
      openPath: async (p: string) => {
        rec.openedPaths.push(p)
        return ''
      },
      showItemInFolder: (p: string) => void rec.shownInFolder.push(p),
    },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, arg: unknown) => Promise<unknown>) => rec.ipc.set(channel, fn),
      removeHandler: (channel: string) => rec.ipc.delete(channel),
    },
  }
})

interface FakeWindow extends EventEmitter {
  options: { webPreferences: Record<string, unknown> }
  loadedUrl: string
  closed: boolean
  close(): void
  webContents: EventEmitter & { id: number; mainFrame: { url: string }; openHandler: (d: { url: string }) => { action: string } }
}

let dataDir: string
let win: FakeWindow

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wizard-main-'))
  process.env.NNUNET_WIZARD_DATA = dataDir
  await import('../../electron/main')
  await vi.waitFor(() => expect(rec.windows).toHaveLength(1))
  win = rec.windows[0] as FakeWindow
})

afterAll(async () => {
  delete process.env.NNUNET_WIZARD_DATA
  await rm(dataDir, { recursive: true, force: true })
})

function navigationEvent(): { prevented: boolean; preventDefault(): void } {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true
    },
  }
}

describe('the window', () => {
  it('is isolated, sandboxed, without Node, and loads the app page', () => {
    const prefs = win.options.webPreferences
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false })
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/)
    expect(prefs.additionalArguments).toEqual([`--nnunet-wizard-api=${apiMethods.join(',')}`])
    expect(win.loadedUrl).toBe('app://wizard/index.html')
  })

  it('binds every Api method over IPC', () => {
    expect([...rec.ipc.keys()].sort()).toEqual(apiMethods.map((m) => IPC_PREFIX + m).sort())
  })

  it('denies window.open, sending only https links to the browser', () => {
    const open = win.webContents.openHandler
    for (const url of ['https://nnunet.example/docs', 'http://plain.example/', 'file:///etc/passwd', 'javascript:alert(1)']) expect(open({ url })).toEqual({ action: 'deny' })
    expect(rec.openedExternally).toEqual(['https://nnunet.example/docs'])
  })

  it('stays on the app page: navigation elsewhere and webviews are prevented', () => {
    const away = navigationEvent()
    win.webContents.emit('will-navigate', away, 'https://evil.example/')
    expect(away.prevented).toBe(true)
    const local = navigationEvent()
    win.webContents.emit('will-navigate', local, 'file:///home/user/')
    expect(local.prevented).toBe(true)
    const inApp = navigationEvent()
    win.webContents.emit('will-navigate', inApp, 'app://wizard/index.html#/preview')
    expect(inApp.prevented).toBe(false)
    const webview = navigationEvent()
    win.webContents.emit('will-attach-webview', webview)
    expect(webview.prevented).toBe(true)
  })
})

describe('the session', () => {
  it('registers app:// as a standard, secure scheme', () => {
    expect(rec.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })])
  })

  it('serves the page from app:// with the CSP, and nothing outside it', async () => {
    const serve = rec.protocolHandlers.get('app')!
    const page = await serve(new Request('app://wizard/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    for (const url of ['app://wizard/%2e%2e/package.json', 'app://wizard/..%2f..%2fpackage.json', 'app://other/index.html', 'app://wizard/missing.js']) {
      expect((await serve(new Request(url))).status, url).toBe(404)
    }
  })

  it('blocks remote requests and sets the CSP on every response', () => {
    expect(rec.beforeRequest!.filter.urls).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']))
    let cancelled: boolean | undefined
    rec.beforeRequest!.fn({}, (r) => (cancelled = r.cancel))
    expect(cancelled).toBe(true)
    let headers: Record<string, string[]> = {}
    rec.headersReceived!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']![0]).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(headers['X-Other']).toEqual(['1'])
  })

  it('grants no permission (camera, notifications, ...)', () => {
    let granted: boolean | undefined
    rec.permissionRequest!({}, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(rec.permissionCheck!()).toBe(false)
  })
})

describe('native hooks', () => {
  const trusted = (): unknown => ({ sender: win.webContents, senderFrame: win.webContents.mainFrame })

  it('opens folders, but only shows files (never runs them)', async () => {
    const file = join(dataDir, 'run-me.sh')
    await writeFile(file, '#!/bin/sh\n')
    expect(await rec.ipc.get(`${IPC_PREFIX}openPath`)!(trusted(), { path: dataDir })).toEqual({ ok: true, value: undefined })
    expect(await rec.ipc.get(`${IPC_PREFIX}openPath`)!(trusted(), { path: file })).toEqual({ ok: true, value: undefined })
    expect(rec.openedPaths).toEqual([dataDir])
    expect(rec.shownInFolder).toEqual([file])
    const missing = await rec.ipc.get(`${IPC_PREFIX}openPath`)!(trusted(), { path: join(dataDir, 'gone') })
    expect(missing).toMatchObject({ ok: false, error: { message: `${join(dataDir, 'gone')} does not exist.` } })
  })

  it('answers pickFolder with the native dialog', async () => {
    expect(await rec.ipc.get(`${IPC_PREFIX}pickFolder`)!(trusted(), { title: 'Image folder' })).toEqual({ ok: true, value: '/chosen/folder' })
  })
})

describe('closing with a running job', () => {
  it('asks first, keeps running when told so, and stops the job before closing otherwise', async () => {
    const call = (method: string, arg?: unknown): Promise<unknown> => rec.ipc.get(IPC_PREFIX + method)!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, arg)
    // A stand-in "python" that just sleeps makes a plan job that stays running (no nnU-Net needed).
    const python = join(dataDir, 'python')
    await writeFile(python, '#!/bin/sh\nsleep 60\n', { mode: 0o755 })
    await call('setSettings', { pythonPath: python, folders: { raw: join(dataDir, 'raw'), preprocessed: join(dataDir, 'pre'), results: join(dataDir, 'res') } })
    const started = (await call('plan', { datasetId: 1 })) as { ok: boolean; value: { jobId: string } }
    expect(started.ok).toBe(true)
    const state = async (): Promise<string | undefined> => ((await call('listJobs')) as { value: { id: string; state: string }[] }).value.find((j) => j.id === started.value.jobId)?.state
    await vi.waitFor(async () => expect(await state()).toBe('running'))

    rec.messageBoxResponse = 1 // "Keep running"
    win.close()
    await vi.waitFor(() => expect(rec.messageBoxes).toBe(1))
    await new Promise((r) => setTimeout(r, 100))
    expect(win.closed).toBe(false)
    expect(await state()).toBe('running')

    rec.messageBoxResponse = 0 // "Stop and close"
    win.close()
    await vi.waitFor(() => expect(win.closed).toBe(true), { timeout: 15_000 })
    expect(rec.messageBoxes).toBe(2)
    expect(await state()).toBe('cancelled')
  })
})
