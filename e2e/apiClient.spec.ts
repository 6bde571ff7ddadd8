// renderer/api.ts in real Chromium against the real server: the client module is bundled on its
// own (esbuild) and served from the server's origin through a Playwright route, so it runs with
// the same origin, CSP and token rules as the wizard page, but is reachable from the test.
import { build } from 'esbuild'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import type { ApiClient, JobEvent, PreviewResult } from '../shared/api'
import { test, expect, repoRoot } from './support/server'
import { CONTENT_SECURITY_POLICY } from '../electron/transport/staticFiles'
import { makeGuideFolders, type GuideFolders } from '../test/helpers/guideFolders'

interface ClientWindow {
  __wizard: { api: ApiClient; isElectron: boolean }
}

interface EventWindow {
  __eventSources: EventSource[]
  __seen: JobEvent[]
}

let clientJs = ''
let guideRoot = ''
let guide: GuideFolders

test.beforeAll(async () => {
  const out = await build({
    stdin: { contents: "import { api, isElectron, ApiCallError } from './renderer/api'; Object.assign(window, { __wizard: { api, isElectron, ApiCallError } })", resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  })
  clientJs = out.outputFiles[0]!.text
  guideRoot = await mkdtemp(join(tmpdir(), 'nnunet-wizard-client-'))
  guide = await makeGuideFolders(guideRoot, { cases: 1, source: 'aorta' })
})

test.afterAll(async () => {
  await rm(guideRoot, { recursive: true, force: true })
})

/** Opens the test page at `/__client.html?token=...` on the wizard's own origin. */
async function openClient(page: Page, origin: string, query: string): Promise<void> {
  await page.route(`${origin}/__client.html*`, (route) =>
    route.fulfill({ contentType: 'text/html', headers: { 'content-security-policy': CONTENT_SECURITY_POLICY }, body: '<!doctype html><title>client</title><script type="module" src="/__client.js"></script>' }),
  )
  await page.route(`${origin}/__client.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: clientJs }))
  await page.goto(`${origin}/__client.html${query}`)
  await page.waitForFunction(() => '__wizard' in window)
}

test('every method goes over HTTP with the token, and the token leaves the address bar', async ({ wizard, page }) => {
  await openClient(page, wizard.origin, `?token=${wizard.token}&keep=1`)
  expect(new URL(page.url()).search).toBe('?keep=1')
  const info = await page.evaluate(() => (window as unknown as ClientWindow).__wizard.api.appInfo())
  expect(info).toMatchObject({ mode: 'browser', dataDir: wizard.dataDir })
  expect(await page.evaluate(() => (window as unknown as ClientWindow).__wizard.isElectron)).toBe(false)
  const methods = await page.evaluate(() => Object.keys((window as unknown as ClientWindow).__wizard.api).sort())
  const { apiMethods } = await import('../shared/api')
  expect(methods).toEqual([...apiMethods, 'onEvent'].sort())
})

test('errors arrive as the server message', async ({ wizard, page }) => {
  await openClient(page, wizard.origin, `?token=${wizard.token}`)
  const err = await page.evaluate(async () => {
    try {
      await (window as unknown as ClientWindow).__wizard.api.scanSources({ labels: [] } as never)
      return null
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message, code: (e as { code?: string }).code }
    }
  })
  expect(err).toEqual({ name: 'ApiCallError', message: 'Invalid request to scanSources: imagesDir is required; labels: at least one mask folder is required.', code: 'invalid-input' })
})

test('the token survives a reload through sessionStorage; without it calls are refused', async ({ wizard, page, context }) => {
  await openClient(page, wizard.origin, `?token=${wizard.token}`)
  await page.reload()
  await page.waitForFunction(() => '__wizard' in window)
  expect((await page.evaluate(() => (window as unknown as ClientWindow).__wizard.api.appInfo())).mode).toBe('browser')
  const other = await context.newPage()
  await openClient(other, wizard.origin, '')
  const message = await other.evaluate(() => (window as unknown as ClientWindow).__wizard.api.appInfo().then(() => 'ok', (e: Error) => e.message))
  expect(message).toMatch(/access token/)
})

test('preview volumes arrive as bytes, job events over EventSource', async ({ wizard, page }) => {
  // Keep each EventSource the page opens, so the test can wait for the stream to be open.
  await page.addInitScript(() => {
    const opened: EventSource[] = []
    const Native = window.EventSource
    Object.assign(window, { __eventSources: opened })
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init)
        opened.push(this)
      }
    }
  })
  await openClient(page, wizard.origin, `?token=${wizard.token}`)
  const sources = { imagesDir: guide.images, labels: [{ name: 'organ', dir: guide.organ }, { name: 'tumor', dir: guide.tumor }] }
  const volume = await page.evaluate(
    async ({ sources, caseKey }) => {
      const { api } = (window as unknown as ClientWindow).__wizard
      const p: PreviewResult = await api.preview({ sources, caseKey })
      const bytes: Uint8Array = await api.getVolume({ id: p.labelVolume })
      return { isBytes: bytes instanceof Uint8Array, length: bytes.length, sizeofHdr: new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true) }
    },
    { sources, caseKey: guide.caseKeys[0]! },
  )
  expect(volume.isBytes).toBe(true)
  expect(volume.sizeofHdr).toBe(348)
  expect(volume.length).toBeGreaterThan(352)

  // Listen first and wait until the event stream is open, so no event of the job can be missed.
  await page.evaluate(() => {
    const w = window as unknown as ClientWindow & EventWindow
    w.__seen = []
    w.__wizard.api.onEvent((e: JobEvent) => w.__seen.push(e))
  })
  await page.waitForFunction(() => (window as unknown as EventWindow).__eventSources.some((es) => es.readyState === EventSource.OPEN))
  const jobId = await page.evaluate(async (sources) => (await (window as unknown as ClientWindow).__wizard.api.validate(sources)).jobId, sources)
  const exitOf = (id: string) => (window as unknown as EventWindow).__seen.some((e) => e.type === 'exit' && e.jobId === id)
  await page.waitForFunction(exitOf, jobId, { timeout: 120_000 })
  const events = await page.evaluate(
    (id) =>
      (window as unknown as EventWindow).__seen
        .filter((e) => (e.type === 'job' ? e.job.id : 'jobId' in e ? e.jobId : undefined) === id)
        .map((e) => ({ type: e.type, state: e.type === 'exit' ? e.state : e.type === 'job' ? e.job.state : undefined })),
    jobId,
  )
  // One exit, done; the job's own record (sent after it as well) ends done too.
  expect(events.filter((e) => e.type === 'exit')).toEqual([{ type: 'exit', state: 'done' }])
  expect(events.filter((e) => e.type === 'job').at(-1)).toMatchObject({ state: 'done' })
})
