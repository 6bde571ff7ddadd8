// The pieces both transports share: the method list the preload uses, the generic dispatcher
// with its readable validation errors, the trusted-page check, and the static file resolver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiMethods, IPC_EVENT, IPC_PREFIX, type Api } from '../../shared/api'
import { IPC_EVENT as PLAIN_EVENT, IPC_PREFIX as PLAIN_PREFIX, methodsFromArgv, methodsSwitch } from '../../electron/transport/methods'
import { callApi, parseRequest } from '../../electron/transport/dispatch'
import { ApiError, toApiError } from '../../electron/transport/errors'
import { isTrustedAppUrl, APP_INDEX_URL } from '../../electron/transport/trustedSender'
import { resolveStaticFile, CONTENT_SECURITY_POLICY } from '../../electron/transport/staticFiles'

describe('method list for the preload', () => {
  it('travels from main to the preload intact, with the same channel names', () => {
    const argv = ['/opt/nnU-Net Wizard/electron', '--type=renderer', methodsSwitch(apiMethods)]
    expect(methodsFromArgv(argv)).toEqual(apiMethods)
    expect(PLAIN_PREFIX).toBe(IPC_PREFIX)
    expect(PLAIN_EVENT).toBe(IPC_EVENT)
  })

  it('takes only plain method names, and nothing without the switch', () => {
    expect(methodsFromArgv(['--nnunet-wizard-api=appInfo,__proto__,a-b,,listDir,x'.concat('y'.repeat(80))])).toEqual(['appInfo', 'listDir'])
    expect(methodsFromArgv(['--other=appInfo'])).toEqual([])
  })
})

describe('dispatch', () => {
  const calls: [string, unknown][] = []
  const service = new Proxy({} as Api, {
    get: (_t, name: string) => async (arg: unknown) => {
      calls.push([name, arg])
      return { called: name }
    },
  })

  it('validates and fills defaults before the service runs', async () => {
    await expect(callApi(service, 'listDir', { path: '/tmp' })).resolves.toEqual({ called: 'listDir' })
    expect(calls.at(-1)).toEqual(['listDir', { path: '/tmp', showFiles: false, showHidden: false }])
  })

  it('names the missing field', () => {
    expect(() => parseRequest('scanSources', { labels: [{ name: 'organ', dir: '/x' }] })).toThrow('Invalid request to scanSources: imagesDir is required.')
    expect(() => parseRequest('scanSources', { imagesDir: '/x', labels: [{ name: 'organ' }] })).toThrow('labels[0].dir is required')
    expect(() => parseRequest('scanSources', { imagesDir: '', labels: [] })).toThrow(/imagesDir: a path is required; labels: at least one mask folder is required/)
    expect(() => parseRequest('listDir', undefined)).toThrow('a request object is required')
  })

  it('refuses input to a method that takes none, and unknown methods', async () => {
    expect(() => parseRequest('appInfo', { x: 1 })).toThrow('appInfo takes no input')
    expect(parseRequest('appInfo', undefined)).toBeUndefined()
    await expect(callApi(service, 'constructor', {})).rejects.toMatchObject({ code: 'unknown-method', status: 404 })
    await expect(callApi(service, '__proto__', {})).rejects.toMatchObject({ code: 'unknown-method' })
  })

  it('turns any thrown value into the shape both transports send', () => {
    expect(toApiError(new ApiError('nope', 'x', 403))).toEqual({ message: 'nope', code: 'x', status: 403 })
    expect(toApiError(new Error('The folder /a does not exist.'))).toEqual({ message: 'The folder /a does not exist.', code: 'failed', status: 500 })
    const withFindings = Object.assign(new Error('bad'), { findings: [{ severity: 'error', code: 'c', text: 't' }] })
    expect(toApiError(withFindings).findings).toHaveLength(1)
    expect(toApiError('plain').message).toBe('plain')
  })
})

describe('trusted page', () => {
  it('accepts only the app:// page', () => {
    expect(isTrustedAppUrl(APP_INDEX_URL)).toBe(true)
    expect(isTrustedAppUrl('app://wizard/index.html#/preview')).toBe(true)
    for (const url of ['file:///work/main/dist/renderer/index.html', 'https://wizard/', 'app://evil/index.html', 'app://x@wizard/', 'app://wizard:8080/', 'about:blank', '', 'not a url']) {
      expect(isTrustedAppUrl(url), url).toBe(false)
    }
  })
})

describe('static files', () => {
  let root: string
  let outside: string
  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'wizard-static-'))
    root = join(base, 'renderer')
    outside = join(base, 'secret.txt')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html>')
    await writeFile(join(root, 'assets', 'app.js'), '')
    await writeFile(outside, 'secret')
    await symlink(outside, join(root, 'assets', 'link.txt'))
  })
  afterAll(async () => {
    await rm(join(root, '..'), { recursive: true, force: true })
  })

  it('maps / and files inside the root', async () => {
    expect(await resolveStaticFile(root, '/')).toBe(join(root, 'index.html'))
    expect(await resolveStaticFile(root, '/assets/app.js?v=1')).toBe(join(root, 'assets', 'app.js'))
  })

  it('never leaves the root', async () => {
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..\\secret.txt', '/%00', '/%E0%A4%A', '/assets/link.txt', '/../../../../etc/passwd']) {
      expect(await resolveStaticFile(root, p), p).toBeNull()
    }
  })

  it('has a strict policy', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'")
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/ 'unsafe-eval'/)
  })
})
