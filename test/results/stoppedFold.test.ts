// Issue 18: a fold stopped with "Stop and keep a checkpoint" a minute ago was listed by Results as
// "training" (its log is fresh) although nothing ran. The log's last line, written by the wizard's
// trainer when it stops on request, says it stopped.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { endedOnRequest, readFold } from '../../electron/results/crossValidation'

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-stopped-fold-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

// Lines as nnU-Net 2's print_to_log_file writes them (timestamp, colon, text).
const start = '2026-12-07 08:00:00.000000: Epoch 0 \n2026-12-07 08:00:00.100000: Current learning rate: 0.01 \n'
const kept = '2026-12-07 08:00:05.000000: nnU-Net Wizard: stopped and kept at iteration 2 of 250 of epoch 0: checkpoint_latest.pth saved (epoch 0 not finished); --c trains epoch 0 again from these weights \n'
const afterEpoch = '2026-12-07 08:00:05.000000: nnU-Net Wizard: stopped after epoch 3 on request: checkpoint_latest.pth saved; --c continues at epoch 4 \n'

describe('a fold stopped on request', () => {
  it('the stop lines of both stops are recognised; a log that goes on is not', () => {
    expect(endedOnRequest(start + kept)).toBe(true)
    expect(endedOnRequest(start + afterEpoch)).toBe(true)
    expect(endedOnRequest(start)).toBe(false)
    expect(endedOnRequest(start + kept + '2026-12-07 08:01:00.000000: Epoch 1 \n')).toBe(false)
  })

  it('is "stopped", not "running", although its log was written a moment ago', async () => {
    const model = join(root, 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d')
    await mkdir(join(model, 'fold_0'), { recursive: true })
    await writeFile(join(model, 'fold_0', 'checkpoint_latest.pth'), 'x')
    await writeFile(join(model, 'fold_0', 'training_log_2026_12_7_08_00_00.txt'), start)
    // The training still holds the fold's lock (liveFold.test.ts: without a live holder it is stopped anyway).
    const held = async () => true
    expect((await readFold(model, 0, 'v2', 'nnUNetTrainer_Wizard_2ep', [], Date.now(), held)).fold.state).toBe('running')
    await writeFile(join(model, 'fold_0', 'training_log_2026_12_7_08_00_00.txt'), start + kept)
    expect((await readFold(model, 0, 'v2', 'nnUNetTrainer_Wizard_2ep', [], Date.now(), held)).fold.state).toBe('stopped')
  })
})
