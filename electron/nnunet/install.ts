// "Install nnU-Net for me": a virtual environment in the app's data folder with the pinned
// nnunetv2 (python/requirements-v2.txt), pip's output streamed to the job log and turned into
// progress (packages collected, then installed).
import { access, readFile, rm, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import type { PythonEnv } from '../../shared/api'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { killTree, spawnTree } from './processTree'
import { probePython } from './probe'
import { programPath, pythonSpawn } from './safePython'
import { managedVenvDir, requirementsFile, venvPython, whichOnPath } from './python'

function pythonVersion(python: string): Promise<[number, number] | null> {
  return new Promise((resolve) => {
    execFile(programPath(python), ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])'], { timeout: 20_000, windowsHide: true, ...pythonSpawn(process.env) }, (err, out) => {
      if (err) return resolve(null)
      const [a, b] = out.trim().split(' ').map(Number)
      resolve(a !== undefined && b !== undefined ? [a, b] : null)
    })
  })
}

/** A base interpreter new enough for nnunetv2 (3.10+): $NNUNET_WIZARD_BASE_PYTHON, python3.11, python3.12, python3, python. */
async function basePython(): Promise<string> {
  const names = [process.env.NNUNET_WIZARD_BASE_PYTHON, 'python3.11', 'python3.12', 'python3.10', 'python3', 'python'].filter((n): n is string => !!n)
  for (const name of names) {
    const p = name.includes('/') || name.includes('\\') ? name : whichOnPath([name])
    if (!p) continue
    const v = await pythonVersion(p)
    if (v && (v[0] > 3 || (v[0] === 3 && v[1] >= 10))) return p
  }
  throw new Error('Installing nnU-Net needs Python 3.10 or newer on PATH (python.org, or `apt-get install python3 python3-venv` on Debian/Ubuntu). None was found.')
}

async function step(ctx: JobContext, file: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  ctx.log(`$ ${[file, ...args].join(' ')}`, 'info')
  // `-m venv` and `-m pip` would otherwise import venv/pip from the working folder on Python 3.10.
  const tree = spawnTree(programPath(file), args, pythonSpawn({ ...process.env, PYTHONUNBUFFERED: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }))
  const onAbort = () => void killTree(tree, 3000)
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = ''
    tree.child[stream]!.setEncoding('utf8')
    tree.child[stream]!.on('data', (chunk: string) => {
      ctx.log(chunk, stream)
      const parts = (rest + chunk).split(/\r?\n/)
      rest = parts.pop() ?? ''
      for (const l of parts) onLine?.(l)
    })
  }
  try {
    const { code } = await tree.exited
    await tree.streamsClosed
    if (ctx.signal.aborted) throw new JobCancelledError()
    if (code !== 0) throw new Error(`${file} ${args[0] === '-m' ? args.slice(0, 3).join(' ') : ''} failed with exit code ${code}; see the log above (a network problem or a missing compiler are the usual causes).`)
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
  }
}

export async function installNnunet(ctx: JobContext, dataDir: string): Promise<PythonEnv> {
  const venv = managedVenvDir(dataDir)
  const python = venvPython(venv)
  const requirements = requirementsFile('v2')
  const total = (await readFile(requirements, 'utf8')).split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length
  const marker = join(venv, '.complete')

  const done = await access(marker).then(() => true, () => false)
  if (done) {
    ctx.log(`The managed environment ${venv} already exists; checking it.`, 'info')
  } else {
    const base = await basePython()
    ctx.progress({ done: 0, total, unit: 'package', message: 'creating the virtual environment' })
    // A half-built venv from an interrupted install is thrown away rather than patched.
    await rm(venv, { recursive: true, force: true })
    await step(ctx, base, ['-m', 'venv', venv])
    let collected = 0
    await step(ctx, python, ['-m', 'pip', 'install', '--progress-bar', 'off', '-r', requirements], (line) => {
      if (/^\s*(Collecting|Requirement already satisfied)/.test(line)) {
        collected = Math.min(total, collected + 1)
        ctx.progress({ done: collected, total, unit: 'package', message: `downloading (${collected} of ${total})` })
      } else if (/^Installing collected packages/.test(line)) {
        ctx.progress({ done: total, total, unit: 'package', message: 'installing' })
      }
    })
    await writeFile(marker, `${new Date().toISOString()}\n`)
  }
  const env = await probePython(python, { timeoutMs: 120_000 })
  if (!env.nnunet?.v2) throw new Error(`The managed environment ${venv} was built but nnunetv2 cannot be found in it; delete that folder and install again.`)
  ctx.log(`nnunetv2 ${env.nnunet.v2}, torch ${env.torch ?? '?'} ready in ${venv}`, 'info')
  return { ...env, source: 'managed' }
}
