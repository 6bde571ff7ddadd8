// One step of `npm test` that runs beside others (scripts/test.mjs): its output goes to our
// stdout/stderr line by line with the step's name in front, so the steps of a stage can be told
// apart; resolves with its exit status, wall-clock time and, when it failed, a short digest of its
// failures (CI keeps only the tail of the log, where the digest is printed again).
import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import process from 'node:process'

/**
 * @param {{ name: string, file: string, args: string[], env?: Record<string, string> }} step
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, say: (line: string) => void }} opts
 * @returns {Promise<{ step: string, status: number, seconds: number, load: string, digest: string[] }>}
 */
export function runSide(step, { cwd, env, say }) {
  const t0 = Date.now()
  const tag = `[${step.name}] `
  say(`${step.name}: ${[step.file.replace(cwd + '/', ''), ...step.args].join(' ')}`)
  return new Promise((resolve) => {
    // FORCE_COLOR keeps vitest's and Playwright's colours although they write to a pipe here.
    const child = spawn(step.file, step.args, { cwd, env: { FORCE_COLOR: process.stderr.isTTY ? '1' : '0', ...env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const kept = []
    const pipe = (stream, out) => {
      let rest = ''
      stream.setEncoding('utf8')
      stream.on('data', (d) => {
        const lines = (rest + d).split('\n')
        rest = lines.pop()
        if (lines.length) out.write(lines.map((l) => tag + l).join('\n') + '\n')
        for (const l of lines) kept.push(l)
      })
      stream.on('end', () => {
        if (!rest) return
        out.write(tag + rest + '\n')
        kept.push(rest)
      })
    }
    pipe(child.stdout, process.stdout)
    pipe(child.stderr, process.stderr)
    let ended = false
    const done = (status) => {
      if (ended) return
      ended = true
      const seconds = (Date.now() - t0) / 1000
      say(`${step.name}: exit ${status} after ${seconds.toFixed(1)} s`)
      resolve({ step: step.name, status, seconds, load: loadavg()[0].toFixed(2), digest: status === 0 ? [] : failureDigest(kept) })
    }
    child.on('error', (e) => {
      say(`${step.name} could not start: ${e.message}`)
      done(1)
    })
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)))
  })
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g
// Where vitest and Playwright name a failure: vitest's "FAIL  file > test" and "×" lines,
// Playwright's numbered "1) [project] › file:line › title" headers and "✘" lines.
const HEAD = /^\s*(FAIL\s|×\s|✘|\d+\) \[)/

/** The failure headers of a step's output, each with the few lines after it (the error). */
export function failureDigest(lines, { after = 6, max = 70 } = {}) {
  const out = []
  let left = 0
  for (const raw of lines) {
    const line = raw.replace(ANSI, '').trimEnd()
    if (HEAD.test(line)) left = after + 1
    if (left > 0 && line.trim()) {
      out.push(line.length > 220 ? line.slice(0, 217) + '...' : line)
      left--
    }
    if (out.length >= max) break
  }
  return out
}
