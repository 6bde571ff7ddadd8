// The desktop shell itself, through Playwright's Electron driver: the window opens on the app's
// own page, the Api arrives only through the preload (mode 'electron'), the CSP is in force, and
// window.open is denied. Where Electron's binary is not installed (it cannot be downloaded on the
// build machine) this spec skips with that reason; it runs wherever `npm start` could fetch it.
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect, repoRoot } from './support/server'
import { apiMethods } from '../shared/api'
import { electronBinary } from '../scripts/lib/tools.mjs'

const binary = electronBinary(repoRoot)

test.describe('Electron window', () => {
  test.skip(binary === null, 'Electron binary not installed (cannot be downloaded on this machine)')

  let app: ElectronApplication
  let win: Page
  let dataDir: string

  test.beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nnunet-wizard-electron-'))
    app = await electron.launch({
      executablePath: binary ?? undefined,
      args: ['.'],
      cwd: repoRoot,
      env: { ...process.env, NNUNET_WIZARD_DATA: dataDir } as Record<string, string>,
    })
    win = await app.firstWindow()
    await win.waitForLoadState('domcontentloaded')
  })

  test.afterAll(async () => {
    await app?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('opens one window on the app page', async () => {
    await expect(win).toHaveTitle(/nnU-Net Wizard/)
    expect(win.url()).toMatch(/^app:\/\/wizard\//)
    expect(app.windows()).toHaveLength(1)
    await win.screenshot({ path: join(repoRoot, 'e2e', 'artifacts', 'electron-window.png') })
  })

  test('exposes exactly the Api through the preload, and no Node', async () => {
    const info = await win.evaluate(() => (window as unknown as { api: { appInfo(): Promise<{ mode: string; dataDir: string }> } }).api.appInfo())
    expect(info.mode).toBe('electron')
    expect(info.dataDir).toBe(dataDir)
    const keys = await win.evaluate(() => Object.keys((window as unknown as { api: object }).api).sort())
    expect(keys).toEqual([...apiMethods, 'onEvent'].sort())
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
    expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined')
  })

  test('reports invalid input in words', async () => {
    const message = await win.evaluate(async () => {
      try {
        await (window as unknown as { api: { scanSources(r: unknown): Promise<unknown> } }).api.scanSources({ labels: [] })
        return 'no error'
      } catch (e) {
        return (e as Error).message
      }
    })
    expect(message).toContain('imagesDir is required')
  })

  test('enforces the CSP (no eval, no inline script)', async () => {
    const evalBlocked = await win.evaluate(() => {
      try {
        return (0, eval)('1') !== 1
      } catch {
        return true
      }
    })
    expect(evalBlocked).toBe(true)
    // An allowed inline script runs during appendChild; a blocked one fires a CSP violation instead.
    const inline = await win.evaluate(async () => {
      const violation = new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true }))
      const s = document.createElement('script')
      s.textContent = 'window.__inline = 1'
      document.body.appendChild(s)
      if ((window as unknown as { __inline?: number }).__inline === 1) return { ran: true, directive: '' }
      return { ran: false, directive: await violation }
    })
    expect(inline).toEqual({ ran: false, directive: expect.stringMatching(/^script-src/) })
  })

  test('denies window.open and navigation away', async () => {
    expect(await win.evaluate(() => window.open('https://example.com/') === null)).toBe(true)
    expect(app.windows()).toHaveLength(1)
    // Watch the main process's will-navigate (our listener runs after the app's own), so the test
    // waits for the refusal itself rather than for a while.
    await app.evaluate(({ BrowserWindow }) => {
      const seen: { url: string; prevented: boolean }[] = []
      Object.assign(globalThis, { __navigations: seen })
      BrowserWindow.getAllWindows()[0]!.webContents.on('will-navigate', (event, url) => seen.push({ url, prevented: event.defaultPrevented }))
    })
    await win.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __navigations: unknown[] }).__navigations)).toEqual([{ url: 'https://example.com/', prevented: true }])
    expect(win.url()).toMatch(/^app:\/\/wizard\//)
    expect(await win.evaluate(() => document.title)).toMatch(/nnU-Net Wizard/)
  })
})
