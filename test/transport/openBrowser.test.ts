// `serve --open` must not put the tokened address on any command line (`ps` shows every user
// the arguments of every process). A recording browser ($BROWSER, which openers honour) shows
// what the real one would get: a private local page that redirects to the address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { openInBrowser } from '../../electron/cli/openBrowser'

let dir: string
const saved = process.env.BROWSER

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-open-'))
})
afterAll(async () => {
  if (saved === undefined) delete process.env.BROWSER
  else process.env.BROWSER = saved
  await rm(dir, { recursive: true, force: true })
})

async function until(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.skipIf(process.platform === 'win32')('serve --open', () => {
  it('hands the browser a private page that redirects to the address, never the token itself', async () => {
    const record = join(dir, 'argv.txt')
    const browser = join(dir, 'browser.sh')
    // Records its own command line as the kernel has it (what `ps` shows), then the page.
    await writeFile(browser, `#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/cmdline > "${record}.tmp"\ncat "$1" >> "${record}.tmp"\nmv "${record}.tmp" "${record}"\n`)
    await chmod(browser, 0o755)
    process.env.BROWSER = browser
    const token = 'Tok3nThatMustNotLeak_abcdefghijklmnopqrstuvwxyz'
    const url = `http://127.0.0.1:4321/?token=${token}`
    const opened = openInBrowser(url, (m) => {
      throw new Error(m)
    })
    const pageMode = (await stat(opened.page)).mode & 0o777
    const dirMode = (await stat(dirname(opened.page))).mode & 0o777
    await until('the browser ran', () => existsSync(record))
    const [cmdline, page] = (await readFile(record, 'utf8')).split('<!doctype html>')
    expect(cmdline).toContain(opened.page)
    expect(cmdline).not.toContain(token)
    expect(pageMode).toBe(0o600)
    expect(dirMode).toBe(0o700)
    expect(page).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`)
    expect(page).toContain(`location.replace(${JSON.stringify(url)})`)
    opened.cleanup()
    expect(existsSync(dirname(opened.page))).toBe(false)
  })
})
