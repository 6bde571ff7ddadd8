// The real browser-mode server for e2e specs: `node bin/nnunet-wizard.mjs serve --port 0` with
// its own data folder in a temp dir, started once per worker. The address is read from the one
// line serve prints ("nnU-Net Wizard is running at http://127.0.0.1:PORT/?token=...").
import { test as base, expect } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const ADDRESS_LINE = /^nnU-Net Wizard is running at (http:\/\/\S+)$/m

export interface WizardServer {
  /** The full address, token included, as a user would open it. */
  url: string
  token: string
  origin: string
  port: number
  /** NNUNET_WIZARD_DATA of this server (settings, jobs, recent projects). */
  dataDir: string
  process: ChildProcess
  /** Everything the server printed so far (for failure messages). */
  output(): string
  stop(): Promise<void>
}

export interface StartOptions {
  env?: Record<string, string>
  timeoutMs?: number
  /** A fixed port (default: a free one): a restarted server at the address an open tab uses. */
  port?: number
}

/** nnU-Net's three folders, as the settings file names them. */
export interface NnunetFolders {
  raw: string
  preprocessed: string
  results: string
}

/**
 * A server whose app data folder (made if missing) starts on these nnU-Net folders, on the CPU with
 * one augmentation worker: the study a spec's fixture left, opened as a researcher's app would.
 */
export async function startWizardServerOn(dataDir: string, env: { folders: NnunetFolders | undefined; pythonPath?: string | null }): Promise<WizardServer> {
  await mkdir(dataDir, { recursive: true })
  const settings = { ...(env.pythonPath && { pythonPath: env.pythonPath }), nnunetVersion: 'v2', folders: env.folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false }
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify(settings))
  return startWizardServer({ env: { NNUNET_WIZARD_DATA: dataDir } })
}

export async function startWizardServer(opts: StartOptions = {}): Promise<WizardServer> {
  if (!existsSync(join(repoRoot, 'dist', 'renderer', 'index.html'))) {
    throw new Error("dist/renderer/index.html is missing: build first with 'npm run build' (the e2e script does this).")
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'nnunet-wizard-e2e-'))
  const proc = spawn(process.execPath, [join(repoRoot, 'bin', 'nnunet-wizard.mjs'), 'serve', '--port', String(opts.port ?? 0)], {
    cwd: repoRoot,
    env: { ...process.env, NNUNET_WIZARD_DATA: dataDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
  })
  let out = ''
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))

  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      const force = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(force)
    }
    await rm(dataDir, { recursive: true, force: true })
  }

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`nnunet-wizard serve printed no address within ${opts.timeoutMs ?? 60_000} ms. Output:\n${out}`))
    }, opts.timeoutMs ?? 60_000)
    const onExit = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`nnunet-wizard serve exited (code ${code}) before printing its address. Output:\n${out}`))
    }
    proc.once('exit', onExit)
    const onData = (): void => {
      const m = ADDRESS_LINE.exec(out)
      if (!m?.[1]) return
      clearTimeout(timer)
      proc.off('exit', onExit)
      proc.stdout.off('data', onData)
      resolve(m[1])
    }
    proc.stdout.on('data', onData)
  })
  const parsed = new URL(url)
  return {
    url,
    token: parsed.searchParams.get('token') ?? '',
    origin: parsed.origin,
    port: Number(parsed.port),
    dataDir,
    process: proc,
    output: () => out,
    stop,
  }
}

/**
 * `test` with a `wizard` fixture: a real server with its own empty data folder for each test.
 * Per test, not per worker: the app reopens the last project in its data folder (as a user wants),
 * so a shared server would start one spec where the spec before it left off. A start costs ~0.2 s.
 */
export const test = base.extend<{ wizard: WizardServer }>({
  // eslint-disable-next-line no-empty-pattern
  wizard: async ({}, use) => {
    const server = await startWizardServer()
    try {
      await use(server)
    } finally {
      await server.stop()
    }
  },
})

export { expect }
