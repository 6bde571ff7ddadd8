// Issue 18 finding 7 (third walkthrough): the report's "Commands run" was one flat list for the
// dataset (a stopped training and a 0-case predict in it) and lacked the SLURM training of an own
// trainer (its app job only says `sbatch 103_0`). Now each model lists the commands that made it,
// from records laid out as the app keeps them: the app's jobs.json (a local training started as
// `python -c`), a SLURM follow job whose task is found in the study's train.sbatch (written by the
// app's own script writer), and one whose result kept the nnU-Net command.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobInfo } from '../../shared/api'
import { planArgs, predictArgs, trainArgs } from '../../shared/nnunetArgs'
import { planRequest, predictRequest, trainRequest } from '../../shared/schema'
import { appInvocation, invocation } from '../../electron/nnunet/launch'
import { accumulateArgs } from '../../electron/results/postprocessing'
import { trainArrayScript } from '../../electron/schedulers/scripts'
import { commandRecords, modelCommands, readJobList, sbatchTaskCommand, shellWords } from '../../electron/results/modelCommands'
import { resultsHtml } from '../../electron/results/report'
import type { DatasetResults, ModelResults } from '../../shared/api'

const PY = '/nowhere/venv/bin/python'
const ID = 501
const DS = 'Dataset501_Liver'
let tmp: string
let t = 0
const job = (argv: string[], state: JobInfo['state'] = 'done', extra: Partial<JobInfo> = {}): JobInfo => ({ id: String(++t), kind: 'train', title: '', state, createdAt: ++t * 1000, command: argv, logLines: 0, ...extra })
const argvOf = (cmd: Parameters<typeof appInvocation>[1]) => {
  const inv = appInvocation(PY, cmd)
  return [inv.file, ...inv.args]
}
const train = (fold: number, trainer: string) => trainArgs('v2', trainRequest.parse({ datasetId: ID, configuration: '2d', fold }), { trainer, device: 'cpu' })

