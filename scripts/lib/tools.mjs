// Where the outside programs the app and its tests need are found: Electron's binary and a
// Chromium for Playwright. Plain JavaScript so `npm start`, `npm test` (scripts/*.mjs) and the
// Playwright config and specs (TypeScript) share one answer.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, join } from 'node:path'
import process from 'node:process'

/** The executable inside node_modules/electron/dist, per platform (as electron's install.js names it). */
function electronExecutableName(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron'
  if (platform === 'win32') return 'electron.exe'
  return 'electron'
}

/**
 * Electron's binary, found the way the electron package finds it (path.txt under dist/, or
 * ELECTRON_OVERRIDE_DIST_PATH) but without require('electron'): since Electron 45 that call
 * downloads the binary on the spot and throws a stack trace when it cannot.
 */
export function electronBinary(root) {
  const pkg = join(root, 'node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : electronExecutableName()
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const candidate = override ? join(override, name) : join(pkg, 'dist', name)
  return existsSync(candidate) ? candidate : null
}

/** `name` on PATH, or null. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    if (existsSync(file)) return file
  }
  return null
}

/** The browser Playwright downloads itself (`playwright install chromium`), when it is there. */
export function playwrightChromium(root) {
  try {
    const require = createRequire(join(root, 'package.json'))
    const { chromium } = require('playwright-core')
    const path = chromium.executablePath()
    return path && existsSync(path) ? path : null
  } catch {
    return null
  }
}

/**
 * The Chromium the e2e tests drive: $CHROMIUM_PATH (which must exist), else the system's
 * (chromium, chromium-browser on PATH or in /usr/bin), else Playwright's own download.
 * Returns { path, source } or { path: null, reason } saying what was looked for.
 */
export function findChromium(root) {
  const given = process.env.CHROMIUM_PATH
  if (given) {
    return existsSync(given) ? { path: given, source: 'CHROMIUM_PATH' } : { path: null, reason: `CHROMIUM_PATH=${given} does not exist` }
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const found = onPath(name) ?? (existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : null)
    if (found) return { path: found, source: 'system' }
  }
  const own = playwrightChromium(root)
  if (own) return { path: own, source: 'playwright' }
  return { path: null, reason: "no chromium or chromium-browser on PATH, no CHROMIUM_PATH, and Playwright's own Chromium is not downloaded" }
}
