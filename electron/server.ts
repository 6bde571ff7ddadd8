// Browser mode: the same Api as the Electron window, over HTTP on the loopback interface, for a
// headless GPU server reached through an SSH tunnel. POST /api/<method> carries one call,
// GET /events streams JobEvents as server-sent events, everything else is the built renderer.
//
// Who may call: only a page holding the random per-launch token (header x-wizard-token; only the
// event stream also takes ?token=, as EventSource cannot set headers), sent to a Host that is this loopback
// address and port (defeats DNS rebinding), from no Origin or this very origin (defeats other
// sites in the same browser). The index page itself is public: it holds no data.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createReadStream } from 'node:fs'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { JobEvent } from '../shared/api'
import type { Service } from './service'
import { callApi } from './transport/dispatch'
import { ApiError, toApiError } from './transport/errors'
import { COMMON_HEADERS, CONTENT_SECURITY_POLICY, mimeType, resolveStaticFile } from './transport/staticFiles'

export const TOKEN_HEADER = 'x-wizard-token'
/** Project files and requests are small; volumes only ever go the other way. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024
const HEARTBEAT_MS = 15_000

/**
 * How long a client may take to send a request's headers, and the whole request. Nothing is
 * exempt but the event stream, which is a GET whose request is complete once its headers are in:
 * Node's request timeout ends there, so the stream stays open while a slow or stalled body (from
 * anyone, token or not) is cut off instead of holding a socket forever.
 */
export const DEFAULT_LIMITS = { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, maxEventStreams: 16 }
export type ServerLimits = typeof DEFAULT_LIMITS

export interface ServerOptions {
  service: Service
  /** dist/renderer (the built page). */
  staticDir: string
  port?: number
  host?: string
  /** Fixed token for tests; a fresh random one otherwise. */
  token?: string
  limits?: Partial<ServerLimits>
}

export interface RunningServer {
  url: string
  origin: string
  port: number
  token: string
  close(): Promise<void>
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host)
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...extra })
  res.end(body)
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value ?? null), 'application/json; charset=utf-8')
}

