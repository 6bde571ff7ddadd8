// Environment detection: which Python interpreters exist (PATH, conda envs, the managed venv, a
// chosen path), what each has (nnU-Net v1/v2, torch, CUDA, MPS, trainer classes), and the GPUs.
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import type { EnvReport, Finding, GpuInfo, PythonEnv } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { dataDir } from '../paths'
import { probePython } from './probe'
import { managedVenvDir, venvPython } from './python'
import { trainerDir } from './trainers'
import { HOW, either } from './howTo'

interface Candidate {
  python: string
  source: PythonEnv['source']
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** Interpreters named python3 / python on PATH (the first of each name wins, as a shell would). */
function pathPythons(): string[] {
  const names = process.platform === 'win32' ? ['python.exe', 'python3.exe'] : ['python3', 'python']
  const out: string[] = []
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const p = join(dir, name)
      // The Windows Store alias in WindowsApps only opens the Store; it is not an interpreter.
      if (isFile(p) && !p.includes('WindowsApps')) {
        out.push(p)
        break
      }
    }
  }
  return out
}

/** Conda: the base and every env of the usual installs, plus the active $CONDA_PREFIX. */
function condaPythons(): string[] {
  const home = homedir()
  const roots = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge'].map((r) => join(home, r))
  const prefixes: string[] = []
  if (process.env.CONDA_PREFIX) prefixes.push(process.env.CONDA_PREFIX)
  for (const root of roots) {
    if (!existsSync(root)) continue
    prefixes.push(root)
    try {
      for (const e of readdirSync(join(root, 'envs'), { withFileTypes: true })) if (e.isDirectory()) prefixes.push(join(root, 'envs', e.name))
    } catch {
      /* no envs folder */
    }
  }
  return prefixes.map((p) => (process.platform === 'win32' ? join(p, 'python.exe') : join(p, 'bin', 'python'))).filter(isFile)
}

export function candidatePythons(opts: Settings & { pythonPath?: string }): Candidate[] {
  const list: Candidate[] = []
  if (opts.pythonPath) list.push({ python: opts.pythonPath, source: 'chosen' })
  const managed = venvPython(managedVenvDir(dataDir()))
  if (isFile(managed)) list.push({ python: managed, source: 'managed' })
  if (process.env.NNUNET_WIZARD_PYTHON) list.push({ python: process.env.NNUNET_WIZARD_PYTHON, source: 'chosen' })
  for (const p of condaPythons()) list.push({ python: p, source: 'conda' })
  for (const p of pathPythons()) list.push({ python: p, source: 'path' })
  // Same path twice (PATH points into a conda env, say) is one interpreter. Symlinks are kept
  // apart on purpose: a venv's bin/python links to its base interpreter but has other packages.
  const seen = new Set<string>()
  return list.filter((c) => {
    const key = resolve(c.python)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function detectGpus(timeoutMs = 10_000): Promise<GpuInfo[]> {
  return new Promise((done) => {
    execFile('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], { timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      if (err) return done([])
      done(parseNvidiaSmi(stdout))
    })
  })
}

/** "NVIDIA A100-SXM4-40GB, 40960, 535.104.05" per line (memory in MiB; "MiB" suffix tolerated). */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name = '', mem = '', driver] = l.split(',').map((s) => s.trim())
      return { name, memoryMiB: Number.parseFloat(mem) || 0, ...(driver ? { driver } : {}) }
    })
}

function pickSelected(envs: PythonEnv[], opts: Settings & { pythonPath?: string }): PythonEnv | undefined {
  const want = opts.nnunetVersion ?? 'v2'
  // The interpreter picked in the app wins; NNUNET_WIZARD_PYTHON (also 'chosen') is only a
  // default, so a working managed venv still comes before it.
  const picked = opts.pythonPath ? envs.find((e) => e.source === 'chosen' && e.python === opts.pythonPath) : undefined
  return (
    picked ??
    envs.find((e) => e.source === 'managed' && e.nnunet?.[want]) ??
    envs.find((e) => e.source === 'chosen') ??
    envs.find((e) => e.nnunet?.[want]) ??
    envs.find((e) => e.source === 'managed') ??
    envs[0]
  )
}

