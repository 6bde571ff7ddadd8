// Shared helpers for the bench scripts: find Python, run a command while measuring its wall time
// and peak memory, small statistics and table printing. Node built-ins only.
import process from 'node:process'
import { setInterval, clearInterval } from 'node:timers'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs'
import { homedir, tmpdir, cpus, loadavg } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const cacheRoot = process.env.NNUNET_WIZARD_BENCH_CACHE ?? join(homedir(), '.cache', 'nnunet-wizard')

/** The venv scripts/setup-python.sh would reuse (same path rule), if it is finished; never builds one. */
function projectVenvPython(version) {
  const req = join(repoRoot, 'python', `requirements-${version}.txt`)
  if (!existsSync(req)) return null
  const hash = createHash('sha256').update(readFileSync(req)).digest('hex').slice(0, 10)
  const venv = join(process.env.NNUNET_WIZARD_VENV_ROOT ?? cacheRoot, `venv-${version}-${hash}`)
  return existsSync(join(venv, '.complete')) ? join(venv, 'bin', 'python') : null
}

/**
 * A Python with SimpleITK + numpy: $NNUNET_WIZARD_PYTHON, else the pinned venv of
 * scripts/setup-python.sh (v2, then v1) when it is already built, else the probe venv, else python3.
 */
export function findPython() {
  const candidates = []
  if (process.env.NNUNET_WIZARD_PYTHON) candidates.push(process.env.NNUNET_WIZARD_PYTHON)
  for (const v of ['v2', 'v1']) {
    const p = projectVenvPython(v)
    if (p) candidates.push(p)
  }
  candidates.push(join(cacheRoot, 'probe-v2', 'bin', 'python'), 'python3')
  const tried = []
  for (const py of candidates) {
    if (py.includes('/') && !existsSync(py)) continue
    const r = spawnSync(py, ['-c', 'import SimpleITK, numpy; print(SimpleITK.Version.VersionString(), numpy.__version__)'], { encoding: 'utf8' })
    if (r.status === 0) return { python: py, versions: r.stdout.trim() }
    tried.push(py)
  }
  throw new Error(`no Python with SimpleITK + numpy found (tried ${tried.join(', ') || 'nothing'}); set NNUNET_WIZARD_PYTHON`)
}

function readProcStatus(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return null
  }
}

function kb(status, key) {
  const m = status && status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))
  return m ? Number(m[1]) : 0
}

/** All live descendants of pid (from /proc/<pid>/task/<tid>/children). */
function descendants(pid) {
  const out = []
  const stack = [pid]
  while (stack.length) {
    const p = stack.pop()
    let tids = []
    try {
      tids = readdirSync(`/proc/${p}/task`)
    } catch {
      continue
    }
    for (const t of tids) {
      let kids = ''
      try {
        kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8')
      } catch {
        continue
      }
      for (const k of kids.split(/\s+/).filter(Boolean)) {
        out.push(Number(k))
        stack.push(Number(k))
      }
    }
  }
  return out
}

/**
 * Run `cmd args` under GNU time and measure it.
 *  wallMs        wall time from spawn to exit, measured here (hrtime)
 *  maxRssKb      GNU time's "Maximum resident set size" = the kernel's ru_maxrss of the command
 *                (exact peak of the process; worker_threads are inside it; for children it is the
 *                largest single reaped descendant, NOT a sum)
 *  treePeakKb    peak of the SUM of VmRSS over the command's whole process tree, sampled from /proc
 *                every `sampleMs` (catches multi-process peaks; may miss spikes shorter than a sample)
 *  peakKb        max(maxRssKb, treePeakKb): the figure reported as "peak RSS"
 */
export async function measure(cmd, args, { cwd = repoRoot, env = process.env, sampleMs = 50 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'nnw-bench-'))
  const timeFile = join(dir, 'time.txt')
  const useTime = existsSync('/usr/bin/time')
  const argv = useTime ? ['-f', '%M %e %U %S', '-o', timeFile, cmd, ...args] : args
  const t0 = process.hrtime.bigint()
  const child = spawn(useTime ? '/usr/bin/time' : cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  let treePeakKb = 0
  const sample = () => {
    const pids = descendants(child.pid) // /usr/bin/time's own RSS (~2 MB) is left out
    const sum = pids.reduce((s, p) => s + kb(readProcStatus(p), 'VmRSS'), 0)
    if (sum > treePeakKb) treePeakKb = sum
  }
  const timer = setInterval(sample, sampleMs)
  const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? `signal ${sig}`)))
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
  clearInterval(timer)
  let maxRssKb = 0
  let userS = NaN
  let sysS = NaN
  if (useTime && existsSync(timeFile)) {
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n')
    const last = lines[lines.length - 1].split(' ').map(Number)
    ;[maxRssKb, , userS, sysS] = last
    // GNU time prefixes "Command exited with non-zero status N" when the command fails
  }
  rmSync(dir, { recursive: true, force: true })
  return { code, wallMs, maxRssKb, treePeakKb, peakKb: Math.max(maxRssKb, treePeakKb), userS, sysS, stdout, stderr }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)))
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)))
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')
  return [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

/** What else is running: load average and the busiest other processes (for the report). */
export function machineLoad() {
  const r = spawnSync('ps', ['-eo', 'pid,pcpu,rss,etime,comm', '--sort=-pcpu'], { encoding: 'utf8' })
  const top = (r.stdout || '').split('\n').slice(1, 7).map((l) => l.trim()).filter(Boolean)
  return { cores: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))), top }
}

export const mb = (kbv) => (kbv / 1024).toFixed(0)
