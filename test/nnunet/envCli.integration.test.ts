// Environment detection, the managed-venv install (its reuse path) and the nnunet-wizard
// env / plan / train / predict commands, against the real pinned nnunetv2 venv. A real failure
// of nnU-Net (an unknown dataset id) comes back as guidance and a non-zero exit code.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectEnv, installNnunet, managedVenvDir } from '../../electron/nnunet'
import { writeGeneratedTrainer, trainerDir } from '../../electron/nnunet/trainers'
import * as s from '../../shared/schema'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT, nnunetPython } from '../helpers/python'
import { recordingContext } from './fixture'

const py = nnunetPython('v2')

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

describe.skipIf(!py.python)(`environment and CLI with real nnunetv2 ${py.reason}`, () => {
  let tmp: string
  let data: string
  const savedData = process.env.NNUNET_WIZARD_DATA

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-env-'))
    data = join(tmp, 'app data')
    process.env.NNUNET_WIZARD_DATA = data
  })
  afterAll(async () => {
    if (savedData === undefined) delete process.env.NNUNET_WIZARD_DATA
    else process.env.NNUNET_WIZARD_DATA = savedData
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('detects the chosen interpreter: nnunetv2, torch, CUDA state, trainers incl. generated ones', { timeout: 120_000 }, async () => {
    await writeGeneratedTrainer(trainerDir(data), { base: 'nnUNetTrainer', epochs: 3 })
    const report = await detectEnv(s.settings.parse({ device: 'cuda', pythonPath: py.python }))
    const sel = report.selected!
    expect(sel.python).toBe(py.python)
    expect(sel.source).toBe('chosen')
    expect(sel.version).toMatch(/^3\.\d+\.\d+$/)
    expect(sel.nnunet?.v2).toBe('2.8.1')
    expect(sel.torch).toMatch(/^2\.15\.0/)
    expect(sel.trainers).toEqual(expect.arrayContaining(['nnUNetTrainer', 'nnUNetTrainer_5epochs', 'nnUNetTrainerNoMirroring', 'nnUNetTrainer_Wizard_3ep']))
    expect(sel.trainers!.some((t) => t.startsWith('_'))).toBe(false)
    expect(report.managedVenv).toBe(managedVenvDir(data))
    // 'no-cuda' exactly when torch has no CUDA here (either way round, so the check cannot pass by being skipped).
    expect(report.findings.map((f) => f.code).includes('no-cuda')).toBe(!sel.cuda?.available)
  })

  it('reuses a finished managed venv instead of reinstalling, and detects it as "managed"', { timeout: 120_000 }, async () => {
    // The managed venv folder points at the finished test venv (same pins), so the install job
    // takes its reuse path: check, probe, report.
    const venv = managedVenvDir(data)
    await mkdir(dirname(venv), { recursive: true })
    await symlink(dirname(dirname(py.python!)), venv)
    const ctx = recordingContext()
    const env = await installNnunet(ctx, data)
    expect(env.source).toBe('managed')
    expect(env.nnunet?.v2).toBe('2.8.1')
    expect(ctx.lines.join('\n')).toMatch(/already exists/)
    const report = await detectEnv(s.settings.parse({ device: 'cpu' }))
    expect(report.selected?.source).toBe('managed')
  })

  it('nnunet-wizard env --json reports the interpreter and the folders', { timeout: 120_000 }, async () => {
    const r = await cli(['env', '--json', '--python', py.python!, '--base', join(tmp, 'folders'), '--device', 'cpu'], { NNUNET_WIZARD_DATA: data })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.selected.nnunet.v2).toBe('2.8.1')
    expect(out.folders.env.nnUNet_raw).toBe(join(tmp, 'folders', 'nnUNet_raw'))
  })

  it('nnunet-wizard env --create-folders prints exports that point at the new folders', async () => {
    // Its own data folder: --create-folders remembers the folders and v1 for later commands.
    const r = await cli(['env', '--create-folders', join(tmp, 'made'), '--nnunet', 'v1'], { NNUNET_WIZARD_DATA: join(tmp, 'data-v1') })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`export nnUNet_raw_data_base="${join(tmp, 'made', 'nnUNet_raw_data_base')}"`)
    expect(r.stdout).toContain('export RESULTS_FOLDER=')
  })

  it('nnunet-wizard plan on an unknown dataset id fails with guidance and exit code 1', { timeout: 300_000 }, async () => {
    const r = await cli(['plan', '-d', '998', '--json', '--python', py.python!, '--base', join(tmp, 'folders')], { NNUNET_WIZARD_DATA: data })
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.state).toBe('failed')
    expect(out.guidance.map((g: { code: string }) => g.code)).toContain('dataset-not-found')
    expect(out.error).toMatch(/nnUNetv2_plan_and_preprocess stopped with exit code 1/)
  })

  it('rejects bad usage with exit code 2 and a pointer to --help', async () => {
    const r = await cli(['train', '-d', '1', '-c', '3d_fullres', '-f', '7x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/-f needs a whole number/)
    const p = await cli(['predict', '-i', 'x'])
    expect(p.code).toBe(2)
    expect(p.stderr).toMatch(/missing --dataset, --configuration/)
  })
})
