// `nnunet-wizard serve`: the wizard in a browser. Runs the same service as the desktop app behind
// electron/server.ts and prints the one address (with its token) to open. On the first serve of
// a fresh checkout the page is built here, so the printed address never shows "not built".
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { openInBrowser } from './openBrowser'
import type { CliCommand } from './command'

export const help = `usage: nnunet-wizard serve [--port N] [--host 127.0.0.1] [--open]

Runs the wizard in your web browser instead of the desktop window, e.g. on a GPU server:

  --port N      port to listen on (default: a free one)
  --host H      loopback address to listen on (default 127.0.0.1; other interfaces are refused)
  --open        open the address in the default browser

The printed address contains a secret token; only a browser holding it can use the wizard.
On a remote server, forward the same port over SSH and open the address locally:
  ssh -L PORT:127.0.0.1:PORT you@server`

/**
 * Builds the page into `staticDir` (dist/renderer of a checkout) when it is missing. Returns
 * null when the page is there afterwards, else what the user must run. Vite is a development
 * dependency: an install without it (--omit=dev, a copied dist/) cannot build here.
 */
export async function ensurePageBuilt(staticDir: string, opts: { root?: string; progress?: (line: string) => void } = {}): Promise<string | null> {
  if (existsSync(join(staticDir, 'index.html'))) return null
  const root = opts.root ?? dirname(dirname(staticDir))
  const progress = opts.progress ?? ((line: string) => console.error(line))
  const config = join(root, 'vite.config.ts')
  const howTo = `Run, in ${root}: npm install --include=dev && npm run build`
  if (!existsSync(config)) return `The wizard's page is not built (${staticDir}/index.html is missing) and this installation has no vite.config.ts to build it. ${howTo}`
  let vite: typeof import('vite')
  try {
    vite = await import('vite')
  } catch {
    return `The wizard's page is not built (${staticDir}/index.html is missing), and vite, a development dependency, is not installed to build it. ${howTo}`
  }
  progress(`Building the wizard's page into ${staticDir} (first serve only; about a minute)...`)
  const started = Date.now()
  try {
    await vite.build({ configFile: config, logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } })
  } catch (err) {
    return `Building the wizard's page failed: ${err instanceof Error ? err.message : String(err)}. ${howTo}`
  }
  if (!existsSync(join(staticDir, 'index.html'))) return `Building the wizard's page left no ${staticDir}/index.html. ${howTo}`
  progress(`Built the wizard's page in ${Math.round((Date.now() - started) / 1000)} s.`)
  return null
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
  const unbuilt = await ensurePageBuilt(staticDir)
  if (unbuilt) {
    console.error(`nnunet-wizard serve: ${unbuilt}`)
    return 1
  }
  const service = createService({ mode: 'browser' })
  const server = await startServer({ service, staticDir, port, host: values.host })
  console.log(`nnU-Net Wizard is running at ${server.url}`)
  console.log(`Over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} you@this-server, then open the address above. Ctrl+C stops.`)
  const opened = values.open ? openInBrowser(server.url) : undefined

  const stop = (): void => {
    void (async () => {
      const { stopRunningJobs } = await import('../transport/shutdown')
      // Close the queue first: the waiting runs stay saved for the next start (see main.ts).
      await service.dispose()
      const stopped = await stopRunningJobs(service.jobs)
      if (stopped.length) console.log(`Stopped ${stopped.length} running job(s): ${stopped.map((j) => j.title).join(', ')}.`)
      await server.close()
      opened?.cleanup()
      process.exit(0)
    })()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}

const command: CliCommand = { help, run }
export default command
