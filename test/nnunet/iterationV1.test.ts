// nnU-Net v1 trainings report iterations as v2 ones do (issue 18 item 1): the generated v1 trainer
// overrides run_iteration (counting only the training batches, do_backprop), and the app starts
// nnUNet_train through a wrapper that does the same for nnU-Net's own trainers. The lines are the
// ones the progress parser reads, so a v1 training shows "iteration i of n", s/it and an estimate
// before its first epoch ends. In the v1 venv (when there is one) the generated module imports and
// its run_iteration and the wrapper print exactly one line per training batch.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { generateTrainer } from '../../electron/nnunet/trainers'
import { ITERATION_PREFIX, iterationWrapperV1Py } from '../../electron/nnunet/trainerParts'
import { appInvocation } from '../../electron/nnunet/launch'
import { TOOLS } from '../../shared/nnunetArgs'
import { ToolProgress } from '../../shared/nnunetProgress'
import { parseIterationLine } from '../../shared/trainingLog'
import { nnunetPython, REPO_ROOT } from '../helpers/python'

const tmp = mkdtempSync(join(tmpdir(), 'nnw-iter-v1-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const spec = { version: 'v1' as const, base: 'nnUNetTrainerV2', epochs: 2, iterationsPerEpoch: 3 }

describe('v1 iteration lines', () => {
  it('the generated v1 trainer counts training batches in run_iteration and prints the line the parser reads', () => {
    const g = generateTrainer(spec)
    expect(g.name).toBe('nnUNetTrainerV2_Wizard_2ep_3it')
    expect(g.source).toContain('    def run_iteration(self, data_generator, do_backprop=True, *args, **kwargs):')
    expect(g.source).toContain("        return _wizard_train_iteration(self, lambda: step(data_generator, do_backprop, *args, **kwargs))")
    // v1's names: the epoch is self.epoch, the iterations num_batches_per_epoch.
    expect(g.source).toContain("print(f'nnU-Net Wizard: iteration {done} of {total} in epoch {trainer.epoch}: {(now - state[\"start\"]) / done:.3f} s/it', flush=True)")
    expect(g.source).toContain("done, total = state['done'], trainer.num_batches_per_epoch")
    // The line as Python formats it is one the parser reads.
    expect(parseIterationLine(`${ITERATION_PREFIX}2 of 3 in epoch 0: 1.500 s/it`)).toEqual({ done: 2, total: 3, epoch: 0, secondsPerIteration: 1.5 })
    // The own-loss form keeps its code last, after the method.
    const own = generateTrainer({ ...spec, loss: { kind: 'python', code: 'def build_loss(trainer):\n    return None' } })
    expect(own.source.indexOf('def run_iteration')).toBeLessThan(own.source.indexOf('def build_loss'))
    expect(own.source.split('\n')[own.userCodeLine! - 1]).toBe('def build_loss(trainer):')
  })

  it('nnUNet_train is started through the v1 wrapper (nnUNetv2_train through the v2 one; predict plainly)', () => {
    const v1 = appInvocation('/venv/bin/python', { tool: TOOLS.v1.train, args: ['2d', 'nnUNetTrainerV2', '611', '0'] })
    expect(v1.file).toBe('/venv/bin/python')
    expect(v1.args[0]).toBe('-c')
    expect(v1.args[1]).toContain('_wizard_wrap_v1()')
    expect(v1.args[1]).toContain('from nnunet.run.run_training import main as _entry')
    expect(v1.args[1]).toContain('sys.argv[0] = "nnUNet_train"')
    expect(v1.args.slice(2)).toEqual(['2d', 'nnUNetTrainerV2', '611', '0'])
    const v2 = appInvocation('/venv/bin/python', { tool: TOOLS.v2.train, args: ['611', '2d', '0'] })
    expect(v2.args[1]).not.toContain('_wizard_wrap_v1')
    expect(appInvocation('/venv/bin/python', { tool: TOOLS.v1.predict, args: [] }).args[1]).not.toContain('_wizard')
  })

  it('a v1 training log with iteration lines shows iterations and an estimate before the first epoch ends', () => {
    const p = new ToolProgress('train', { totalEpochs: 2 })
    p.push('2026-12-07 01:02:03.123456: ', 0)
    p.push('epoch:  0', 1)
    const u = p.push(`${ITERATION_PREFIX}1 of 3 in epoch 0: 10.000 s/it`, 10_000)
    expect(u.progress?.phase).toBe('Epoch 1 of 2: iteration 1 of 3 (10 s/it): this epoch about 20 s more, the run about 50 s')
    expect(u.progress?.etaSeconds).toBe(2 * 10 + 3 * 10)
  })

  const v1 = nnunetPython('v1')
  it.skipIf(!v1.python)(`in the v1 venv the generated trainer imports and it and the wrapper say each training batch once ${v1.python ? '' : `(skipped: ${v1.reason})`}`, async () => {
    const g = generateTrainer(spec)
    writeFileSync(join(tmp, `${g.name}.py`), g.source)
    writeFileSync(join(tmp, 'wrapper.py'), iterationWrapperV1Py())
    const { stdout } = await promisify(execFile)(v1.python!, [join(REPO_ROOT, 'test', 'nnunet', 'iterationV1Check.py'), tmp, g.name, join(tmp, 'wrapper.py')], { maxBuffer: 16 << 20 })
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
    expect(line, stdout).toBeDefined()
    const r = JSON.parse(line!.slice('RESULT '.length)) as {
      hook: boolean[]
      subclass: boolean
      generated: { lines: string[]; losses: number[]; calls: number; val: unknown[] }
      wrapped: { lines: string[]; result: string }
      wrappedFreed: boolean
      generatedUnderWrapper: string[]
    }
    // The installed nnU-Net calls run_iteration as the override assumes.
    expect(r.hook).toEqual([true, true])
    expect(r.subclass).toBe(true)
    const said = (lines: string[]) => lines.map((l) => { const it = parseIterationLine(l); return it && [it.epoch, it.done, it.total] })
    // Two epochs of three training batches and one validation batch: six lines, none for validation.
    expect(said(r.generated.lines)).toEqual([[0, 1, 3], [0, 2, 3], [0, 3, 3], [1, 1, 3], [1, 2, 3], [1, 3, 3]])
    expect(r.generated.losses).toEqual([0.25, 0.25, 0.25])
    expect(r.generated.calls).toBe(8)
    expect(r.generated.val).toEqual(['val', false, true])
    // nnU-Net's own trainer under the wrapper; a generated one under it is not counted twice.
    expect(said(r.wrapped.lines)).toEqual([[0, 1, 2], [0, 2, 2], [1, 1, 2], [1, 2, 2]])
    expect(r.wrapped.result).toBe('ran')
    // No reference cycle keeps the trainer (and its workers) past main(): the CI hang of a v1 training.
    expect(r.wrappedFreed).toBe(true)
    expect(said(r.generatedUnderWrapper)).toEqual([[0, 1, 1], [1, 1, 1]])
  }, 120_000)
})
