// Browser mode's security promises, checked against the real server process and, where a page
// is involved, in real Chromium: no token no Api, no foreign Host or Origin, no file outside the
// built page, and user text with shell metacharacters treated as text.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect, repoRoot } from './support/server'
import { apiCall, rawRequest } from './support/http'

test.describe('browser mode refuses callers without the token', () => {
  test('an Api call without the token is refused', async ({ wizard }) => {
    const r = await apiCall(wizard, 'appInfo', undefined, { 'x-wizard-token': '' })
    expect(r.status).toBe(403)
    expect(r.json()).toMatchObject({ code: 'bad-token' })
    expect(r.json().message).toContain('?token=')
  })

  test('a wrong token is refused', async ({ wizard }) => {
    const flipped = wizard.token.slice(0, -1) + (wizard.token.endsWith('a') ? 'b' : 'a')
    expect((await apiCall(wizard, 'appInfo', undefined, { 'x-wizard-token': flipped })).status).toBe(403)
    expect((await apiCall(wizard, 'listDir', { path: '/' }, { 'x-wizard-token': 'guess' })).status).toBe(403)
    expect((await rawRequest(wizard, 'GET', '/events?token=guess')).status).toBe(403)
  })

  test('a foreign Origin is refused even with the token', async ({ wizard }) => {
    const r = await apiCall(wizard, 'appInfo', undefined, { origin: 'https://evil.example' })
    expect(r.status).toBe(403)
    expect(r.json().message).toContain('https://evil.example')
  })

  test('a foreign Host is refused even with the token', async ({ wizard }) => {
    const r = await apiCall(wizard, 'appInfo', undefined, { host: `attacker.example:${wizard.port}` })
    expect(r.status).toBe(403)
    expect(r.json().message).toContain('attacker.example')
  })

  test('a page on another origin cannot call the Api from the browser', async ({ wizard, page }) => {
    // A stand-in for a malicious site open in the same browser, which somehow knows the port.
    await page.route('http://evil.example/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title>' }))
    await page.goto('http://evil.example/')
    const outcome = await page.evaluate(async (url) => {
      try {
        const r = await fetch(`${url}/api/listDir`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"arg":{"path":"/"}}' })
        return `status ${r.status}`
      } catch {
        return 'blocked'
      }
    }, wizard.origin)
    // Either the browser blocks the cross-origin read, or the server refuses it: never a listing.
    expect(outcome === 'blocked' || outcome === 'status 403').toBe(true)
  })
})

test.describe('static files', () => {
  test('path traversal does not escape dist/renderer', async ({ wizard }) => {
    for (const path of ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../../etc/passwd', '/..\\..\\etc\\passwd', '/../package.json', '/%2e%2e/package.json']) {
      const r = await rawRequest(wizard, 'GET', path)
      expect(r.status, path).toBe(404)
      expect(r.text, path).not.toContain('root:')
      expect(r.text, path).not.toContain('"name": "nnunet-wizard"')
    }
  })

  test('the page is served with a strict CSP and no referrer', async ({ wizard }) => {
    const r = await rawRequest(wizard, 'GET', '/')
    expect(r.status).toBe(200)
    expect(r.headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(r.headers['referrer-policy']).toBe('no-referrer')
    expect(r.headers['x-frame-options']).toBe('DENY')
  })
})

test.describe('user text is text', () => {
  const NASTY = 'a; rm -rf ~ $(touch pwned) `x`'

  test('a folder name with shell metacharacters is listed and reported, never run', async ({ wizard }) => {
    const base = await mkdtemp(join(tmpdir(), 'nnunet-wizard-meta-'))
    try {
      const nasty = join(base, NASTY)
      await mkdir(join(nasty, 'image'), { recursive: true })

      const listing = await apiCall(wizard, 'listDir', { path: nasty, showFiles: true })
      expect(listing.status).toBe(200)
      expect(listing.json<{ path: string; entries: { name: string }[] }>()).toMatchObject({ path: nasty, entries: [{ name: 'image' }] })

      const missing = join(base, `${NASTY} missing`)
      const notThere = await apiCall(wizard, 'listDir', { path: missing })
      expect(notThere.json().message).toBe(`The folder ${missing} does not exist.`)

      const scan = await apiCall(wizard, 'scanSources', { imagesDir: join(nasty, 'image'), labels: [{ name: 'organ', dir: join(nasty, 'organ $(touch pwned)') }] })
      const text = scan.text
      // Whether the scan reports a finding or fails, it talks about the path as the user typed it.
      expect(text).toContain('organ $(touch pwned)')

      const places = [repoRoot, base, nasty, homedir(), tmpdir(), wizard.dataDir, process.cwd()]
      for (const dir of places) expect(existsSync(join(dir, 'pwned')), `${dir}/pwned`).toBe(false)
      expect(await readdir(base)).toEqual([NASTY])
    } finally {
      await rm(base, { recursive: true, force: true })
    }
  })
})

test.describe('the page', () => {
  test('loads with the token, keeps it out of the address bar, and its Api works', async ({ wizard, page }) => {
    const apiReplies: { url: string; status: number }[] = []
    const cspViolations: string[] = []
    page.on('response', (r) => {
      if (r.url().includes('/api/')) apiReplies.push({ url: r.url(), status: r.status() })
    })
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    await page.goto(wizard.url)
    await expect(page).toHaveTitle(/nnU-Net Wizard/)
    // renderer/api.ts took the token into sessionStorage and removed it from the visible URL.
    await expect.poll(() => page.url()).not.toContain('token=')
    expect(await page.evaluate(() => sessionStorage.getItem('nnunet-wizard-token'))).toBe(wizard.token)

    // The same request the Api client makes, from the page's own origin.
    const info = await page.evaluate(async () => {
      const token = sessionStorage.getItem('nnunet-wizard-token') ?? ''
      const r = await fetch('/api/appInfo', { method: 'POST', headers: { 'content-type': 'application/json', 'x-wizard-token': token }, body: '{}' })
      return r.json() as Promise<{ mode: string }>
    })
    expect(info.mode).toBe('browser')

    // After a reload (token no longer in the URL) the client still works from sessionStorage.
    await page.reload()
    await page.waitForLoadState('networkidle')
    expect(apiReplies.length).toBeGreaterThan(0)
    expect(apiReplies.filter((r) => r.status === 403), JSON.stringify(apiReplies)).toEqual([])
    expect(cspViolations).toEqual([])
    await page.screenshot({ path: join(repoRoot, 'e2e', 'artifacts', 'security-page-loaded.png') })
  })

  test('the page opened without the token cannot use the Api', async ({ wizard, page }) => {
    const statuses: number[] = []
    page.on('response', (r) => {
      if (r.url().includes('/api/')) statuses.push(r.status())
    })
    await page.goto(wizard.origin + '/')
    // The wizard asks for appInfo/settings as it starts; every such call is refused, and the
    // refusal's message (which says how to get in) reaches the user.
    await expect.poll(() => statuses.length).toBeGreaterThan(0)
    expect(statuses.every((s) => s === 403)).toBe(true)
    await expect(page.getByText(/no valid access token/).first()).toBeVisible()
  })
})
