// The one run engine on a real one-node SLURM cluster with real nnunetv2 on the CPU: a dataset
// planned with the residual-encoder preset trains on SLURM with nnUNetResEncUNetMPlans (without
// naming it again: the app remembers how the dataset was planned), `--longer-from X --epochs N
// --scheduler slurm` continues the finished fold rather than starting from scratch, and a second
// submission of a fold that a SLURM task trains is refused naming that SLURM job. Tiny on purpose:
// 2d, the shortest generated trainer (1 epoch of 1 iteration, then 2 epochs), --cpus 1. The dataset
// is a copy of the cached planned fixture (test/results/trainedFixture.ts), planned here again with
// the ResEnc preset (nnU-Net reuses the fixture's fingerprint).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_BIN, ensureBuiltCli } from '../helpers/builtCli'
import { REPO_ROOT, nnunetPython } from '../helpers/python'
import { holdSlurmNode, testSlurm } from '../helpers/slurm'
import { FIXTURE_DATASET, FIXTURE_ID as ID, plannedDataset } from '../results/trainedFixture'

const py = nnunetPython('v2')
const slurm = testSlurm()

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 1_500_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

describe.skipIf(!py.python || !slurm.available)(`the run engine on SLURM with real nnunetv2 ${py.reason} ${slurm.reason}`, () => {
  let tmp: string
  let base: string
  let env: NodeJS.ProcessEnv
  const flags = () => ['--base', base, '--python', py.python!, '--device', 'cpu', '--workers', '1']
  const results = () => join(base, 'nnUNet_results', FIXTURE_DATASET)

  let release: (() => Promise<void>) | undefined
  beforeAll(async () => {
    release = await holdSlurmNode('slurmEngine.integration')
    ensureBuiltCli()
    tmp = await mkdtemp(join(tmpdir(), 'nnw-slurm-engine-'))
    const fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    base = join(fx.base, 'nnunet')
    env = { NNUNET_WIZARD_DATA: fx.dataDir }
    // Planned on this machine with the ResEnc M preset (the app remembers it for this dataset); a
    // small GPU memory target keeps the CPU training tiny, under the preset's own plans name.
    const plan = await cli(['plan', '-d', String(ID), '-c', '2d', '--preset', 'resenc-m', '--gpu-memory-target', '2', '--plans-name', 'nnUNetResEncUNetMPlans', ...flags()], env)
    expect(plan.code, plan.stderr.slice(-3000)).toBe(0)
  }, 3_600_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
    await release?.()
  })

  it('a ResEnc-planned dataset trains on SLURM with nnUNetResEncUNetMPlans; a second submission of the fold is refused naming the SLURM job; train longer continues', { timeout: 1_800_000 }, async () => {
    const first = cli(['train', '-d', String(ID), '-c', '2d', '-f', '0', '--scheduler', 'slurm', '--epochs', '1', '--iterations', '1', '--cpus', '1', ...flags()], env)
    // While it trains, the fold is held by its SLURM task.
    const fold = join(results(), 'nnUNetTrainer_Wizard_1ep_1it__nnUNetResEncUNetMPlans__2d', 'fold_0')
    const lock = join(fold, '..', '.fold_0.nnunet-wizard.lock')
    let held: { slurmJobId?: string } | undefined
    for (let i = 0; i < 600 && !held?.slurmJobId; i++) {
      held = await readFile(lock, 'utf8').then((t) => JSON.parse(t) as { slurmJobId?: string }, () => undefined)
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(held?.slurmJobId).toMatch(/^\d+_0$/)
    const second = await cli(['train', '-d', String(ID), '-c', '2d', '-f', '0', '--scheduler', 'slurm', '--epochs', '1', '--iterations', '1', '--cpus', '1', ...flags()], env)
    expect(second.code).not.toBe(0)
    expect(second.stderr + second.stdout).toContain(`is already being trained by SLURM job ${held!.slurmJobId}`)
    const r = await first
    expect(r.code, r.stderr.slice(-3000) + r.stdout.slice(-3000)).toBe(0)
    // The task ran with the remembered plans: the job script names them, and the fold is under them.
    const folder = /Job scripts and task logs: (.+)/.exec(r.stdout)![1]!.trim()
    expect(await readFile(join(folder, 'train.sbatch'), 'utf8')).toMatch(new RegExp(`nnUNetv2_train ${ID} 2d 0 -tr nnUNetTrainer_Wizard_1ep_1it -p nnUNetResEncUNetMPlans`))
    expect(existsSync(join(fold, 'checkpoint_final.pth'))).toBe(true)
    expect(existsSync(join(results(), 'nnUNetTrainer_Wizard_1ep_1it__nnUNetPlans__2d'))).toBe(false)
    expect(existsSync(lock)).toBe(false)

    // Train longer on SLURM: from the 1-epoch fold to 2 epochs, continuing (epoch 1 only), not from scratch.
    const longer = await cli(['train', '-d', String(ID), '-c', '2d', '-f', '0', '--scheduler', 'slurm', '--longer-from', 'nnUNetTrainer_Wizard_1ep_1it', '--epochs', '2', '--iterations', '1', '--cpus', '1', ...flags()], env)
    expect(longer.code, longer.stderr.slice(-3000) + longer.stdout.slice(-3000)).toBe(0)
    const out = longer.stdout
    expect(out).toMatch(/Train longer: nnUNetTrainer_Wizard_1ep_1it \(1 epochs/)
    const epochs = [...out.matchAll(/: Epoch (\d+)\s*$/gm)].map((m) => Number(m[1]))
    expect(epochs).toEqual([1])
    const longerFold = join(results(), 'nnUNetTrainer_Wizard_2ep_1it__nnUNetResEncUNetMPlans__2d', 'fold_0')
    expect(existsSync(join(longerFold, 'checkpoint_final.pth'))).toBe(true)
    expect((await readdir(fold)).sort()).toContain('checkpoint_final.pth')
  })
})
