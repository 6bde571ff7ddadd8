// `serve --open` without the token on any command line: every user of the machine can read
// process arguments (`ps`), and the opener (xdg-open, a browser) keeps them for its lifetime.
// The browser is pointed at a local HTML file instead, readable only by this user (0600 in a
// 0700 folder), that redirects to the tokened address. The file is removed again shortly.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** How long the launch page stays on disk: long enough for a slow first browser start. */
const KEEP_MS = 120_000

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The launch page: a meta refresh (works without JavaScript) and a script for browsers that ignore it. */
export function launchPage(url: string): string {
  const js = JSON.stringify(url).replace(/</g, '\\u003c')
  return [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${html(url)}">`,
    '<title>nnU-Net Wizard</title>',
    `<script>location.replace(${js})</script>`,
    `<p><a href="${html(url)}">Open nnU-Net Wizard</a></p>`,
    '',
  ].join('\n')
}

/** The opener and its arguments for `target` (a file path): $BROWSER when set, else the platform's. */
export function openerFor(target: string, env: NodeJS.ProcessEnv = process.env): [string, string[]] {
  // $BROWSER may list several commands separated by the path delimiter (xdg-utils, Python's webbrowser).
  const browser = env.BROWSER?.split(process.platform === 'win32' ? ';' : ':').find((b) => b.trim())
  if (browser) return [browser.trim(), [target]]
  if (process.platform === 'darwin') return ['open', [target]]
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', pathToFileURL(target).href]]
  return ['xdg-open', [target]]
}

export interface OpenedBrowser {
  /** The launch page (gone after a while, or after `cleanup`). */
  page: string
  /** Removes the launch page now (the server is stopping). */
  cleanup(): void
}

/** Opens `url` (which holds the token) in the default browser; no argv carries the url. */
export function openInBrowser(url: string, onError: (message: string) => void = (m) => console.error(m)): OpenedBrowser {
  const dir = mkdtempSync(join(tmpdir(), 'nnunet-wizard-open-'))
  const page = join(dir, 'open.html')
  writeFileSync(page, launchPage(url), { mode: 0o600 })
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true })
  const [file, args] = openerFor(page)
  const child = spawn(file, args, { shell: false, stdio: 'ignore', detached: true })
  child.on('error', () => {
    cleanup()
    onError(`Could not open a browser (${file} is not available); open the address above by hand.`)
  })
  child.unref()
  setTimeout(cleanup, KEEP_MS).unref()
  return { page, cleanup }
}
