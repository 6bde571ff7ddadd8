// The report's commands and models: every command that made the model (the plan, each training
// as the app really starts it, through `python -c`, predict, evaluate), typed as a user would,
// not only the plan; models whose runs were all cancelled are left out of the report and of
// Results unless asked for, and Results opens on the newest finished model.
import { describe, expect, it } from 'vitest'
import type { FoldResult, JobInfo, ModelResults } from '../../shared/api'
import { TOOLS, planArgs, predictArgs, trainArgs } from '../../shared/nnunetArgs'
import { orderModels, modelOutcome } from '../../shared/resultsModels'
import { trainRequest, planRequest, predictRequest } from '../../shared/schema'
import { appInvocation } from '../../electron/nnunet/launch'
import { commandOfDataset, datasetCommandLines, typedCommand } from '../../electron/results/reportCommands'

const PY = '/nowhere/venv/bin/python'
let t = 0
const job = (argv: string[], state: JobInfo['state'] = 'done'): JobInfo => ({ id: String(++t), kind: 'train', title: '', state, createdAt: t, command: argv, logLines: 0 })
const argvOf = (cmd: Parameters<typeof appInvocation>[1]) => {
  const inv = appInvocation(PY, cmd)
  return [inv.file, ...inv.args]
}

describe('the commands that made a model', () => {
  it('lists plan, every training (started as python -c) and predict of the dataset, typed, oldest first', () => {
    const train = (fold: number) => argvOf(trainArgs('v2', trainRequest.parse({ datasetId: 611, configuration: '2d', fold, epochs: 2 }), { trainer: 'nnUNetTrainer_Wizard_2ep', device: 'cpu' }))
    expect(train(0)[1]).toBe('-c')
    const jobs = [
      job(argvOf(planArgs('v2', planRequest.parse({ datasetId: 611, configurations: ['2d'] })))),
      job(train(0)),
      job(train(1)),
      job(train(2), 'cancelled'),
      job(argvOf(trainArgs('v2', trainRequest.parse({ datasetId: 612, configuration: '2d', fold: 0 }), { trainer: 'nnUNetTrainer' }))),
      job(argvOf(predictArgs('v2', predictRequest.parse({ datasetId: 611, input: '/d/imagesTs', output: '/d/pred', configuration: '2d', folds: [0, 1] }), { trainer: 'nnUNetTrainer_Wizard_2ep' }))),
    ]
    const lines = datasetCommandLines(jobs, 611, 'Dataset611_Results')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^nnUNetv2_plan_and_preprocess -d 611 /)
    expect(lines[1]).toBe('nnUNetv2_train 611 2d 0 -tr nnUNetTrainer_Wizard_2ep --npz -device cpu')
    expect(lines[2]).toMatch(/^nnUNetv2_train 611 2d 1 /)
    expect(lines[3]).toMatch(/^nnUNetv2_predict /)
    // No interpreter program text in the report.
    expect(lines.join('\n')).not.toContain('import sys')
  })

  it('knows v1 trainings by their task id and find_best by its first argument', () => {
    expect(commandOfDataset(typedCommand(['nnUNet_train', '2d', 'nnUNetTrainerV2', '611', '0']), 611, 'Task611_X')).toBe(true)
    expect(commandOfDataset(typedCommand(['nnUNet_train', '2d', 'nnUNetTrainerV2', '612', '0']), 611, 'Task611_X')).toBe(false)
    expect(commandOfDataset([TOOLS.v2.findBest.script, '611', '-c', '2d'], 611, 'Dataset611_X')).toBe(true)
    expect(typedCommand(['/venv/bin/nnUNetv2_evaluate_folder', '/r/Dataset611_X/labelsTs', '/p'])).toEqual(['nnUNetv2_evaluate_folder', '/r/Dataset611_X/labelsTs', '/p'])
  })
})

const fold = (f: number, state: FoldResult['state']): FoldResult => ({ fold: f, state, epochsDone: 0, totalEpochs: 2, folder: '', dice: {}, mean: null, cases: 0, curves: [] })
const model = (name: string, states: FoldResult['state'][]): ModelResults => ({
  model: name,
  configuration: '2d',
  trainer: name.split('__')[0]!,
  plans: 'nnUNetPlans',
  folder: `/r/${name}`,
  folds: states.map((s, i) => fold(i, s)),
  dice: {},
  mean: { mean: null, sd: null, min: null, max: null, n: 0 },
})

describe('which models Results shows', () => {
  const cancelled = model('nnUNetTrainer__nnUNetPlans__2d', ['stopped', 'missing'])
  const old = model('nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d', ['finished', 'missing'])
  const newer = model('nnUNetTrainer_Wizard_5ep__nnUNetPlans__2d', ['finished', 'finished'])
  const running = model('nnUNetTrainer_Wizard_9ep__nnUNetPlans__2d', ['running'])
  const time: Record<string, number> = { [cancelled.model]: 50, [old.model]: 10, [newer.model]: 20, [running.model]: 40 }

  it('opens on the newest finished model and hides the cancelled one unless asked', () => {
    expect([cancelled, old, running].map(modelOutcome)).toEqual(['stopped', 'finished', 'running'])
    const o = orderModels([cancelled, old, newer, running], (m) => time[m.model]!)
    expect(o.shown.map((m) => m.model)).toEqual([running.model, newer.model, old.model])
    expect(o.hidden).toEqual([cancelled])
    expect(o.first).toBe(newer)
    const all = orderModels([cancelled, old, newer, running], (m) => time[m.model]!, true)
    expect(all.shown[0]).toBe(cancelled)
    expect(all.hidden).toEqual([])
    expect(all.first).toBe(newer)
  })
})
