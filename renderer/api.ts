// The Api client the renderer holds. Under Electron it is `window.api`, put there by the preload.
// In browser mode (`nnunet-wizard serve`) every method of the contract is generated from the
// method list: one POST /api/<method> each, and job events arrive over one EventSource on
// /events. Either way the renderer sees the same ApiClient and never knows which it has.
import { apiMethods, type ApiClient, type ApiErrorShape, type ApiEventListener, type JobEvent } from '../shared/api'
import { isSessionEnded, SESSION_ENDED_CODE, SESSION_ENDED_MESSAGE } from './lib/sessionEnded'

declare global {
  interface Window {
    /** Present only inside the Electron window (electron/preload.ts). */
    api?: ApiClient
  }
}

const TOKEN_KEY = 'nnunet-wizard-token'
const TOKEN_HEADER = 'x-wizard-token'

/**
 * An Api failure, with the server's message (written for the user) and optional details. Both
 * transports throw this one class, so a step can branch on `code` and show `findings` without
 * knowing whether it runs under Electron or in a browser.
 */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly findings?: ApiErrorShape['findings'],
    readonly status?: number,
  ) {
    super(message)
    this.name = 'ApiCallError'
  }
}

/** Whatever a transport rejected with (an error envelope, an Error, anything) as an ApiCallError. */
export function toApiCallError(reason: unknown): ApiCallError {
  if (reason instanceof ApiCallError) return reason
  if (reason !== null && typeof reason === 'object' && typeof (reason as { message?: unknown }).message === 'string') {
    const e = reason as Partial<ApiErrorShape> & { message: string; status?: unknown }
    return new ApiCallError(e.message, typeof e.code === 'string' ? e.code : undefined, Array.isArray(e.findings) ? e.findings : undefined, typeof e.status === 'number' ? e.status : undefined)
  }
  return new ApiCallError(String(reason), 'failed')
}

/**
 * The client over the preload's `window.api`: the same methods, with each rejection (the error
 * envelope, passed across the context bridge as a plain object) rethrown as an ApiCallError.
 */
export function bridgeClient(bridge: ApiClient): ApiClient {
  const raw = bridge as unknown as Record<string, (arg?: unknown) => Promise<unknown>>
  const client: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(raw)) {
    client[name] = name === 'onEvent' ? fn : (arg?: unknown) => fn(arg).catch((reason: unknown) => Promise.reject(toApiCallError(reason)))
  }
  return client as unknown as ApiClient
}

/**
 * The token arrives once in the address (?token=...). It is kept in sessionStorage (this tab
 * only, gone when the tab closes) and removed from the visible URL so it does not end up in
 * history, bookmarks or a screenshot.
 */
function takeToken(): string {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl)
    } catch {
      // storage disabled: the token still lives in this module for the page's lifetime
    }
    url.searchParams.delete('token')
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

