// Issue 18 / walkthrough 3 finding 8: `nnunet-wizard train` on the CPU started nnU-Net's 1000 x 250
// (about 139 h for 2d) without a word. It now says the estimate the app's Train step shows, offers
// the same first try (--epochs 10 --iterations 10), and starts a run past 3 hours only with --yes.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trainLengthCheck } from '../../electron/cli/trainLength'
import type { TrainRequest } from '../../shared/schema'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

const req = (more: Partial<TrainRequest> = {}): TrainRequest => ({ datasetId: 501, configuration: '2d', fold: 2, npz: true, continueTraining: false, validationOnly: false, ...more })

describe('trainLengthCheck', () => {
  it('refuses nnU-Net defaults on the CPU without --yes, with the estimate and the first try', () => {
    const c = trainLengthCheck({ device: 'cpu', request: req(), runs: 1, yes: false })
    expect(c.refuse).toBe(true)
    expect(c.lines[0]).toBe('warning: This training will take about 139 h on the CPU: 1000 epochs of 250 iterations.')
    expect(c.lines[1]).toBe('For a first try add --epochs 10 --iterations 10 (about 3 min).')
    expect(c.lines[2]).toContain('add --yes')
    const yes = trainLengthCheck({ device: 'cpu', request: req(), runs: 1, yes: true })
    expect(yes.refuse).toBe(false)
    expect(yes.lines.at(-1)).toBe('Starting it anyway (--yes).')
  })

  it('keeps the epochs asked for in the first try, and counts every fold', () => {
    const c = trainLengthCheck({ device: 'cpu', request: req({ epochs: 50 }), runs: 5, yes: false })
    expect(c.lines[0]).toContain('These 5 trainings (one after another) will take about')
    expect(c.lines[1]).toContain('--epochs 50 --iterations 10')
    expect(c.lines[1]).toContain('per fold')
  })

  it('warns but starts between one and three hours; says nothing on a GPU, for short runs, validation only or a trainer of its own length', () => {
    // 2d: 2 s per iteration -> 40 x 60 x 2 s = 80 min.
    const mid = trainLengthCheck({ device: 'cpu', request: req({ epochs: 40, iterationsPerEpoch: 60 }), runs: 1, yes: false })
    expect(mid.refuse).toBe(false)
    expect(mid.lines[0]).toMatch(/^warning: On the CPU, 40 epochs of 60 iterations/)
    expect(trainLengthCheck({ device: 'cuda', request: req(), runs: 1, yes: false })).toEqual({ lines: [], refuse: false })
    expect(trainLengthCheck({ device: 'cpu', request: req({ epochs: 10, iterationsPerEpoch: 10 }), runs: 1, yes: false })).toEqual({ lines: [], refuse: false })
    expect(trainLengthCheck({ device: 'cpu', request: req({ validationOnly: true }), runs: 1, yes: false })).toEqual({ lines: [], refuse: false })
    expect(trainLengthCheck({ device: 'cpu', request: req({ trainer: 'nnUNetTrainer_5epochs' }), runs: 1, yes: false })).toEqual({ lines: [], refuse: false })
  })
})

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-train-length-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: join(tmp, 'data') }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results']) delete env[k]
  return new Promise((resolve) => {
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }))
  })
}

describe('nnunet-wizard train on the CPU', () => {
  it('refuses the default length without --yes (nothing started); with --yes goes on to its usual checks', { timeout: 60_000 }, async () => {
    const common = ['train', '-d', '501', '-c', '2d', '-f', '2', '--scheduler', 'local', '--device', 'cpu', '--nnunet', 'v2', '--python', join(tmp, 'no-python')]
    const r = await cli(common)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('warning: This training will take about 139 h on the CPU: 1000 epochs of 250 iterations.')
    expect(r.stderr).toContain('For a first try add --epochs 10 --iterations 10 (about 3 min).')
    expect(r.stderr).toContain('Nothing was started: add --yes')
    // Refused before the settings were looked at: no folders message.
    expect(r.stderr).not.toContain('folders are set')

    const yes = await cli([...common, '--yes'])
    expect(yes.stderr).toContain('Starting it anyway (--yes).')
    expect(yes.stderr).toContain('no nnU-Net v2 folders are set')

    const short = await cli([...common, '--epochs', '10', '--iterations', '10'])
    expect(short.stderr).not.toContain('warning:')
    expect(short.stderr).toContain('no nnU-Net v2 folders are set')
  })
  it('without --scheduler, says that the saved setting sends the run to SLURM and how to run here', { timeout: 60_000 }, async () => {
    await mkdir(join(tmp, 'data'), { recursive: true })
    await writeFile(join(tmp, 'data', 'settings.json'), JSON.stringify({ scheduler: 'slurm' }))
    const r = await cli(['train', '-d', '501', '-c', '2d', '-f', '2', '--nnunet', 'v2', '--python', join(tmp, 'no-python')])
    expect(r.stderr).toContain(`Runs on SLURM: the saved "Where to run" setting (${join(tmp, 'data', 'settings.json')}); --scheduler local to run on this machine.`)
    const local = await cli(['train', '-d', '501', '-c', '2d', '-f', '2', '--scheduler', 'slurm', '--nnunet', 'v2', '--python', join(tmp, 'no-python')])
    expect(local.stderr).not.toContain('Runs on SLURM')
    await rm(join(tmp, 'data', 'settings.json'))
  })
})
