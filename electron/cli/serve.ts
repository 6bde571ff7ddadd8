// `nnunet-wizard serve`: the wizard in a browser. Runs the same service as the desktop app behind
// electron/server.ts and prints the one address (with its token) to open.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliCommand } from './table'

export const help = `usage: nnunet-wizard serve [--port N] [--host 127.0.0.1] [--open]

Runs the wizard in your web browser instead of the desktop window, e.g. on a GPU server:

  --port N      port to listen on (default: a free one)
  --host H      loopback address to listen on (default 127.0.0.1; other interfaces are refused)
  --open        open the address in the default browser

The printed address contains a secret token; only a browser holding it can use the wizard.
On a remote server, forward the same port over SSH and open the address locally:
  ssh -L PORT:127.0.0.1:PORT you@server`

/** Opens `url` in the default browser without a shell: the URL is one argv entry, never parsed. */
function openInBrowser(url: string): void {
  const [file, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]]
  const child = spawn(file, args, { shell: false, stdio: 'ignore', detached: true })
  child.on('error', () => console.error(`Could not open a browser (${file} is not available); open the address above by hand.`))
  child.unref()
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, open: { type: 'boolean', default: false } },
    strict: true,
  })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`nnunet-wizard serve: --port must be a number from 0 to 65535, not '${values.port}'.`)
    return 2
  }
  const [{ startServer }, { createService }, { findRendererDir }] = await Promise.all([
    import('../server'),
    import('../service'),
    import('../transport/staticFiles'),
  ])
  const staticDir = findRendererDir()
  if (!existsSync(join(staticDir, 'index.html'))) console.error(`Note: the page is not built yet (${staticDir}); run 'npm run build'. The Api is served anyway.`)
  const service = createService({ mode: 'browser' })
  const server = await startServer({ service, staticDir, port, host: values.host })
  console.log(`nnU-Net Wizard is running at ${server.url}`)
  console.log(`Over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} you@this-server, then open the address above. Ctrl+C stops.`)
  if (values.open) openInBrowser(server.url)

  const stop = (): void => {
    void (async () => {
      const { stopRunningJobs } = await import('../transport/shutdown')
      const stopped = await stopRunningJobs(service.jobs)
      if (stopped.length) console.log(`Stopped ${stopped.length} running job(s): ${stopped.map((j) => j.title).join(', ')}.`)
      await server.close()
      process.exit(0)
    })()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}

const command: CliCommand = { help, run }
export default command
