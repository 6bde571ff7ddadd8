// One run engine, two schedulers: the same training request gives the same nnU-Net argv whether
// it runs on this machine (the queue's job: runTrain) or through SLURM's job script (the script
// sbatch runs, executed here with bash). nnU-Net is a fake here (a venv whose python records its
// argv and the trainer folder; nothing of nnU-Net runs), because the argv is the thing compared;
// the real runs are in test/schedulers/slurmEngine.integration.test.ts.
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { runTrain } from '../../electron/nnunet/pipeline'
import { rememberPlans } from '../../electron/nnunet/plansChoice'
import { buildStudy } from '../../electron/schedulers/study'
import { writeStudy } from '../../electron/schedulers/cluster'
import { LocalScheduler } from '../../electron/schedulers/local'
import { trainSpec } from '../../electron/nnunet/runSpec'
import { resolveFineTune } from '../../electron/nnunet/fineTune'
import * as s from '../../shared/schema'

const TOOLS = ['nnUNetv2_train', 'nnUNet_train']

/** A venv whose python appends each call's argv (NUL-separated, after CALL) to $FAKE_LOG; asked for nnunet's package folder it names $FAKE_NNUNET. */
async function fakeVenv(dir: string): Promise<string> {
  const bin = join(dir, 'bin')
  await mkdir(bin, { recursive: true })
  const python = join(bin, 'python')
  await writeFile(
    python,
    [
      '#!/bin/bash',
      'case "$2" in',
      // v1 trainings start through a -c wrapper that names network_training too: that is a run, recorded.
      '  *run_training*) ;;',
      '  *network_training*) echo "$FAKE_NNUNET/training/network_training/nnunet_wizard"; exit 0 ;;',
      '  *find_spec*) echo "NNUNET_DIR $FAKE_NNUNET"; exit 0 ;;',
      'esac',
      `{ printf '%s\\0' CALL "$@"; } >> "$FAKE_LOG"`,
      '',
    ].join('\n'),
  )
  await chmod(python, 0o755)
  for (const tool of TOOLS) {
    await writeFile(join(bin, tool), `#!${python}\nimport sys\n`)
    await chmod(join(bin, tool), 0o755)
  }
  return python
}

/** nnU-Net's own arguments of each recorded call (after `-c PROGRAM` or the console script). */
function recorded(log: string): string[][] {
  return log
    .split('CALL\0')
    .slice(1)
    .map((c) => c.split('\0').slice(0, -1))
    .map((argv) => (argv[0] === '-c' ? argv.slice(2) : argv.slice(1)))
}

function bash(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => execFile('bash', [file, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr })))
}

const planJson = (name: string, plans: string, configs: string[]) => {
  const c: Record<string, object> = {
    '2d': { data_identifier: `${plans}_2d`, batch_size: 12, patch_size: [192, 160], spacing: [0.8, 0.8] },
    '3d_fullres': { data_identifier: `${plans}_3d_fullres`, batch_size: 2, patch_size: [96, 160, 128], spacing: [2.5, 0.8, 0.8] },
    '3d_lowres': { data_identifier: `${plans}_3d_lowres`, batch_size: 2, patch_size: [96, 160, 128], spacing: [5, 1.6, 1.6], next_stage: '3d_cascade_fullres' },
    '3d_cascade_fullres': { inherits_from: '3d_fullres', previous_stage: '3d_lowres' },
  }
  return JSON.stringify({ dataset_name: name, plans_name: plans, configurations: Object.fromEntries(configs.map((k) => [k, c[k]])) })
}

