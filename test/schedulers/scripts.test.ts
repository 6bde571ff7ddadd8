// The job scripts a study is written as: sbatch options from the settings, the preamble, nnU-Net's
// folders exported, one job array of folds x configurations with the cascade after 3d_lowres and
// find_best after all; bash accepts every file (bash -n). And the generated trainer's
// stop-on-USR1 lines, which Python must accept.
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { buildStudy, runAllScript, submitAllScript } from '../../electron/schedulers/study'
import { writeStudy } from '../../electron/schedulers/cluster'
import { generatedTrainerSource, STOP_EXIT_CODE } from '../../electron/nnunet/trainers'
import { nnunetPython } from '../helpers/python'
import * as s from '../../shared/schema'

const py = nnunetPython('v2')

describe('study scripts', () => {
  let tmp: string
  let settings: s.Settings
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-scripts-'))
    const folders = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre processed'), results: join(tmp, 'results') }
    await writePlannedDataset(folders.preprocessed, 'Dataset007_Liver')
    // A venv's layout as the scripts name it (nothing here is run): its python and nnU-Net's console scripts.
    const bin = join(tmp, 'venv', 'bin')
    await mkdir(bin, { recursive: true })
    await writeFile(join(bin, 'python'), '')
    for (const tool of ['nnUNetv2_plan_and_preprocess', 'nnUNetv2_train', 'nnUNetv2_find_best_configuration']) await writeFile(join(bin, tool), `#!${bin}/python\n`)
    settings = s.settings.parse({ pythonPath: join(bin, 'python'), folders, device: 'cuda', augmentationWorkers: 4 })
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('writes a plan job, the trainings as arrays (cascade after 3d_lowres), find_best after them, all valid bash', async () => {
    const trainings = ['3d_lowres', '3d_cascade_fullres'].flatMap((configuration) => [0, 1].map((fold) => s.trainRequest.parse({ datasetId: 7, configuration, fold, epochs: 20 })))
    const slurm = { partition: 'gpu', gpus: 1, cpus: 8, mem: '32G', time: '2-00:00:00', account: 'lab', sbatchArgs: ['--constraint=a100'], preamble: 'module load cuda/12.1\nconda activate nnunet' }
    const study = await buildStudy({ plan: s.planRequest.parse({ datasetId: 7, configurations: ['3d_lowres'] }), trainings, thenFindBest: true }, settings, join(tmp, 'data'), join(tmp, 'study'), slurm)
    expect(study.jobs.map((j) => [j.script.name, j.after])).toEqual([
      ['plan.sbatch', []],
      ['train.sbatch', ['plan.sbatch']],
      ['train-cascade.sbatch', ['plan.sbatch', 'train.sbatch']],
      ['find-best.sbatch', ['train.sbatch', 'train-cascade.sbatch']],
    ])
    const train = study.jobs[1]!.script.text
    for (const line of ['#SBATCH --partition=gpu', '#SBATCH --gpus=1', '#SBATCH --cpus-per-task=8', '#SBATCH --mem=32G', '#SBATCH --time=2-00:00:00', '#SBATCH --account=lab', '#SBATCH --constraint=a100', '#SBATCH --array=0-1', '#SBATCH --signal=B:USR1@600', '#SBATCH --requeue', 'module load cuda/12.1', "export nnUNet_preprocessed='" + join(tmp, 'pre processed') + "'", 'export nnUNet_n_proc_DA=4']) {
      expect(train).toContain(line)
    }
    expect(train).toMatch(/0\) # 3d_lowres fold 0 -> .*fold_0\n {4}run_training nnUNetv2_train 7 3d_lowres 0 -tr nnUNetTrainer_Wizard_20ep --npz -device cuda "\$\{continue_flag\[@\]\}" ;;/)
    expect(study.jobs[3]!.script.text).toMatch(/ 7 -c 3d_cascade_fullres -f 0 1 -tr nnUNetTrainer_Wizard_20ep/)
    expect(study.jobs[0]!.script.logFile('41')).toBe(join(tmp, 'study', 'logs', 'plan-41.log'))
    expect(study.jobs[1]!.script.logFile('42', 1)).toBe(join(tmp, 'study', 'logs', 'train-42_1.log'))
    expect(submitAllScript(study)).toContain('id[find-best.sbatch]=$(sbatch --parsable --dependency=afterok:${id[train.sbatch]}:${id[train-cascade.sbatch]} --kill-on-invalid-dep=yes find-best.sbatch')
    expect(runAllScript(study)).toContain('bash train-cascade.sbatch 1 2>&1 | tee -a logs/train-cascade-local_1.log')
    const files = await writeStudy(study)
    expect(files.map((f) => f.slice(study.folder.length + 1)).sort()).toEqual(['find-best.sbatch', 'plan.sbatch', 'run-all.sh', 'submit-all.sh', 'train-cascade.sbatch', 'train.sbatch', 'trainers/nnUNetTrainer_Wizard_20ep.py'])
    for (const f of files.filter((f) => !f.endsWith('.py'))) execFileSync('bash', ['-n', f]) // throws on a syntax error
    expect(await readFile(join(study.folder, 'train.sbatch'), 'utf8')).toBe(train)
  })

  it('a task number out of range is refused by the script itself', async () => {
    const study = await buildStudy({ trainings: [s.trainRequest.parse({ datasetId: 7, configuration: '2d', fold: 0, epochs: 2 })] }, settings, join(tmp, 'data'), join(tmp, 'study2'))
    await writeStudy(study)
    let err: { status?: number; stderr?: Buffer } = {}
    try {
      execFileSync('bash', [join(study.folder, 'train.sbatch'), '5'], { stdio: 'pipe' })
    } catch (e) {
      err = e as typeof err
    }
    expect(err.status).toBe(2)
    expect(String(err.stderr)).toContain('no task 5 (0-0)')
  })
})

describe.skipIf(!py.python)(`generated trainer: stop after the epoch on SIGUSR1 ${py.reason}`, () => {
  it('adds the handler and the epoch-end save, and Python accepts the module', () => {
    const src = generatedTrainerSource({ base: 'nnUNetTrainer', epochs: 3, iterationsPerEpoch: 2, features: { stopOnSignal: true } })
    expect(src).toContain('_signal.signal(_signal.SIGUSR1, self._wizard_request_stop)')
    expect(src).toContain("self.save_checkpoint(_os.path.join(self.output_folder, 'checkpoint_latest.pth'))")
    expect(src).toContain(`_os._exit(${STOP_EXIT_CODE})`)
    expect(generatedTrainerSource({ base: 'nnUNetTrainer', epochs: 3 })).not.toContain('SIGUSR1')
    execFileSync(py.python!, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: src })
  })
})
