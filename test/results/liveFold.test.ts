// Issue 18 (third walkthrough): a CLI `train` stopped with SIGTERM 10 s after its start left a
// fold_2 with only debug.json and a training log; Results and the report called it "training,
// 0/1000" although nothing ran. A fold trains only while its one-writer lock (foldLock.ts) has a
// live holder (or, without a lock, while an nnU-Net started by hand trains it); otherwise, without
// checkpoint_final, it is "stopped", and the model folds away.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readFold } from '../../electron/results/crossValidation'
import { foldLockFile, lockFold } from '../../electron/nnunet/foldLock'
import { modelOutcome } from '../../shared/resultsModels'
import { foldIdentity, handRunTraining, trainsFold } from '../../electron/nnunet/handRunTraining'
import { spawn } from 'node:child_process'

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
  const model = join(root, 'Dataset501_Liver', 'nnUNetTrainer__nnUNetPlans__2d')
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

describe('a training started by hand takes no lock: found by its command line', () => {
  const v2Fold = '/data/nnUNet_results/Dataset501_Liver/nnUNetTrainer_Wizard_2ep_5it__nnUNetPlans__2d/fold_2'
  const v1Fold = '/data/RESULTS_FOLDER/nnUNet/3d_fullres/Task052_Liver/nnUNetTrainerV2__nnUNetPlansv2.1/fold_0'
  it('reads the fold from nnU-Net v2 and v1 results paths', () => {
    expect(foldIdentity(v2Fold)).toEqual({ version: 'v2', datasetId: 501, datasetName: 'Dataset501_Liver', trainer: 'nnUNetTrainer_Wizard_2ep_5it', plans: 'nnUNetPlans', configuration: '2d', fold: '2' })
    expect(foldIdentity(v1Fold)).toMatchObject({ version: 'v1', datasetId: 52, configuration: '3d_fullres', trainer: 'nnUNetTrainerV2', plans: 'nnUNetPlansv2.1', fold: '0' })
    expect(foldIdentity('/tmp/something/fold_0')).toBeUndefined()
  })
  it('matches the process that trains exactly that fold, by id or name, with default trainer and plans', () => {
    const f = foldIdentity(v2Fold)!
    const args = (line: string) => line.split(/\s+/)
    expect(trainsFold(args('/venv/bin/python /venv/bin/nnUNetv2_train 501 2d 2 -tr nnUNetTrainer_Wizard_2ep_5it -device cpu'), f)).toBe(true)
    expect(trainsFold(args('nnUNetv2_train Dataset501_Liver 2d 2 -tr nnUNetTrainer_Wizard_2ep_5it -p nnUNetPlans'), f)).toBe(true)
    expect(trainsFold(args('nnUNetv2_train 501 2d 3 -tr nnUNetTrainer_Wizard_2ep_5it'), f)).toBe(false)
    expect(trainsFold(args('nnUNetv2_train 501 3d_fullres 2 -tr nnUNetTrainer_Wizard_2ep_5it'), f)).toBe(false)
    expect(trainsFold(args('nnUNetv2_train 501 2d 2'), f)).toBe(false) // the default trainer is another folder
    expect(trainsFold(args('nnUNetv2_predict -i x -o y -d 501 -c 2d -f 2 -tr nnUNetTrainer_Wizard_2ep_5it'), f)).toBe(false)
    const v1 = foldIdentity(v1Fold)!
    expect(trainsFold(args('/venv/bin/python /venv/bin/nnUNet_train 3d_fullres nnUNetTrainerV2 52 0 --npz'), v1)).toBe(true)
    expect(trainsFold(args('nnUNet_train 3d_fullres nnUNetTrainerV2 Task052_Liver 1'), v1)).toBe(false)
  })
  it('a real process whose command line names the fold counts as training it; none: stopped', async () => {
    const model = join(root, 'Dataset501_Liver', 'nnUNetTrainer__nnUNetPlans__2d')
    await mkdir(join(model, 'fold_2'), { recursive: true })
    await writeFile(join(model, 'fold_2', 'training_log_2026_12_7_08_00_00.txt'), log)
    expect(await handRunTraining(join(model, 'fold_2'))).toBe(false)
    expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [])).fold.state).toBe('stopped')
    // A stand-in script named nnUNetv2_train, run as `nnUNetv2_train 501 2d 2` (its shell's command line).
    const script = join(root, 'bin', 'nnUNetv2_train')
    await mkdir(dirname(script), { recursive: true })
    await writeFile(script, '#!/bin/sh\nsleep 30\n', { mode: 0o755 })
    const child = spawn(script, ['501', '2d', '2'], { stdio: 'ignore' })
    try {
      await new Promise((r) => setTimeout(r, 300))
      expect(await handRunTraining(join(model, 'fold_2'))).toBe(true)
      expect((await readFold(model, 2, 'v2', 'nnUNetTrainer', [])).fold.state).toBe('running')
    } finally {
      child.kill()
    }
  })
})
