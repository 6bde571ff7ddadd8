// The phases a job shows, read from nnU-Net's real output (test/fixtures/nnunet, nnunetv2 2.8.1 on
// the tiny dataset): plan/preprocess per configuration with case counts, epochs then the final
// validation per case (never "Epoch N+1 of N"), prediction per case, ETAs from the one rule.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Progress } from '../../shared/api'
import { TOOLS } from '../../shared/nnunetArgs'
import { parseTqdm, toolKind, ToolProgress, type ToolKind } from '../../shared/nnunetProgress'

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'nnunet', name), 'utf8')

/** Lines as the runner hands them over: "\n" and a lone "\r" both end one. */
function lines(text: string): string[] {
  return text.split(/\r?\n|\r(?!\n)/)
}

/** Every progress the tracker reports for a whole log, one second of clock per line. */
function run(kind: ToolKind, text: string, opts: ConstructorParameters<typeof ToolProgress>[1] = {}): Progress[] {
  const t = new ToolProgress(kind, opts)
  const out: Progress[] = []
  const first = t.start()
  if (first) out.push(first)
  lines(text).forEach((l, i) => {
    const p = t.push(l, 1_000_000 + i * 1000).progress
    if (p) out.push(p)
  })
  return out
}

describe('toolKind', () => {
  it('names both versions of each tool', () => {
    expect(toolKind(TOOLS.v2.plan)).toBe('plan')
    expect(toolKind(TOOLS.v1.plan)).toBe('plan')
    expect(toolKind(TOOLS.v2.train)).toBe('train')
    expect(toolKind(TOOLS.v1.predict)).toBe('predict')
    expect(toolKind({ script: 'pip', entry: 'pip:main' })).toBeUndefined()
  })
})

describe('parseTqdm', () => {
  it('reads a described bar, an undescribed one and a bar before its first estimate', () => {
    expect(parseTqdm('Preprocessing cases:  25%|██▌       | 1/4 [00:07<00:22,  7.37s/it]')).toEqual({ desc: 'Preprocessing cases', done: 1, total: 4, elapsedSeconds: 7, remainingSeconds: 22 })
    expect(parseTqdm(' 43%|████▎     | 13/30 [00:43<00:44,  2.61s/it]')).toEqual({ desc: '', done: 13, total: 30, elapsedSeconds: 43, remainingSeconds: 44 })
    expect(parseTqdm('Extracting dataset fingerprint:   0%|          | 0/4 [00:00<?, ?it/s]')).toEqual({ desc: 'Extracting dataset fingerprint', done: 0, total: 4, elapsedSeconds: 0 })
    expect(parseTqdm('1:02:03 elapsed')).toBeNull()
    expect(parseTqdm('Epoch time: 11.1 s')).toBeNull()
  })
})

describe('plan and preprocess (real v2 output)', () => {
  const args = ['-d', '601', '--verify_dataset_integrity', '-c', '2d', '3d_fullres', '3d_lowres', '-np', '1', '-npfp', '1']
  const all = run('plan', fixture('v2-plan.log'), { args })
  const phases = all.map((p) => p.phase)

  it('goes through fingerprint, planning and each configuration in the order nnU-Net does them', () => {
    const distinct = phases.filter((p, i) => p !== phases[i - 1]).map((p) => p!.replace(/: case \d+ of \d+$|: \d+ of \d+ cases done$/, ''))
    expect([...new Set(distinct)]).toEqual([
      'Starting nnU-Net',
      'Checking the dataset and extracting its fingerprint',
      'Extracting the dataset fingerprint',
      'Planning the experiment (spacing, patch and batch size per configuration)',
      'Preprocessing',
      'Preprocessing 2d (configuration 1 of 3)',
      'Preprocessing 3d_fullres (configuration 2 of 3)',
      'Preprocessing 3d_lowres (configuration 3 of 3)',
      'Skipping 3d_lowres: the plans have no such configuration',
    ])
  })

  it('counts cases per configuration from tqdm, with a time left from its elapsed time', () => {
    expect(phases).toContain('Extracting the dataset fingerprint: case 2 of 4')
    expect(phases).toContain('Preprocessing 3d_fullres (configuration 2 of 3): case 3 of 4')
    expect(phases).toContain('Preprocessing 2d (configuration 1 of 3): 4 of 4 cases done')
    // "2/4 [00:07<..." -> 7 s for 2 cases, 2 left: 7 s.
    const half = all.find((p) => p.phase === 'Preprocessing 2d (configuration 1 of 3): case 3 of 4')!
    expect(half).toMatchObject({ done: 2, total: 4, unit: 'case', etaSeconds: 7 })
    // Never more done than there are.
    expect(all.every((p) => p.total === 0 || p.done <= p.total)).toBe(true)
  })
})

