// The desktop shell itself, through Playwright's Electron driver: the window opens on the app's
// own page, the Api arrives only through the preload (mode 'electron'), the CSP is in force, and
// window.open is denied. Electron's binary cannot be downloaded on the build machine, so this
// spec skips there with that reason and runs wherever `npm install` could fetch Electron.
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect, repoRoot } from './support/server'
import { apiMethods } from '../shared/api'

/**
 * The Electron binary, found the way the electron package finds it (path.txt names it under
 * dist/, or ELECTRON_OVERRIDE_DIST_PATH) but without calling require('electron'), which would
 * try to download it on the spot.
 */
function electronBinary(): string | null {
  const pkg = join(repoRoot, 'node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : ''
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const candidate = override ? join(override, name || 'electron') : name ? join(pkg, 'dist', name) : null
  return candidate && existsSync(candidate) ? candidate : null
}

const binary = electronBinary()

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
    const inlineRan = await win.evaluate(async () => {
      const s = document.createElement('script')
      s.textContent = 'window.__inline = 1'
      document.body.appendChild(s)
      await new Promise((r) => setTimeout(r, 50))
      return (window as unknown as { __inline?: number }).__inline === 1
    })
    expect(inlineRan).toBe(false)
  })

  test('denies window.open and navigation away', async () => {
    expect(await win.evaluate(() => window.open('https://example.com/') === null)).toBe(true)
    expect(app.windows()).toHaveLength(1)
    await win.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await win.waitForTimeout(500)
    expect(win.url()).toMatch(/^app:\/\/wizard\//)
  })
})