async function failure(res: Response, method: string): Promise<ApiCallError> {
  try {
    const body = (await res.json()) as Partial<ApiErrorShape>
    if (typeof body.message === 'string') return new ApiCallError(body.message, body.code, body.findings, res.status)
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiCallError(`${method} failed (HTTP ${res.status} ${res.statusText}).`, `http-${res.status}`, undefined, res.status)
}

/** The browser-mode client; `deps` stand in for fetch and the page's token in unit tests. */
export function httpClient(deps: { fetch?: typeof fetch; token?: () => string } = {}): ApiClient {
  // Read (and stripped from the address bar) as soon as the page loads, before anything can
  // copy the URL; lazily where there is no window (unit tests importing renderer modules).
  let cachedToken: string | undefined = deps.token ? deps.token() : typeof window !== 'undefined' ? takeToken() : undefined
  const tokenNow = (): string => (cachedToken ??= takeToken())
  const fetchNow = deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))

  async function call(method: string, arg: unknown): Promise<unknown> {
    // The server that gave this tab its token is gone: say so again, without asking it.
    if (ended) throw ended
    let res: Response
    try {
      res = await fetchNow(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: tokenNow() },
        body: JSON.stringify(arg === undefined ? {} : { arg }),
        credentials: 'omit',
        cache: 'no-store',
      })
    } catch {
      throw new ApiCallError('The wizard server cannot be reached. Is `nnunet-wizard serve` still running (and the SSH tunnel open)?', 'offline')
    }
    if (!res.ok) {
      const err = await failure(res, method)
      if (isSessionEnded(err, tokenNow() !== '')) endSession()
      throw ended ?? err
    }
    if ((res.headers.get('content-type') ?? '').startsWith('application/octet-stream')) return new Uint8Array(await res.arrayBuffer())
    return res.json()
  }

  // One EventSource shared by all listeners, opened with the first and closed with the last.
  // EventSource reconnects by itself after a dropped connection; when the server refused it or
  // went away entirely (readyState CLOSED) we reopen it with a growing delay.
  const listeners = new Set<ApiEventListener>()
  let ended: ApiCallError | undefined
  /** Once: every later call rejects with the same message, events stop, the banner shows. */
  function endSession(): void {
    if (ended) return
    ended = new ApiCallError(SESSION_ENDED_MESSAGE, SESSION_ENDED_CODE, undefined, 403)
    clearTimeout(retryTimer)
    source?.close()
    source = null
    markSessionEnded()
  }
  let source: EventSource | null = null
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let retryDelay = 1000

  function open(): void {
    if (source || listeners.size === 0 || ended) return
    const es = new EventSource(`/events?token=${encodeURIComponent(tokenNow())}`)
    source = es
    es.onopen = () => {
      retryDelay = 1000
    }
    es.onmessage = (msg: MessageEvent<string>) => {
      let ev: JobEvent
      try {
        ev = JSON.parse(msg.data) as JobEvent
      } catch {
        return
      }
      for (const l of [...listeners]) l(ev)
    }
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) return
      es.close()
      if (source === es) source = null
      // EventSource does not tell why it was refused: ask once, so a tab that only watches learns
      // that its server was restarted too (instead of showing stale jobs and reconnecting forever).
      void refusedToken().then((gone) => {
        if (gone) return endSession()
        clearTimeout(retryTimer)
        retryTimer = setTimeout(open, retryDelay)
        retryDelay = Math.min(retryDelay * 2, 30_000)
      })
    }
  }

  /** True when the server answers this tab's token with 403 bad-token (its session is over). */
  async function refusedToken(): Promise<boolean> {
    const token = tokenNow()
    if (!token || ended) return !!ended
    const abort = new AbortController()
    try {
      const res = await fetchNow(`/events?token=${encodeURIComponent(token)}`, { signal: abort.signal, credentials: 'omit', cache: 'no-store' })
      if (res.ok) return false
      const body = (await res.json().catch(() => ({}))) as { code?: string }
      return isSessionEnded({ status: res.status, code: body.code }, true)
    } catch {
      return false // not reachable now (stopped, tunnel down): keep trying, as before
    } finally {
      abort.abort() // an accepted stream is not read: this was only a question
    }
  }

  const client: Record<string, unknown> = {}
  for (const method of apiMethods) client[method] = (arg?: unknown) => call(method, arg)
  client.onEvent = (listener: ApiEventListener) => {
    listeners.add(listener)
    open()
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0) {
        clearTimeout(retryTimer)
        source?.close()
        source = null
      }
    }
  }
  return client as unknown as ApiClient
}

// Whether this tab's server session ended (browser mode), for the banner above every step.
let sessionEnded = false
const sessionListeners = new Set<() => void>()
function markSessionEnded(): void {
  sessionEnded = true
  for (const l of [...sessionListeners]) l()
}
/** useSyncExternalStore's pair: true once a call found this tab's server restarted or stopped. */
export const sessionEndedStore = {
  subscribe(listener: () => void): () => void {
    sessionListeners.add(listener)
    return () => sessionListeners.delete(listener)
  },
  get: (): boolean => sessionEnded,
}

/** True inside the desktop app (native folder dialogs, opening folders in the file manager). */
export const isElectron = typeof window !== 'undefined' && window.api !== undefined

export const api: ApiClient = typeof window !== 'undefined' && window.api ? bridgeClient(window.api) : httpClient()
