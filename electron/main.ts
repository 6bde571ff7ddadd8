// The desktop shell: one window showing the built renderer from the app:// scheme, the service
// bound over IPC, and the Electron hardening the design asks for. Everything that does work
// lives in service.ts and below; this file only wires Electron to it.
//
// Why app:// rather than file://: a privileged custom scheme gives the page a real origin (so
// 'self' in the CSP means "this app" and not "every local file"), lets every response carry the
// CSP header (file:// responses get no headers), and resolves the bundle's absolute asset URLs.
import { app, BrowserWindow, dialog, protocol, session, shell, type WebContents } from 'electron'
import { readFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { apiMethods } from '../shared/api'
import { createService, type Service } from './service'
import { bindIpc, forwardJobEvents, trustWebContents } from './ipc'
import { COMMON_HEADERS, CONTENT_SECURITY_POLICY, mimeType, resolveStaticFile } from './transport/staticFiles'
import { APP_HOST, APP_INDEX_URL, APP_SCHEME, isTrustedAppUrl } from './transport/trustedSender'
import { runningJobs, stopRunningJobs } from './transport/shutdown'
import { methodsSwitch } from './transport/methods'

const here = dirname(fileURLToPath(import.meta.url))
const rendererDir = join(here, '..', 'renderer')
const preloadFile = join(here, 'preload.cjs')

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } }])

let mainWindow: BrowserWindow | null = null
/** Set once the user agreed to stop running jobs (or none ran), so closing proceeds. */
let stopConfirmed = false

async function serveAppFile(request: Request): Promise<Response> {
  const url = new URL(request.url)
  const file = url.host === APP_HOST ? await resolveStaticFile(rendererDir, url.pathname) : null
  if (!file) return new Response('Not found', { status: 404, headers: COMMON_HEADERS })
  const headers: Record<string, string> = { ...COMMON_HEADERS, 'content-type': mimeType(file), 'content-security-policy': CONTENT_SECURITY_POLICY }
  return new Response(await readFile(file), { status: 200, headers })
}

/** Only https links leave the app, and only to the user's browser. */
function openExternally(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url)
  } catch {
    // not a URL: nothing to open
  }
}

function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedAppUrl(url)) {
      event.preventDefault()
      openExternally(url)
    }
  })
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

function lockDownSession(): void {
  const ses = session.defaultSession
  // No remote content: the page is local; any http(s)/ws request is a bug or an attack.
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }))
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
}

function nativeHooks(): Parameters<typeof createService>[0] {
  return {
    mode: 'electron',
    pickFolder: async (title, defaultPath) => {
      const options = { title: title ?? 'Choose a folder', defaultPath, properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] }
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    openPath: async (path) => {
      // Opening a file would run it with its default handler (a script, an installer): only
      // folders are opened; for a file, its folder is shown with the file selected.
      const st = await stat(path).catch(() => null)
      if (!st) throw new Error(`${path} does not exist.`)
      if (!st.isDirectory()) return shell.showItemInFolder(path)
      const error = await shell.openPath(path)
      if (error) throw new Error(`The folder ${path} could not be opened: ${error}`)
    },
  }
}

/**
 * Closing the window or quitting while nnU-Net trains would orphan its processes: ask first,
 * then stop them cleanly. Resolves true when the app may close.
 */
async function confirmStopJobs(service: Service): Promise<boolean> {
  const running = await runningJobs(service.jobs)
  if (running.length === 0) {
    await service.dispose()
    return true
  }
  const one = running.length === 1
  const options = {
    type: 'warning' as const,
    message: one ? 'A job is still running' : `${running.length} jobs are still running`,
    detail: `${running.map((j) => j.title).join('\n')}\n\nClosing the app stops ${one ? 'it' : 'them'}. A stopped training can be continued later.`,
    buttons: ['Stop and close', 'Keep running'],
    defaultId: 1,
    cancelId: 1,
  }
  const { response } = mainWindow ? await dialog.showMessageBox(mainWindow, options) : await dialog.showMessageBox(options)
  if (response !== 0) return false
  // The queue is closed first, so stopping its running job is saved as "interrupted" and the
  // runs still waiting stay in run-queue.json for the next start.
  await service.dispose()
  await stopRunningJobs(service.jobs)
  return true
}

function createWindow(service: Service): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'nnU-Net Wizard',
    show: false,
    webPreferences: {
      preload: preloadFile,
      // The preload learns the contract's method names from here (it cannot load shared/api.ts).
      additionalArguments: [methodsSwitch(apiMethods)],
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  stopConfirmed = false
  win.on('close', (event) => {
    if (stopConfirmed) return
    event.preventDefault()
    void confirmStopJobs(service).then((ok) => {
      if (!ok) return
      stopConfirmed = true
      win.close()
    })
  })
  trustWebContents(win.webContents)
  forwardJobEvents(service, win)
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null
  })
  void win.loadURL(APP_INDEX_URL)
  return win
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  app.on('web-contents-created', (_e, contents) => harden(contents))
  await app.whenReady()
  lockDownSession()
  protocol.handle(APP_SCHEME, serveAppFile)
  const service = createService(nativeHooks())
  const unbind = bindIpc(service)
  mainWindow = createWindow(service)

  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow(service)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', unbind)
  app.on('before-quit', (event) => {
    if (stopConfirmed) return
    event.preventDefault()
    void confirmStopJobs(service).then((ok) => {
      if (!ok) return
      stopConfirmed = true
      app.quit()
    })
  })
}

start().catch((err: unknown) => {
  dialog.showErrorBox('nnU-Net Wizard could not start', err instanceof Error ? err.message : String(err))
  app.exit(1)
})
