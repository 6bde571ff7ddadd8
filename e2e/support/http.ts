// Raw HTTP against the wizard server for security specs: node:http rather than a browser or
// fetch, because the checks need exact control of Host, Origin and un-normalised paths.
import { request, type IncomingHttpHeaders } from 'node:http'
import type { WizardServer } from './server'

export interface RawReply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json<T = { message?: string; code?: string }>(): T
}

export function rawRequest(server: WizardServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** One Api call; `headers` override the defaults (token, content type, Host). */
export function apiCall(server: WizardServer, method: string, arg?: unknown, headers: Record<string, string> = {}): Promise<RawReply> {
  const body = JSON.stringify(arg === undefined ? {} : { arg })
  return rawRequest(server, 'POST', `/api/${method}`, { 'content-type': 'application/json', 'x-wizard-token': server.token, ...headers }, body)
}
