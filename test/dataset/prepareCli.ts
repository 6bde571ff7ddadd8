// `nnunet-wizard prepare` as a user runs it, for the crash and safety tests: a real child process
// (bin/nnunet-wizard.mjs on the built dist/node: test/helpers/builtCli.ts), its exit code or the
// signal that ended it, and its output.
import { spawn, type ChildProcess } from 'node:child_process'
import { lstat, readdir, readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join, relative } from 'node:path'
import { builtCli } from '../helpers/builtCli'

const repo = join(import.meta.dirname, '..', '..')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliRun {
  child: ChildProcess
  /** Resolves once stderr contains `text`. */
  waitFor(text: string | RegExp): Promise<void>
  done: Promise<CliResult>
}

/** The environment of a run: the app's data folder in `dataDir`, no nnU-Net folders from the caller's shell. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: dataDir, ...extra }
  for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
  if (!extra.NNUNET_WIZARD_FAULT) delete env.NNUNET_WIZARD_FAULT
  return env
}

export function startPrepare(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const [file, argv] = builtCli(['prepare', ...args])
  const child = spawn(file, argv, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  const waiters: { test: (s: string) => boolean; resolve: () => void }[] = []
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const w of waiters.splice(0)) (w.test(stderr) ? w.resolve : () => waiters.push(w))()
  })
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return {
    child,
    done,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s))
        if (test(stderr)) return resolve()
        waiters.push({ test, resolve })
        void done.then((r) => reject(new Error(`the CLI ended (code ${r.code}, signal ${r.signal}) before printing ${String(text)}:\n${r.stderr}`)))
      }),
  }
}

export function prepareCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startPrepare(args, env).done
}

/** Every file under `root` (hidden ones too), relative path -> sha256; folders end in "/". */
export async function treeOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const p = join(dir, name)
      const info = await lstat(p)
      if (info.isDirectory()) {
        out[`${relative(root, p)}/`] = ''
        await walk(p)
      } else out[relative(root, p)] = createHash('sha256').update(await readFile(p)).digest('hex')
    }
  }
  await walk(root)
  return out
}