describe('the same request gives the same nnU-Net argv on the local scheduler and on SLURM', () => {
  let tmp: string
  let python: string
  let log: string
  let fakeNnunet: string
  let v2: s.Settings
  let v1: s.Settings
  const dataDir = () => join(tmp, 'app data')

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-same-argv-'))
    python = await fakeVenv(join(tmp, 'venv'))
    log = join(tmp, 'calls.log')
    fakeNnunet = join(tmp, 'site-packages', 'nnunet')
    await mkdir(fakeNnunet, { recursive: true })
    const base = join(tmp, 'nnunet')
    const folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
    v2 = s.settings.parse({ pythonPath: python, nnunetVersion: 'v2', folders, device: 'cuda', augmentationWorkers: 1 })
    // Dataset 7: planned with the residual-encoder preset only (and remembered so by the app).
    const d7 = join(folders.preprocessed, 'Dataset007_Liver')
    await mkdir(join(d7, 'nnUNetResEncUNetMPlans_2d'), { recursive: true })
    await writeFile(join(d7, 'nnUNetResEncUNetMPlans.json'), planJson('Dataset007_Liver', 'nnUNetResEncUNetMPlans', ['2d']))
    await rememberPlans(dataDir(), v2, 7, 'nnUNetResEncUNetMPlans')
    // Dataset 8: default plans, every configuration preprocessed; fold 0 finished with a 5-epoch trainer, lowres trained.
    const d8 = join(folders.preprocessed, 'Dataset008_Lung')
    await writeFile(join(await mkdir(d8, { recursive: true }).then(() => d8), 'nnUNetPlans.json'), planJson('Dataset008_Lung', 'nnUNetPlans', ['2d', '3d_fullres', '3d_lowres', '3d_cascade_fullres']))
    for (const c of ['2d', '3d_fullres', '3d_lowres']) await mkdir(join(d8, `nnUNetPlans_${c}`), { recursive: true })
    const finished = join(folders.results, 'Dataset008_Lung', 'nnUNetTrainer_5epochs__nnUNetPlans__2d', 'fold_0')
    await mkdir(finished, { recursive: true })
    await writeFile(join(finished, 'checkpoint_final.pth'), 'weights of 5 epochs')
    await mkdir(join(folders.results, 'Dataset008_Lung', 'nnUNetTrainer__nnUNetPlans__3d_lowres', 'fold_1'), { recursive: true })
    // v1: Task009 planned (its plans pickle), trained with a generated trainer.
    const v1Folders = { raw: join(base, 'v1raw'), preprocessed: join(base, 'v1pre'), results: join(base, 'v1res') }
    v1 = s.settings.parse({ pythonPath: python, nnunetVersion: 'v1', folders: v1Folders, augmentationWorkers: 1 })
    await mkdir(join(v1Folders.preprocessed, 'Task009_Spleen'), { recursive: true })
    await writeFile(join(v1Folders.preprocessed, 'Task009_Spleen', 'nnUNetPlansv2.1_plans_2D.pkl'), 'pickle')
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const cases: { name: string; version: 'v1' | 'v2'; req: Record<string, unknown> | (() => Promise<Record<string, unknown>>); expect: (argv: string[]) => void }[] = [
    { name: 'a ResEnc-planned dataset trains with its plans', version: 'v2', req: { datasetId: 7, configuration: '2d', fold: 0 }, expect: (a) => expect(a.join(' ')).toContain('-p nnUNetResEncUNetMPlans') },
    {
      name: 'train longer continues the finished fold',
      version: 'v2',
      req: { datasetId: 8, configuration: '2d', fold: 0, longerFrom: 'nnUNetTrainer_5epochs', epochs: 8 },
      expect: (a) => {
        expect(a).toContain('--c')
        expect(a[a.indexOf('-tr') + 1]).toMatch(/_8ep/)
      },
    },
    { name: 'a v1 generated trainer', version: 'v1', req: { datasetId: 9, configuration: '2d', fold: 1, epochs: 2 }, expect: (a) => expect(a.slice(0, 4)).toEqual(['2d', expect.stringMatching(/^nnUNetTrainerV2_Wizard_2ep/), '9', '1']) },
    { name: "the user's own trainer", version: 'v2', req: { datasetId: 8, configuration: '3d_fullres', fold: 2, trainer: 'MyOwnTrainer' }, expect: (a) => expect(a.slice(0, 5)).toEqual(['8', '3d_fullres', '2', '-tr', 'MyOwnTrainer']) },
    { name: 'the cascade after its lowres stage', version: 'v2', req: { datasetId: 8, configuration: '3d_cascade_fullres', fold: 1 }, expect: (a) => expect(a.slice(0, 3)).toEqual(['8', '3d_cascade_fullres', '1']) },
    {
      // Issue 21: a fine-tuning round (nnunet/fineTune.ts) trains TRAINER_ftN from the parent fold's final checkpoint.
      name: 'fine-tune from the finished fold (-pretrained_weights, its own trainer)',
      version: 'v2',
      req: async () => (await resolveFineTune(s.fineTuneRequest.parse({ datasetId: 8, configuration: '2d', trainer: 'nnUNetTrainer_5epochs', folds: [0] }), v2, dataDir(), [])).trainings[0]!,
      expect: (a) => {
        expect(a.slice(0, 5)).toEqual(['8', '2d', '0', '-tr', 'nnUNetTrainer_5epochs_ft2'])
        expect(a[a.indexOf('-pretrained_weights') + 1]).toBe(join(v2.folders!.results, 'Dataset008_Lung', 'nnUNetTrainer_5epochs__nnUNetPlans__2d', 'fold_0', 'checkpoint_final.pth'))
        expect(a).not.toContain('--c')
      },
    },
    { name: 'several GPUs (-num_gpus)', version: 'v2', req: { datasetId: 8, configuration: '2d', fold: 3, gpus: [0, 1], numGpus: 2 }, expect: (a) => expect(a.join(' ')).toContain('-num_gpus 2') },
  ]

  it('the local scheduler runs a spec as a job: its state, its log, the same argv', { timeout: 120_000 }, async () => {
    Object.assign(process.env, { FAKE_LOG: log, FAKE_NNUNET: fakeNnunet })
    await writeFile(log, '')
    const jobs = new JobManager(join(tmp, 'jobs-local-scheduler'))
    const local = new LocalScheduler(jobs)
    const spec = await trainSpec(s.trainRequest.parse({ datasetId: 7, configuration: '2d', fold: 4 }), { settings: v2, dataDir: dataDir() })
    const { id } = await local.submit({ runs: [spec] })
    await jobs.wait(id)
    // The fake nnU-Net writes no checkpoint: the spec's success check fails the run.
    const [state] = await local.state(id)
    expect(state).toMatchObject({ id, state: 'FAILED', reason: expect.stringMatching(/checkpoint/) })
    expect(await readFile((await local.logLocation(id))!, 'utf8')).toContain('nnUNetv2_train 7 2d 4 -tr nnUNetTrainer -p nnUNetResEncUNetMPlans')
    expect(recorded(await readFile(log, 'utf8'))).toEqual([spec.commands[0]!.args])
    await expect(local.signal(id, 'USR1')).rejects.toThrow(/cannot stop after its epoch/)
  })

  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, async () => {
      const settings = c.version === 'v2' ? v2 : v1
      const req = s.trainRequest.parse(typeof c.req === 'function' ? await c.req() : c.req)
      const env = { FAKE_LOG: log, FAKE_NNUNET: fakeNnunet }
      Object.assign(process.env, env)
      // Local: the queue's job body on this machine.
      await writeFile(log, '')
      const jobs = new JobManager(join(tmp, `jobs-${c.name.length}`))
      const job = await jobs.start('train', c.name, (ctx) => runTrain(req, settings, ctx, dataDir()))
      const info = await jobs.wait(job.id)
      const local = recorded(await readFile(log, 'utf8'))
      expect(local, `${info.error}`).toHaveLength(1)
      // SLURM: the job script sbatch would run (here with bash, task 0).
      await writeFile(log, '')
      const folder = join(tmp, `study-${c.name.length}`)
      const study = await buildStudy({ trainings: [req] }, settings, dataDir(), folder)
      await writeStudy(study)
      const r = await bash(join(folder, 'train.sbatch'), ['0'], { ...env, NNUNET_PYTHON: python })
      const slurm = recorded(await readFile(log, 'utf8'))
      expect(slurm, r.out).toHaveLength(1)
      expect(slurm[0]).toEqual(local[0])
      c.expect(local[0]!)
      if (c.version === 'v1') {
        // Installed for nnU-Net v1 to find it, by the local run and by the script on the node.
        expect(existsSync(join(fakeNnunet, 'training', 'network_training', 'nnunet_wizard', `${local[0]![1]}.py`))).toBe(true)
        expect(r.out).not.toMatch(/No such file/)
      }
    })
  }
})
