// Issue 18 (third walkthrough): a CLI `train` stopped with SIGTERM 10 s after its start left a
// fold_2 with only debug.json and a training log; Results and the report called it "training,
// 0/1000" although nothing ran. A fold trains only while its one-writer lock (foldLock.ts) has a
// live holder; no holder and no checkpoint_final is "stopped", and the model folds away.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readFold } from '../../electron/results/crossValidation'
import { foldLockFile, lockFold } from '../../electron/nnunet/foldLock'
import { modelOutcome } from '../../shared/resultsModels'

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-live-fold-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const log = '2026-12-07 08:00:00.000000: Epoch 0 \n2026-12-07 08:00:00.100000: Current learning rate: 0.01 \n'

/** A fold as the killed CLI train left it: debug.json and a log written a moment ago, no checkpoint. */
async function killedFold(): Promise<string> {
  const model = join(root, 'nnUNetTrainer__nnUNetPlans__2d')
  await mkdir(join(model, 'fold_2'), { recursive: true })
  await writeFile(join(model, 'fold_2', 'debug.json'), '{}')
  await writeFile(join(model, 'fold_2', 'training_log_2026_12_7_08_00_00.txt'), log)
  return model
}

describe('a fold trains only while its lock has a live holder', () => {
  it('debug.json + a fresh log and no lock: stopped, and the model is a stopped one', async () => {
    const model = await killedFold()
    const { fold } = await readFold(model, 2, 'v2', 'nnUNetTrainer', [])
    expect(fold.state).toBe('stopped')
    expect(modelOutcome({ folds: [fold] })).toBe('stopped')
  })

  it('a lock left by a process that is gone (stale) is no holder: stopped', async () => {
    const model = await killedFold()
    // A pid far above any pid_max: no such process on this host.
    await writeFile(foldLockFile(join(model, 'fold_2')), JSON.stringify({ kind: 'cli', pid: 2 ** 30, host: (await import('node:os')).hostname(), nonce: 'x', startedAt: Date.now() }))
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [])).fold.state).toBe('stopped')
  })

  it('the same fold with its lock held by a live process (this one): training', async () => {
    const model = await killedFold()
    const release = await lockFold(join(model, 'fold_2'), { kind: 'cli', title: 'train' })
    try {
      const { fold } = await readFold(model, 2, 'v2', 'nnUNetTrainer', [])
      expect(fold.state).toBe('running')
      expect(modelOutcome({ folds: [fold] })).toBe('running')
    } finally {
      await release()
    }
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [])).fold.state).toBe('stopped')
  })

  it('validating also needs the holder; lock unreadable (undefined): the log age decides', async () => {
    const model = await killedFold()
    await writeFile(join(model, 'fold_2', 'checkpoint_final.pth'), 'x')
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [])).fold.state).toBe('unvalidated')
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [], Date.now(), async () => true)).fold.state).toBe('validating')
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [], Date.now(), async () => undefined)).fold.state).toBe('validating')
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [], Date.now() + 16 * 60_000, async () => undefined)).fold.state).toBe('unvalidated')
  })
})