describe('training (real v2 output)', () => {
  const text = fixture('v2-train.log')
  const all = run('train', text, { totalEpochs: 3 })
  const phases = all.map((p) => p.phase!)

  it('shows the start, then epoch 1..3 of 3 and never "Epoch 4 of 3"', () => {
    expect(phases[0]).toMatch(/^Starting nnU-Net/)
    const epochs = [...new Set(phases.filter((p) => p.startsWith('Epoch')))]
    expect(epochs).toEqual(['Epoch 1 of 3', 'Epoch 2 of 3', 'Epoch 3 of 3'])
    const lastEpoch = all.filter((p) => p.unit === 'epoch').pop()!
    expect(lastEpoch).toMatchObject({ done: 3, total: 3, etaSeconds: 0 })
  })

  it('then the final validation, case by case, paced by the trainer\'s own timestamps', () => {
    const val = all.filter((p) => p.unit === 'validation case')
    expect(val.map((p) => p.phase)).toEqual([
      'Final validation: predicting the validation cases',
      'Final validation: case 1 (tiny_001)',
      'Final validation: case 2 (tiny_002)',
      'Final validation: case 3 (tiny_003)',
      'Final validation: case 4 (tiny_004)',
      'Final validation: done, computing the Dice',
    ])
    expect(val[val.length - 1]).toMatchObject({ done: 4, total: 4 })
  })

  it('knows the number of validation cases from the split line of a numbered fold', () => {
    // The fixture trained fold "all", which prints no split; a numbered fold prints this line first.
    const withSplit = text.replace('2026-11-27 14:23:24.652498: do_dummy_2d_data_aug: False', '2026-11-27 14:23:24.652498: This split has 3 training and 4 validation cases.')
    const val = run('train', withSplit, { totalEpochs: 3 }).filter((p) => p.unit === 'validation case')
    expect(val.map((p) => p.phase)).toContain('Final validation: case 3 of 4 (tiny_003)')
    // tiny_001 -> tiny_002 took 210 s, tiny_002 -> tiny_003 10 s: mean 110 s for the 2 cases left.
    expect(val.find((p) => p.phase === 'Final validation: case 3 of 4 (tiny_003)')).toMatchObject({ done: 2, total: 4, etaSeconds: 220 })
  })

  it('still yields the epoch metrics', () => {
    const t = new ToolProgress('train', { totalEpochs: 3 })
    for (const l of lines(text)) t.push(l, 0)
    expect(t.training!.finished().map((e) => e.epochSeconds)).toEqual([11.1, 12.46, 13.57])
  })
})

describe('prediction (real v2 output)', () => {
  const all = run('predict', fixture('v2-predict.log'))
  const phases = all.map((p) => p.phase!)

  it('says which case of how many, with the sliding window inside it', () => {
    expect(phases).toContain('Loading the model; 2 cases to predict')
    expect(phases).toContain('Predicting case 1 of 2 (tiny_005): sliding window 13 of 30')
    expect(phases).toContain('Predicting case 2 of 2 (tiny_006)')
    expect(phases[phases.length - 1]).toBe('Predicted 2 of 2 cases; writing the last segmentation')
    expect(all[all.length - 1]).toMatchObject({ done: 2, total: 2 })
    expect(phases.some((p) => /\d+ of \d+ case$/.test(p))).toBe(false)
  })

  it('estimates the time left from the running case\'s bar and the cases after it', () => {
    // "13/30 [00:52<01:09" in case 1: 69 s for this case, then one more case of 52 + 69 s.
    const p = all.find((x) => x.phase === 'Predicting case 1 of 2 (tiny_005): sliding window 13 of 30')!
    expect(p.etaSeconds).toBe(69 + 121)
  })
})

describe('v1 lines (from nnunet 1.7.1 source: inference/predict.py, nnUNetTrainer.validate)', () => {
  it('prediction: the count, then each case by its output path', () => {
    const all = run('predict', ['number of cases: 2', 'number of cases that still need to be predicted: 2', 'predicting /out/case_a.nii.gz', 'predicting /out/case_b.nii.gz'].join('\n'))
    expect(all.map((p) => p.phase)).toContain('Predicting case 2 of 2 (case_b.nii.gz)')
    expect(all[all.length - 1]).toMatchObject({ done: 1, total: 2 })
  })

  it('training: epochs, then the validation cases after the final checkpoint', () => {
    const log = ['epoch:  0', 'This epoch took 10.5 s', 'saving checkpoint...', 'epoch:  1', 'This epoch took 10.1 s', 'saving checkpoint...', 'case_01 (1, 30, 101, 122)', 'case_02 (1, 24, 101, 122)', 'finished prediction'].join('\n')
    const phases = run('train', log, { totalEpochs: 2 }).map((p) => p.phase)
    expect(phases).toContain('Epoch 2 of 2')
    expect(phases).toContain('Final validation: case 2 (case_02)')
    expect(phases).not.toContain('Epoch 3 of 2')
  })
})
