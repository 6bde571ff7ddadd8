// Browser mode on a real port with the real service (its data folder in a temp dir): who may
// call, what a refusal says, validation messages, server-sent job events, the binary path of
// getVolume and the static files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JobEvent, PreviewResult } from '../../shared/api'
import { createService, type Service } from '../../electron/service'
import { startServer, MAX_BODY_BYTES, type RunningServer } from '../../electron/server'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  json: () => unknown
}

let base: string
let service: Service
let server: RunningServer
let staticDir: string

function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const buf = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) })
      })
    })
    req.on('error', reject)
    if (body !== undefined) req.end(body)
    else req.end()
  })
}

function call(method: string, arg?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return raw('POST', `/api/${method}`, { 'content-type': 'application/json', 'x-wizard-token': server.token, ...headers }, JSON.stringify(arg === undefined ? {} : { arg }))
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-server-'))
  staticDir = join(base, 'renderer')
  await mkdir(join(staticDir, 'assets'), { recursive: true })
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>nnU-Net Wizard</title>')
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(join(base, 'outside.txt'), 'not for the browser')
  service = createService({ mode: 'browser' }, join(base, 'data'))
  server = await startServer({ service, staticDir })
})

afterAll(async () => {
  await server?.close()
  await rm(base, { recursive: true, force: true })
})