export async function detectEnv(opts: Settings & { pythonPath?: string }): Promise<EnvReport> {
  const findings: Finding[] = []
  const candidates = candidatePythons(opts)
  const gpusP = detectGpus()
  const identity = new Map<string, string>()
  const probed = await Promise.all(
    candidates.map(async (c): Promise<PythonEnv | null> => {
      try {
        // The wizard's generated trainers (and any folder the user set) are listed with the installed ones.
        const ext = [trainerDir(dataDir()), process.env.nnUNet_extTrainer].filter(Boolean).join(delimiter)
        const r = await probePython(c.python, { env: { nnUNet_extTrainer: ext } })
        if (r.torchError) findings.push({ severity: 'warning', code: 'torch-broken', file: c.python, text: `torch is installed in ${c.python} but cannot be imported: ${r.torchError}`, hint: 'Reinstall torch in that environment, or use the managed environment.' })
        const { torchError: _ignored, executable, prefix, ...env } = r
        identity.set(c.python, `${executable ?? c.python}\0${prefix ?? ''}`)
        return { ...env, trainers: env.trainers?.filter((t) => !t.startsWith('_') && !t.startsWith('Abstract')), source: c.source }
      } catch (err) {
        if (c.source === 'chosen') findings.push({ severity: 'error', code: 'python-unusable', file: c.python, text: (err as Error).message, hint: 'Pick the python (or python.exe) inside a virtual environment or conda env that has nnU-Net installed.' })
        return null
      }
    }),
  )
  // pyenv shims, python/python3 links and the like reach the same environment: list it once
  // (the first candidate wins, so a chosen or managed path keeps its place).
  const seen = new Set<string>()
  const pythons = probed.filter((p): p is PythonEnv => {
    if (p === null) return false
    const key = identity.get(p.python) ?? p.python
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  const selected = pickSelected(pythons, opts)
  const gpus = await gpusP
  const want = opts.nnunetVersion ?? 'v2'
  const pkg = want === 'v2' ? 'nnunetv2' : 'nnunet'
  if (pythons.length === 0) {
    findings.push({ severity: 'error', code: 'no-python', text: 'No Python interpreter was found (PATH, conda, managed environment).', hint: either(HOW.install, HOW.pickPython) })
  } else if (selected && !selected.nnunet?.[want]) {
    findings.push({ severity: 'error', code: 'nnunet-missing', file: selected.python, text: `${selected.python} has no ${pkg} installed.`, hint: want === 'v2' ? either(HOW.install, `${HOW.pickPython} (one where \`pip install nnunetv2\` was run)`) : 'Pick an environment where `pip install nnunet==1.7.1` was run (Environment step, or --python PATH), or switch to nnU-Net v2 (--nnunet v2).' })
  }
  if (selected?.nnunet?.[want] && !selected.torch) {
    findings.push({ severity: 'error', code: 'torch-missing', file: selected.python, text: `${selected.python} has ${pkg} but no torch.`, hint: 'Install torch into that environment (see pytorch.org for the command that matches your GPU).' })
  }
  if (selected && opts.device === 'cuda' && selected.torch && !selected.cuda?.available) {
    findings.push({ severity: 'warning', code: 'no-cuda', file: selected.python, text: gpus.length ? `torch in ${selected.python} cannot use the GPU (${gpus.map((g) => g.name).join(', ')}).` : 'No CUDA GPU is usable here; training on the CPU is very slow.', hint: selected.mps ? 'Use device "mps" (Apple silicon).' : 'Use device "cpu" for small tests, or install a CUDA build of torch that matches the driver.' })
  }
  return { pythons, ...(selected ? { selected } : {}), gpus, managedVenv: managedVenvDir(dataDir()), findings }
}
