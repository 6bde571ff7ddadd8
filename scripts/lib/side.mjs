// One step of `npm test` that runs beside others (scripts/test.mjs): its output goes to our
// stdout/stderr line by line with the step's name in front, so the steps of a stage can be told
// apart; resolves with its exit status and wall-clock time.
import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import process from 'node:process'

/**
 * @param {{ name: string, file: string, args: string[], env?: Record<string, string> }} step
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, say: (line: string) => void }} opts
 * @returns {Promise<{ step: string, status: number, seconds: number, load: string }>}
 */
export function runSide(step, { cwd, env, say }) {
  const t0 = Date.now()
  const tag = `[${step.name}] `
  say(`${step.name}: ${[step.file.replace(cwd + '/', ''), ...step.args].join(' ')}`)
  return new Promise((resolve) => {
    // FORCE_COLOR keeps vitest's and Playwright's colours although they write to a pipe here.
    const child = spawn(step.file, step.args, { cwd, env: { FORCE_COLOR: process.stderr.isTTY ? '1' : '0', ...env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const pipe = (stream, out) => {
      let rest = ''
      stream.setEncoding('utf8')
      stream.on('data', (d) => {
        const lines = (rest + d).split('\n')
        rest = lines.pop()
        if (lines.length) out.write(lines.map((l) => tag + l).join('\n') + '\n')
      })
      stream.on('end', () => rest && out.write(tag + rest + '\n'))
    }
    pipe(child.stdout, process.stdout)
    pipe(child.stderr, process.stderr)
    let ended = false
    const done = (status) => {
      if (ended) return
      ended = true
      const seconds = (Date.now() - t0) / 1000
      say(`${step.name}: exit ${status} after ${seconds.toFixed(1)} s`)
      resolve({ step: step.name, status, seconds, load: loadavg()[0].toFixed(2) })
    }
    child.on('error', (e) => {
      say(`${step.name} could not start: ${e.message}`)
      done(1)
    })
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)))
  })
}
