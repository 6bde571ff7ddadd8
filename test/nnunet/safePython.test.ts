// Every Python the app starts must not import code from the folder it was started in: a
// json.py (or a venv/, pip/ or nnunetv2/ package) in the working folder is code anyone who can
// write there chose. The app is started from such a folder here, and each kind of Python start
// is run for real: the probe, nnU-Net through `python -c` (no console script), and the managed
// install (`-m venv`, `-m pip`). Python 3.10 matters most: it has no -P / PYTHONSAFEPATH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TOOLS } from '../../shared/nnunetArgs'
import { JobManager } from '../../electron/jobs/jobManager'
import { probePython } from '../../electron/nnunet/probe'
import { runTool } from '../../electron/nnunet/runner'
import { installNnunet } from '../../electron/nnunet/install'
import { whichOnPath } from '../../electron/nnunet/python'

/** An interpreter older than 3.11 that really runs (a pyenv shim may not), if this machine has one. */
function oldPython(): string | undefined {
  const pyenv = join(process.env.PYENV_ROOT ?? join(process.env.HOME ?? '', '.pyenv'), 'versions')
  const installed = existsSync(pyenv) ? readdirSync(pyenv).filter((n) => /^3\.(9|10)\.\d+$/.test(n)).map((v) => join(pyenv, v, 'bin', 'python3')) : []
  const onPath = whichOnPath(['python3.10', 'python3.9'])
  for (const python of [...installed, ...(onPath ? [onPath] : [])]) {
    try {
      const v = execFileSync(python, ['-c', 'import sys; print(sys.version_info[1])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      if (Number(v) < 11) return python
    } catch {
      /* not runnable */
    }
  }
  return undefined
}
const py310 = oldPython()
const pyNew = process.env.NNUNET_WIZARD_PYTHON ?? whichOnPath(['python3.11', 'python3.12', 'python3.13'])

let base: string
let hostile: string
let markers: string
const startDir = process.cwd()
const savedEnv = { ...process.env }

async function plant(): Promise<void> {
  const code = (what: string) => `open(${JSON.stringify(join(markers, what))}, "w").write("ran")\n`
  await writeFile(join(hostile, 'json.py'), code('json'))
  for (const pkg of ['venv', 'pip', 'nnunetv2']) {
    await mkdir(join(hostile, pkg), { recursive: true })
    await writeFile(join(hostile, pkg, '__init__.py'), code(pkg))
    await writeFile(join(hostile, pkg, '__main__.py'), code(`${pkg}-main`))
  }
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-safepy-'))
  hostile = join(base, 'downloads')
  markers = join(base, 'markers')
  await mkdir(hostile, { recursive: true })
  await mkdir(markers, { recursive: true })
  await plant()
  process.env.NNUNET_WIZARD_DATA = join(base, 'data')
  process.chdir(hostile)
})
afterAll(async () => {
  process.chdir(startDir)
  for (const k of ['NNUNET_WIZARD_DATA', 'NNUNET_WIZARD_BASE_PYTHON', 'NNUNET_WIZARD_REQUIREMENTS_DIR']) {
    if (savedEnv[k] === undefined) delete process.env[k]
    else process.env[k] = savedEnv[k]
  }
  await rm(base, { recursive: true, force: true })
})

const ran = () => readdirSync(markers)

describe('no Python the app starts imports from its working folder', () => {
  for (const [label, python] of [['3.10 or older', py310], ['3.11 or newer', pyNew]] as const) {
    it.skipIf(!python)(`the environment probe (Python ${label})`, async () => {
      const r = await probePython(python!)
      expect(r.version).toMatch(/^3\.\d+\.\d+$/)
      expect(ran()).toEqual([])
    })
  }

  it.skipIf(!py310)('an nnU-Net tool started through `python -c` (no console script), Python 3.10', async () => {
    const jobs = new JobManager(join(base, 'jobs'))
    const job = await jobs.start('plan', 'plan', (ctx) => runTool(ctx, { python: py310!, env: {}, command: { tool: TOOLS.v2.plan, args: ['-d', '1'] } }))
    const done = await jobs.wait(job.id)
    const log = (await jobs.log(job.id)).map((l) => l.text).join('\n')
    expect(done.state, log).toBe('failed')
    // The real package is not installed there; the planted one must not have been found instead.
    expect(log).toMatch(/ModuleNotFoundError: No module named 'nnunetv2'/)
    expect(ran()).toEqual([])
  })

  it.skipIf(!py310)('the managed install (`-m venv`, `-m pip`), Python 3.10', async () => {
    const reqs = join(base, 'requirements')
    await mkdir(reqs, { recursive: true })
    await writeFile(join(reqs, 'requirements-v2.txt'), '# nothing to install: this checks how pip and venv are started\n')
    process.env.NNUNET_WIZARD_REQUIREMENTS_DIR = reqs
    process.env.NNUNET_WIZARD_BASE_PYTHON = py310!
    const data = join(base, 'install')
    const jobs = new JobManager(join(base, 'jobs'))
    const job = await jobs.start('install', 'install', (ctx) => installNnunet(ctx, data))
    const done = await jobs.wait(job.id)
    const log = (await jobs.log(job.id)).map((l) => l.text).join('\n')
    // venv and pip ran for real (the venv exists, pip read the file) and only nnunetv2 is missing.
    expect(done.error, log).toMatch(/was built but nnunetv2 cannot be found in it/)
    expect(existsSync(join(data, 'python', 'venv-v2', 'bin', 'python'))).toBe(true)
    expect(ran()).toEqual([])
    expect(await readFile(join(hostile, 'json.py'), 'utf8')).toContain('ran')
  })
})