describe('address and token', () => {
  it('listens on 127.0.0.1 with a long random token in the printed URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses to listen on a non-loopback address', async () => {
    await expect(startServer({ service, staticDir, host: '0.0.0.0' })).rejects.toThrow(/only listens on this machine/)
  })

  it('answers a call that carries the token', async () => {
    const r = await call('appInfo')
    expect(r.status).toBe(200)
    expect(r.json()).toMatchObject({ mode: 'browser', dataDir: join(base, 'data') })
  })

  it('refuses a call without the token, or with a wrong one', async () => {
    const none = await raw('POST', '/api/appInfo', { 'content-type': 'application/json' }, '{}')
    expect(none.status).toBe(403)
    expect(none.json()).toMatchObject({ code: 'bad-token' })
    expect((none.json() as { message: string }).message).toMatch(/access token/)
    for (const wrong of ['x', server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A'), `${server.token}x`]) {
      expect((await call('appInfo', undefined, { 'x-wizard-token': wrong })).status).toBe(403)
    }
  })

  it('takes the token in the address only for the event stream (what EventSource can send), never for an Api call', async () => {
    const r = await raw('POST', `/api/appInfo?token=${server.token}`, { 'content-type': 'application/json' }, '{}')
    expect(r.status).toBe(403)
    expect((r.json() as { message: string }).message).toContain('x-wizard-token header, never in the address')
  })
})

describe('Host and Origin', () => {
  it('refuses a foreign Host even with the token (DNS rebinding)', async () => {
    const r = await call('appInfo', undefined, { host: `evil.example:${server.port}` })
    expect(r.status).toBe(403)
    expect((r.json() as { message: string }).message).toContain('evil.example')
    expect((await call('appInfo', undefined, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403)
    expect((await raw('GET', '/', { host: 'evil.example' })).status).toBe(403)
  })

  it('accepts localhost and 127.0.0.1 on its own port', async () => {
    expect((await call('appInfo', undefined, { host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('refuses a foreign Origin and a cross-site fetch, accepts its own origin', async () => {
    const foreign = await call('appInfo', undefined, { origin: 'http://evil.example' })
    expect(foreign.status).toBe(403)
    expect((foreign.json() as { message: string }).message).toContain('http://evil.example')
    expect((await call('appInfo', undefined, { origin: 'null' })).status).toBe(403)
    expect((await call('appInfo', undefined, { origin: `http://localhost:${server.port}` })).status).toBe(403)
    expect((await call('appInfo', undefined, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await call('appInfo', undefined, { origin: server.origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200)
  })
})

describe('Api calls', () => {
  it('only takes JSON POSTs of a bounded size', async () => {
    expect((await raw('GET', '/api/appInfo', { 'x-wizard-token': server.token })).status).toBe(405)
    expect((await raw('POST', '/api/appInfo', { 'x-wizard-token': server.token, 'content-type': 'text/plain' }, '{}')).status).toBe(415)
    const bad = await raw('POST', '/api/appInfo', { 'x-wizard-token': server.token, 'content-type': 'application/json' }, '{nope')
    expect(bad.status).toBe(400)
    expect(bad.json()).toMatchObject({ message: 'The request body is not valid JSON.' })
    const big = await raw('POST', '/api/listDir', { 'x-wizard-token': server.token, 'content-type': 'application/json' }, Buffer.alloc(MAX_BODY_BYTES + 10, 32))
    expect(big.status).toBe(413)
  })

  it('names an unknown method', async () => {
    const r = await call('deleteEverything')
    expect(r.status).toBe(404)
    expect(r.json()).toEqual({ message: "Unknown Api method 'deleteEverything'.", code: 'unknown-method' })
  })

  it('says which field is wrong', async () => {
    const r = await call('scanSources', { labels: [{ name: 'organ', dir: '/tmp' }] })
    expect(r.status).toBe(400)
    expect(r.json()).toEqual({ message: 'Invalid request to scanSources: imagesDir is required.', code: 'invalid-input' })
    const r2 = await call('cancelJob', { jobId: '../../etc' })
    expect(r2.status).toBe(400)
    expect((r2.json() as { message: string }).message).toMatch(/^Invalid request to cancelJob: jobId: /)
    expect((await call('appInfo', { unexpected: true })).status).toBe(400)
  })

  it('lists folders and explains a missing one', async () => {
    const ok = await call('listDir', { path: base })
    expect(ok.status).toBe(200)
    expect((ok.json() as { entries: { name: string }[] }).entries.map((e) => e.name)).toContain('renderer')
    const missing = join(base, 'nope')
    const r = await call('listDir', { path: missing })
    expect(r.json()).toMatchObject({ message: `The folder ${missing} does not exist.` })
  })

  it('keeps settings and projects through the same calls as the desktop app', async () => {
    expect((await call('setSettings', { device: 'cpu' })).json()).toMatchObject({ device: 'cpu' })
    expect((await call('getSettings')).json()).toMatchObject({ device: 'cpu' })
    const file = join(base, 'study.nnwizard.json')
    const project = { format: 'nnunet-wizard-project', version: 1, sources: { imagesDir: '/d/image', labels: [{ name: 'organ', dir: '/d/organ' }] }, output: { name: 'Study' } }
    expect((await call('saveProject', { path: file, project })).status).toBe(200)
    expect((await call('loadProject', { path: file })).json()).toMatchObject({ output: { name: 'Study' } })
    expect((await call('recentProjects')).json()).toMatchObject([{ path: file, name: 'Study' }])
  })

  it('has no native dialog or file manager in browser mode, and says so', async () => {
    expect((await call('pickFolder', {})).json()).toBeNull()
    const r = await call('openPath', { path: base })
    expect((r.json() as { message: string }).message).toMatch(/only available in the desktop app/)
  })
})

describe('job events over server-sent events', () => {
  function listen(query: string): Promise<{ events: JobEvent[]; status: number; close: () => void; waitFor: (pred: (e: JobEvent) => boolean) => Promise<JobEvent> }> {
    return new Promise((resolve, reject) => {
      const events: JobEvent[] = []
      const waiters: { pred: (e: JobEvent) => boolean; done: (e: JobEvent) => void }[] = []
      const req = request({ host: '127.0.0.1', port: server.port, path: `/events${query}`, headers: { host: `127.0.0.1:${server.port}`, accept: 'text/event-stream' } }, (res) => {
        let buf = ''
        res.setEncoding('utf8')
        res.on('data', (text: string) => {
          buf += text
          let i
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i)
            buf = buf.slice(i + 2)
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n')
            if (!data) continue
            const ev = JSON.parse(data) as JobEvent
            events.push(ev)
            for (const w of [...waiters]) if (w.pred(ev)) w.done(ev)
          }
        })
        const waitFor = (pred: (e: JobEvent) => boolean): Promise<JobEvent> => {
          const seen = events.find(pred)
          if (seen) return Promise.resolve(seen)
          return new Promise((done) => waiters.push({ pred, done }))
        }
        resolve({ events, status: res.statusCode ?? 0, close: () => req.destroy(), waitFor })
      })
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)))
      req.end()
    })
  }

  it('refuses the stream without the token', async () => {
    const s = await listen('')
    expect(s.status).toBe(403)
    s.close()
  })

  it('delivers progress, log lines and the exit of a job', async () => {
    const s = await listen(`?token=${server.token}`)
    expect(s.status).toBe(200)
    const job = await service.jobs.start('validate', 'Transport test', async (ctx) => {
      ctx.progress({ done: 1, total: 2, unit: 'cases' })
      ctx.log('checked case 1\n')
      return { ok: true }
    })
    const exit = await s.waitFor((e) => e.type === 'exit' && e.jobId === job.id)
    expect(exit).toMatchObject({ state: 'done', result: { ok: true } })
    expect(s.events.some((e) => e.type === 'progress' && e.jobId === job.id && e.progress.done === 1)).toBe(true)
    expect(s.events.some((e) => e.type === 'log' && e.jobId === job.id && e.lines.some((l) => l.text === 'checked case 1'))).toBe(true)
    s.close()
  })

  it('reports a job started through the Api, to every listener', async () => {
    const a = await listen(`?token=${server.token}`)
    const b = await listen(`?token=${server.token}`)
    const r = await call('validate', { imagesDir: join(base, 'no-images'), labels: [{ name: 'organ', dir: join(base, 'no-organ') }] })
    expect(r.status).toBe(200)
    const { jobId } = r.json() as { jobId: string }
    for (const s of [a, b]) {
      await s.waitFor((e) => e.type === 'job' && e.job.id === jobId && e.job.kind === 'validate')
      await s.waitFor((e) => e.type === 'exit' && e.jobId === jobId)
      s.close()
    }
    const jobs = (await call('listJobs')).json() as { id: string }[]
    expect(jobs.map((j) => j.id)).toContain(jobId)
  })
})

describe('limits: request timeouts (not on the event stream) and a cap on event streams', () => {
  let limited: RunningServer
  beforeAll(async () => {
    limited = await startServer({ service, staticDir, limits: { headersTimeoutMs: 300, requestTimeoutMs: 300, maxEventStreams: 2 } })
  })
  afterAll(async () => {
    await limited?.close()
  })

  async function until(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** A raw connection that sends `text` and then nothing more; records what comes back and when it closes. */
  function stall(text: string): { closed: () => boolean; received: () => string } {
    const sock = connect(limited.port, '127.0.0.1', () => sock.write(text))
    let closed = false
    let received = ''
    sock.on('data', (d: Buffer) => (received += d.toString('latin1')))
    sock.on('error', () => undefined)
    sock.on('close', () => (closed = true))
    return { closed: () => closed, received: () => received }
  }

  function stream(): Promise<{ status: number; body: () => string; closed: () => boolean; close: () => void }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: limited.port, path: `/events?token=${limited.token}`, headers: { host: `127.0.0.1:${limited.port}` } }, (res) => {
        let body = ''
        let closed = false
        res.setEncoding('utf8')
        res.on('data', (t: string) => (body += t))
        res.on('close', () => (closed = true))
        resolve({ status: res.statusCode ?? 0, body: () => body, closed: () => closed, close: () => req.destroy() })
      })
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)))
      req.end()
    })
  }

  it('cuts off a stalled body or stalled headers, with or without the token, while the event stream stays open', async () => {
    const events = await stream()
    expect(events.status).toBe(200)
    const host = `Host: 127.0.0.1:${limited.port}\r\n`
    const noToken = stall(`POST /api/appInfo HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a`)
    const withToken = stall(`POST /api/listDir HTTP/1.1\r\n${host}Content-Type: application/json\r\nx-wizard-token: ${limited.token}\r\nContent-Length: 1000\r\n\r\n{"a`)
    const headers = stall(`GET / HTTP/1.1\r\n${host}`)
    await until('the stalled body without the token is cut off', noToken.closed)
    await until('the stalled body with the token is cut off', withToken.closed)
    await until('the stalled headers are cut off', headers.closed)
    expect(withToken.received()).toMatch(/^HTTP\/1\.1 408/)
    // The stream has now been open longer than any request may take, and still delivers.
    const job = await service.jobs.start('validate', 'after the timeouts', async () => 1)
    await until('the stream delivers the job exit', () => events.body().includes(`"type":"exit","jobId":"${job.id}"`))
    expect(events.closed()).toBe(false)
    events.close()
    await until('the closed stream is released', () => events.closed())
  })

  it('refuses an event stream over the cap with 503 and a message, and takes one again when another closes', async () => {
    const a = await stream()
    const b = await stream()
    expect([a.status, b.status]).toEqual([200, 200])
    const c = await stream()
    expect(c.status).toBe(503)
    await until('the refusal body', () => c.closed())
    expect(JSON.parse(c.body())).toEqual({ message: 'Too many open event streams (2): close other nnU-Net Wizard tabs or windows, then reload this page.', code: 'too-many-streams' })
    a.close()
    let again = await stream()
    const end = Date.now() + 10_000
    while (again.status !== 200 && Date.now() < end) again = await stream()
    expect(again.status).toBe(200)
    b.close()
    again.close()
  })
})

describe('getVolume', () => {
  let guide: GuideFolders
  beforeAll(async () => {
    guide = await makeGuideFolders(join(base, 'guide'), { cases: 1, source: 'aorta' })
  })

  it('sends preview volumes as raw NIfTI bytes', async () => {
    const sources = { imagesDir: guide.images, labels: [{ name: 'organ', dir: guide.organ }, { name: 'tumor', dir: guide.tumor }] }
    const p = await call('preview', { sources, caseKey: guide.caseKeys[0] })
    expect(p.status, p.body.toString()).toBe(200)
    const preview = p.json() as PreviewResult
    const v = await call('getVolume', { id: preview.labelVolume })
    expect(v.status).toBe(200)
    expect(v.headers['content-type']).toBe('application/octet-stream')
    expect(v.body.readInt32LE(0)).toBe(348) // sizeof_hdr of NIfTI-1
    expect(v.body.subarray(344, 348).toString('latin1')).toBe('n+1\0')
  })

  it('explains an expired volume', async () => {
    const r = await call('getVolume', { id: 'AAAAAAAAAAAA' })
    expect((r.json() as { message: string }).message).toMatch(/expired/)
  })
})

describe('static files', () => {
  it('serves the page with the same CSP as the desktop window, to anyone', async () => {
    const r = await raw('GET', '/', {})
    expect(r.status).toBe(200)
    expect(r.body.toString()).toContain('nnU-Net Wizard')
    expect(r.headers['content-security-policy']).toContain("default-src 'self'")
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.headers['referrer-policy']).toBe('no-referrer')
    expect((await raw('GET', '/assets/app.js', {})).headers['content-type']).toMatch(/^text\/javascript/)
  })

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../outside.txt', '/../../etc/passwd', '/assets/../../outside.txt', '/%2e%2e/outside.txt', '/..%2F..%2Fetc%2Fpasswd', '/%2e%2e%5coutside.txt']) {
      const r = await raw('GET', path, {})
      expect(r.status, path).toBe(404)
      expect(r.body.toString()).not.toContain('not for the browser')
      expect(r.body.toString()).not.toContain('root:')
    }
  })
})
