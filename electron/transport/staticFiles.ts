// Serving the built renderer (dist/renderer) to a browser (server.ts) or to the Electron window
// (the app:// protocol in main.ts): one path resolver that cannot leave the root, one MIME table,
// one Content-Security-Policy, so both shells hold the page to the same rules.
import { realpath, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isInside } from '../files/pathInside'

/**
 * The page may run only its own scripts (plus WebAssembly compilation, which NiiVue and itk-wasm
 * need), load images and volumes from itself, data: or blob:, and talk only to its own origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers every response of ours carries, whatever it is. */
export const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  // The token travels in the first URL; no-referrer keeps it out of any Referer header.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.lut': 'application/octet-stream',
}

export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a URL path to a file under `root`, or null when it is not one: percent-decoding, `..`
 * segments, NUL bytes, backslashes and symlinks pointing outside the root are all refused.
 * "/" and folders map to their index.html.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '')
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const segments = decoded.split('/')
  if (segments.some((s) => s === '..')) return null
  const base = resolve(root)
  let file = normalize(join(base, ...segments.filter((s) => s && s !== '.')))
  if (!isInside(file, base)) return null
  try {
    let st = await stat(file)
    if (st.isDirectory()) {
      file = join(file, 'index.html')
      st = await stat(file)
    }
    if (!st.isFile()) return null
    // A symlink inside dist/renderer must not become a way out of it.
    const [realRoot, realFile] = await Promise.all([realpath(base), realpath(file)])
    return isInside(realFile, realRoot) ? realFile : null
  } catch {
    return null
  }
}

/**
 * dist/renderer of this installation: the folder next to the package.json that holds this
 * module, found by walking up (this file is bundled into dist/node/ once built, and lives in
 * electron/transport/ when run from source through tsx).
 */
export function findRendererDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'electron'))) return join(dir, 'dist', 'renderer')
    if (existsSync(join(dir, 'dist', 'renderer', 'index.html'))) return join(dir, 'dist', 'renderer')
    const parent = dirname(dir)
    if (parent === dir) return join(from, '..', 'renderer')
    dir = parent
  }
}
