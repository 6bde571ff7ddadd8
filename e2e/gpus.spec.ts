// Several GPUs in the Train step, on a machine without any: a fake nvidia-smi on the server's PATH
// lists two (test/helpers/fakeGpuMachine.ts). The GPUs field offers both, one fold per GPU or one
// run over all (v2), says how folds are spread, and is gone when the device is the CPU.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { writeFakeNvidiaSmi } from '../test/helpers/fakeGpuMachine'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-gpus-e2e-'))
  await writeFakeNvidiaSmi(join(root, 'bin'), 2)
  server = await startWizardServer({ env: { PATH: `${join(root, 'bin')}${delimiter}${process.env.PATH ?? ''}` } })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('the Train step offers the detected GPUs', async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('step-train').click()
  const field = page.getByTestId('train-gpus')
  await expect(field).toBeVisible({ timeout: 60_000 })
  await expect(field).toContainText('GPU 0: NVIDIA A100-SXM4-40GB (40 GB)')
  await expect(field).toContainText('GPU 1: NVIDIA A100-SXM4-40GB (40 GB)')
  await expect(page.getByTestId('train-gpus-help')).toContainText('None ticked')
  await page.getByTestId('train-gpu-0').check()
  await page.getByTestId('train-gpu-1').check()
  await expect(page.getByTestId('train-gpus-help')).toContainText('Queue folds 0–4 puts fold i on the i-th ticked GPU in turn (GPUs 0, 1), so 2 folds train side by side; Start training uses the ticked GPU with the least queued on it')
  await page.getByTestId('train-gpus').scrollIntoViewIfNeeded()
  await shot(page, 'gpus-01-one-fold-per-gpu')
  await page.getByTestId('train-gpu-together').check()
  await expect(page.getByTestId('train-gpus-help')).toContainText('one run over GPUs 0, 1 (-num_gpus 2, DDP)')
  await page.getByTestId('train-device').selectOption('cpu')
  await expect(field).toBeHidden()
})
