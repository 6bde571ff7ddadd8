// Runs one SLURM command (sbatch, scontrol, squeue, scancel, sacct, sinfo) without a shell: argv
// only, a time limit, both streams collected. A missing command is an answer, not a crash.
import { spawn } from 'node:child_process'

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
  /** The command is not installed (ENOENT). */
  missing?: boolean
}

export function runCommand(file: string, args: readonly string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    let settled = false
    const done = (r: CommandResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    const child = spawn(file, [...args], { shell: false, cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', (err: NodeJS.ErrnoException) => done({ code: 127, stdout, stderr: stderr || err.message, missing: err.code === 'ENOENT' }))
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }))
    // A controller that does not answer must not hang the app: SLURM's own clients retry for a while.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      done({ code: 124, stdout, stderr: `${stderr}${file} did not answer within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s` })
    }, opts.timeoutMs ?? 60_000)
  })
}
