// The pure parts of own trainers: the v1/v2 module a spec turns into (Python parses it; the
// line where own code starts is where it really is), the line words an error gets, the loss
// labels, and the check of what a finished training must leave behind (on real files).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateTrainer } from '../../electron/nnunet/trainers'
import { describeLine } from '../../electron/nnunet/trainerCreate'
import { lossLabel } from '../../electron/nnunet/trainerLosses'
import { missingTrainingOutputs } from '../../electron/nnunet/trainerOutputs'

const tmp = mkdtempSync(join(tmpdir(), 'nnw-trainer-parts-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Python's own parser on the text (syntax only: importing needs torch and nnU-Net). */
function parses(source: string): void {
  const file = join(tmp, `m${Math.random().toString(36).slice(2)}.py`)
  writeFileSync(file, source)
  execFileSync('python3', ['-c', 'import sys, ast; ast.parse(open(sys.argv[1]).read())', file])
}

const OWN = ['import torch', '', 'def build_loss(trainer):', '    return torch.nn.CrossEntropyLoss()'].join('\n')

describe('generated trainer modules', () => {
  it('v2 with a shipped loss borrows its _build_loss', () => {
    const g = generateTrainer({ version: 'v2', base: 'nnUNetTrainer', epochs: 2, iterationsPerEpoch: 2, loss: { kind: 'shipped', loss: { className: 'nnUNetTrainerTopk10Loss', module: 'nnunetv2.training.nnUNetTrainer.variants.loss.nnUNetTrainerTopkLoss' } } })
    expect(g.name).toBe('nnUNetTrainer_Wizard_2ep_2it_Topk10Loss')
    expect(g.source).toContain('from nnunetv2.training.nnUNetTrainer.variants.loss.nnUNetTrainerTopkLoss import nnUNetTrainerTopk10Loss as _LossSource')
    expect(g.source).toContain('        return _LossSource._build_loss(self)')
    expect(g.userCodeLine).toBeUndefined()
    parses(g.source)
  })

  it('v1 repeats the shipped loss expression after the base __init__, with that module\'s imports', () => {
    const g = generateTrainer({
      version: 'v1',
      base: 'nnUNetTrainerV2',
      epochs: 3,
      loss: { kind: 'shipped', loss: { className: 'nnUNetTrainerV2_Loss_TopK10', module: 'x', imports: ['from nnunet.training.loss_functions.TopK_loss import TopKLoss'], expression: 'TopKLoss(k=10)' } },
    })
    expect(g.name).toBe('nnUNetTrainerV2_Wizard_3ep_Loss_TopK10')
    expect(g.source).toMatch(/def __init__\(self, \*args, \*\*kwargs\):\n {8}super\(\).__init__\(\*args, \*\*kwargs\)\n {8}self.max_num_epochs = 3\n {8}self.loss = TopKLoss\(k=10\)/)
    // Nothing switched off, unlike nnU-Net's benchmarking trainers.
    expect(g.source).not.toMatch(/def (save_checkpoint|validate|predict_preprocessed)/)
    parses(g.source)
  })

  it('own loss code is placed whole at the end; userCodeLine is its first line in the module', () => {
    for (const version of ['v1', 'v2'] as const) {
      const g = generateTrainer({ version, base: version === 'v2' ? 'nnUNetTrainer' : 'nnUNetTrainerV2', epochs: 2, loss: { kind: 'python', code: OWN } })
      const lines = g.source.split('\n')
      expect(lines[g.userCodeLine! - 1]).toBe('import torch')
      expect(lines[g.userCodeLine! + 1]).toBe('def build_loss(trainer):')
      expect(g.name.endsWith('_ownLoss')).toBe(true)
      parses(g.source)
      // Line 3 of the user's code, in words, and a line before it.
      expect(describeLine(g.userCodeLine! + 2, g, false)).toBe(`line 3 of your code (line ${g.userCodeLine! + 2} of ${g.name}.py)`)
      expect(describeLine(2, g, false)).toBe(`line 2 of ${g.name}.py`)
    }
    expect(describeLine(7, { name: 'Mine' }, true)).toBe('line 7')
  })

  it('refuses names that are not Python class names', () => {
    expect(() => generateTrainer({ base: 'nnUNetTrainer', epochs: 2, name: 'my trainer' })).toThrow(/not a Python class name/)
    expect(() => generateTrainer({ base: 'os.system', epochs: 2 })).toThrow(/not a Python class name/)
    expect(() => generateTrainer({ base: 'nnUNetTrainer', epochs: 0 })).toThrow(/at least 1/)
  })
})

describe('loss labels', () => {
  it('names the losses nnU-Net ships in words, with their class', () => {
    expect(lossLabel('nnUNetTrainerTopk10Loss')).toBe('Top-K 10% (nnUNetTrainerTopk10Loss)')
    expect(lossLabel('nnUNetTrainerTopk10LossLS01')).toBe('Top-K 10%, label smoothing 0.1 (nnUNetTrainerTopk10LossLS01)')
    expect(lossLabel('nnUNetTrainerCELoss')).toBe('Cross-entropy (CE) (nnUNetTrainerCELoss)')
    expect(lossLabel('nnUNetTrainerDiceCELoss_noSmooth')).toBe('Dice + CE, no smoothing (nnUNetTrainerDiceCELoss_noSmooth)')
    expect(lossLabel('nnUNetTrainerV2_Loss_DiceTopK10')).toBe('Dice + Top-K 10% (nnUNetTrainerV2_Loss_DiceTopK10)')
    expect(lossLabel('nnUNetTrainerV2_Loss_MCCnoBG')).toBe('MCC without background (nnUNetTrainerV2_Loss_MCCnoBG)')
  })
})

describe('what a finished training leaves behind', () => {
  const fold = (name: string, files: string[]) => {
    const dir = join(tmp, name)
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true })
      writeFileSync(join(dir, f), 'x')
    }
    mkdirSync(dir, { recursive: true })
    return dir
  }
  it('v1: the final checkpoint, its .pkl and validation_raw/summary.json', () => {
    const ok = fold('v1ok', ['model_final_checkpoint.model', 'model_final_checkpoint.model.pkl', 'validation_raw/summary.json'])
    expect(missingTrainingOutputs('v1', ok, 'T')).toBeUndefined()
    const bench = fold('v1bench', ['debug.json', 'progress.png'])
    expect(missingTrainingOutputs('v1', bench, 'nnUNetTrainerV2_2epochs')).toMatch(
      /model_final_checkpoint\.model, model_final_checkpoint\.model\.pkl, validation_raw\/summary\.json are missing .* one of nnU-Net v1's benchmarking trainers: it saves no checkpoint and skips the validation on purpose/,
    )
  })
  it('v2: checkpoint_final.pth and validation/summary.json, each missing one explained', () => {
    expect(missingTrainingOutputs('v2', fold('v2ok', ['checkpoint_final.pth', 'validation/summary.json']), 'T')).toBeUndefined()
    expect(missingTrainingOutputs('v2', fold('v2noval', ['checkpoint_final.pth']), 'Mine')).toMatch(/validation\/summary\.json is missing .* Mine saved its checkpoint but ran no validation/)
    expect(missingTrainingOutputs('v2', fold('v2nockpt', ['validation/summary.json']), 'Mine')).toMatch(/checkpoint_final\.pth is missing .* Mine saved no final checkpoint/)
  })
})
