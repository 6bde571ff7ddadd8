// Headless Debian Chromium through playwright-core, with the flags the project uses for WebGL2
// on a machine without a GPU (SwiftShader), plus a tiny static file server for bench pages.
import process from 'node:process'
import { URL } from 'node:url'
import { createServer } from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { extname, join, normalize } from 'node:path'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-precise-memory-info',
]

export async function launch() {
  let chromium
  try {
    ;({ chromium } = await import('playwright-core'))
  } catch {
    ;({ chromium } = await import('@playwright/test'))
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** JS heap from the DevTools protocol: { usedMB, totalMB }; gc first when asked. */
export async function jsHeap(cdp, { gc = false } = {}) {
  if (gc) await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = await cdp.send('Performance.getMetrics')
  const get = (k) => metrics.find((m) => m.name === k)?.value ?? NaN
  return { usedMB: get('JSHeapUsedSize') / 2 ** 20, totalMB: get('JSHeapTotalSize') / 2 ** 20, domNodes: get('Nodes') }
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.wasm': 'application/wasm' }

/** Serve `dir` on 127.0.0.1 (random port); resolves to { url, close }. */
export function serveDir(dir) {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname)))
    const file = path.endsWith('/') ? join(path, 'index.html') : path
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() })),
  )
}