function refuse(res: ServerResponse, status: number, message: string, code: string): void {
  sendJson(res, status, { message, code })
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new ApiError(`The request is larger than ${MAX_BODY_BYTES} bytes.`, 'too-large', 413)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new ApiError(`The request is larger than ${MAX_BODY_BYTES} bytes.`, 'too-large', 413)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1'
  if (!isLoopbackHost(host)) {
    throw new Error(
      `Browser mode only listens on this machine (127.0.0.1), not on '${host}': anyone on the network could otherwise reach your files. ` +
        'From another computer, use an SSH tunnel: ssh -L PORT:127.0.0.1:PORT server',
    )
  }
  const token = opts.token ?? randomBytes(32).toString('base64url')
  const { service, staticDir } = opts
  const sseClients = new Set<ServerResponse>()
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...opts.limits }
  let port = 0

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`])

  /** Host and Origin checks apply to every request, static files included. */
  function checkHostAndOrigin(req: IncomingMessage): string | null {
    const hostHeader = (req.headers.host ?? '').toLowerCase()
    if (!allowedHosts().has(hostHeader)) return `Requests must be addressed to 127.0.0.1:${port}; '${hostHeader || '(none)'}' is not this server.`
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${hostHeader}`) return `Requests from another site (${origin}) are not accepted.`
    // Browsers label cross-site requests even where they omit Origin (e.g. some GETs).
    if (req.headers['sec-fetch-site'] === 'cross-site') return 'Requests from another site are not accepted.'
    return null
  }

  /**
   * The token from its header. Only the event stream may carry it in the address (EventSource cannot
   * set headers): an address ends up in logs, history and Referer headers, so an Api call never
   * accepts one there.
   */
  function hasToken(req: IncomingMessage, url: URL, fromAddress: boolean): boolean {
    const given = req.headers[TOKEN_HEADER]
    const value = typeof given === 'string' ? given : fromAddress ? (url.searchParams.get('token') ?? '') : ''
    return value.length > 0 && sameSecret(value, token)
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'Api calls are POST requests.', 'method-not-allowed')
    const type = req.headers['content-type'] ?? ''
    // Also rules out HTML form posts, which cannot send application/json.
    if (!type.startsWith('application/json')) return refuse(res, 415, 'Api calls carry a JSON body (content-type: application/json).', 'unsupported-media-type')
    try {
      const body = await readBody(req)
      let arg: unknown
      if (body.length > 0) {
        let parsed: unknown
        try {
          parsed = JSON.parse(body.toString('utf8'))
        } catch {
          throw new ApiError('The request body is not valid JSON.', 'invalid-json', 400)
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError('The request body must be an object {"arg": ...}.', 'invalid-json', 400)
        arg = (parsed as { arg?: unknown }).arg
      }
      const result = await callApi(service, method, arg)
      if (result instanceof Uint8Array) send(res, 200, result, 'application/octet-stream')
      else sendJson(res, 200, result === undefined ? null : result)
    } catch (err) {
      const e = toApiError(err, method)
      const { status, ...shape } = e
      if (!res.headersSent) sendJson(res, status, shape)
      else res.destroy()
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return refuse(res, 405, 'The event stream is a GET request.', 'method-not-allowed')
    // Each stream holds a socket and a timer for as long as it is open: a page that opens them
    // in a loop (or a forgotten pile of tabs) must not exhaust the server.
    if (sseClients.size >= limits.maxEventStreams) {
      return send(res, 503, JSON.stringify({ message: `Too many open event streams (${limits.maxEventStreams}): close other nnU-Net Wizard tabs or windows, then reload this page.`, code: 'too-many-streams' }), 'application/json; charset=utf-8', { 'retry-after': '10' })
    }
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    // retry: how long the browser's EventSource waits before reconnecting after a drop.
    res.write('retry: 2000\n: connected\n\n')
    sseClients.add(res)
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS)
    const drop = (): void => {
      clearInterval(heartbeat)
      sseClients.delete(res)
    }
    req.on('close', drop)
    res.on('close', drop)
    res.on('error', drop)
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here.', 'method-not-allowed')
    const file = await resolveStaticFile(staticDir, url.pathname)
    if (!file) {
      if (url.pathname === '/') return send(res, 503, `The wizard's page has not been built (no ${staticDir}/index.html). Run: npm run build`, 'text/plain; charset=utf-8')
      return send(res, 404, 'Not found', 'text/plain; charset=utf-8')
    }
    const type = mimeType(file)
    const headers: Record<string, string> = { ...COMMON_HEADERS, 'content-type': type }
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY
      headers['cache-control'] = 'no-store'
    } else {
      headers['cache-control'] = 'no-cache'
    }
    res.writeHead(200, headers)
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file).on('error', () => res.destroy()).pipe(res)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHostAndOrigin(req)
    if (refusal) return refuse(res, 403, refusal, 'forbidden')
    let url: URL
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    } catch {
      return refuse(res, 400, 'Malformed request URL.', 'bad-url')
    }
    const isApi = url.pathname.startsWith('/api/')
    if (isApi || url.pathname === '/events') {
      if (!hasToken(req, url, !isApi)) {
        const why = isApi && url.searchParams.has('token') ? ' An Api call carries it in the x-wizard-token header, never in the address.' : ''
        return refuse(res, 403, `This request has no valid access token. Open the full address printed by \`nnunet-wizard serve\` (it ends in ?token=...).${why}`, 'bad-token')
      }
      if (isApi) return handleApi(req, res, url.pathname.slice('/api/'.length)) // method names are plain identifiers: no decoding
      return handleEvents(req, res)
    }
    return handleStatic(req, res, url)
  }

  // Timeouts are checked every connectionsCheckingInterval (30 s by default, longer than a short limit).
  const checkEvery = Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4)))
  const server: HttpServer = createServer({ connectionsCheckingInterval: checkEvery, requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, err instanceof Error ? err.message : String(err), 'failed')
      else res.destroy()
    })
  })

  const unsubscribe = service.jobs.onEvent((ev: JobEvent) => {
    const frame = `data: ${JSON.stringify(ev)}\n\n`
    for (const client of sseClients) client.write(frame)
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  const origin = `http://${urlHost}:${port}`

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        unsubscribe()
        for (const client of sseClients) client.end()
        sseClients.clear()
        server.close(() => done())
        server.closeAllConnections()
      }),
  }
}