const own = { model: 'Topk10Loss__nnUNetPlans__2d', trainer: 'Topk10Loss', plans: 'nnUNetPlans', configuration: '2d' }
const local = { model: 'nnUNetTrainer__nnUNetPlans__2d', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', configuration: '2d' }

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wizard-model-commands-'))
  // The study folder the app submitted: train.sbatch (two tasks: folds 0 and 1 of Topk10Loss), its logs.
  const study = join(tmp, 'nnUNet_results', DS, 'slurm', 'study-1')
  await mkdir(join(study, 'logs'), { recursive: true })
  const env = { env: {}, invoke: (cmd: Parameters<typeof invocation>[1]) => invocation(PY, cmd), logDir: join(study, 'logs'), python: PY, version: 'v2' as const }
  const script = trainArrayScript(env, [0, 1].map((fold) => ({ configuration: '2d', fold, command: train(fold, 'Topk10Loss') })), 'wizard-train')
  await writeFile(join(study, script.name), script.text)
  // The app's job list: plan, a local training of fold 0 and a stopped one of fold 1, a predict,
  // and the SLURM follow jobs of tasks 103_0 (an old record: only its log) and 103_1 (the command kept).
  const jobs = [
    job(argvOf(planArgs('v2', planRequest.parse({ datasetId: ID, configurations: ['2d'] }))), 'done', { kind: 'plan' }),
    job(argvOf(train(0, 'nnUNetTrainer'))),
    job(argvOf(train(1, 'nnUNetTrainer')), 'cancelled'),
    job(argvOf(predictArgs('v2', predictRequest.parse({ datasetId: ID, input: '/d/imagesTs', output: '/d/pred', configuration: '2d', folds: [0] }), { trainer: 'nnUNetTrainer' })), 'done', { kind: 'predict' }),
    job(['sbatch', '103_0'], 'done', { result: { taskId: '103_0', state: 'COMPLETED', logFile: join(study, 'logs', 'train-103_0.log') } }),
    job(['sbatch', '103_1'], 'done', { result: { taskId: '103_1', state: 'COMPLETED', logFile: join(study, 'logs', 'train-103_1.log'), command: ['nnUNetv2_train', String(ID), '2d', '1', '-tr', 'Topk10Loss', '--npz'] } }),
    job(argvOf(accumulateArgs(ID, '2d', [0, 1], 'nnUNetPlans', 'Topk10Loss')), 'done', { kind: 'postprocessing' }),
    // Another dataset's training is no command of this one.
    job(argvOf(trainArgs('v2', trainRequest.parse({ datasetId: 502, configuration: '2d', fold: 0 }), { trainer: 'nnUNetTrainer' }))),
  ]
  await writeFile(join(tmp, 'jobs.json'), JSON.stringify(jobs))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('the commands that made each model', () => {
  it("finds a SLURM task's command in the study's train.sbatch; shell words keep quoted programs whole", async () => {
    expect(shellWords(`"$NNUNET_PYTHON" -c 'import sys; x = "a b"' 501 "two words"`)).toEqual(['$NNUNET_PYTHON', '-c', 'import sys; x = "a b"', '501', 'two words'])
    const env = { env: {}, invoke: (cmd: Parameters<typeof invocation>[1]) => invocation(PY, cmd), logDir: '/s/logs', python: PY, version: 'v2' as const }
    const script = trainArrayScript(env, [0, 1].map((fold) => ({ configuration: '2d', fold, command: train(fold, 'Topk10Loss') })), 'x')
    expect(sbatchTaskCommand(script.text, 1)).toEqual(['nnUNetv2_train', '501', '2d', '1', '-tr', 'Topk10Loss', '--npz', '-device', 'cpu'])
    expect(sbatchTaskCommand(script.text, 2)).toBeUndefined()
  })

  it('lists per model its plan, each fold (stopped ones marked), its postprocessing; no predict, no other model', async () => {
    const list = await readJobList(join(tmp, 'jobs.json'))
    // The CLI's report reads its own jobs.json twice (its service's list and the CLI list): one run each.
    const records = await commandRecords([{ jobs: list, via: 'app' }, { jobs: list, via: 'cli' }])
    const topk = modelCommands(records, ID, DS, own)
    expect(topk.map((c) => [c.line.split(' ').slice(0, 4).join(' '), c.state, c.via])).toEqual([
      ['nnUNetv2_plan_and_preprocess -d 501 --verify_dataset_integrity', 'done', 'app'],
      ['nnUNetv2_train 501 2d 0', 'done', 'slurm 103_0'],
      ['nnUNetv2_train 501 2d 1', 'done', 'slurm 103_1'],
      ['nnUNetv2_accumulate_crossval_results 501 -c 2d', 'done', 'app'],
    ])
    expect(topk[1]!.line).toContain('-tr Topk10Loss')
    const plain = modelCommands(records, ID, DS, local)
    expect(plain.map((c) => [c.line.split(' ').slice(0, 4).join(' '), c.state])).toEqual([
      ['nnUNetv2_plan_and_preprocess -d 501 --verify_dataset_integrity', 'done'],
      ['nnUNetv2_train 501 2d 0', 'done'],
      ['nnUNetv2_train 501 2d 1', 'cancelled'],
    ])
    expect(plain.map((c) => c.line).join('\n')).not.toMatch(/predict|import sys|Topk10Loss|502/)
    // A model nothing recorded trained has no commands (not the dataset's plan alone).
    expect(modelCommands(records, ID, DS, { ...local, model: 'X__nnUNetPlans__3d_fullres', configuration: '3d_fullres' })).toEqual([])

    // The report: one list per model, the stopped training marked, the SLURM task named.
    const model = (k: typeof own): ModelResults => ({ ...k, folder: `/r/${k.model}`, folds: [], dice: {}, mean: { mean: null, sd: null, min: null, max: null, n: 0 } }) as unknown as ModelResults
    const results = { dataset: DS, version: 'v2', labels: [], models: [model(own), model(local)], cases: [], test: [] } as unknown as DatasetResults
    const html = resultsHtml({ results, facts: { cases: { train: 0, test: 0 }, voxels: {} }, commands: { [own.model]: topk, [local.model]: plain }, generatedAt: new Date(0) })
    const section = html.slice(html.indexOf('<h2>Commands run</h2>'))
    expect(section).toMatch(/<h3>Topk10Loss__nnUNetPlans__2d<\/h3>\n<ol>.*nnUNetv2_train 501 2d 0 -tr Topk10Loss.*\(SLURM task 103_0\)/s)
    expect(section).toMatch(/<h3>nnUNetTrainer__nnUNetPlans__2d<\/h3>\n<ol>.*nnUNetv2_train 501 2d 1 .*\(stopped\)/s)
  })
})
