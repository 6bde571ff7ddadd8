// Training feedback before the start (issue 18.1): on the CPU, nnU-Net's default 250 iterations per
// epoch take hours; the Train step says so with an estimate and offers fewer iterations, and the
// warning is gone once the run is short.
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let server: WizardServer | undefined

test.beforeAll(async () => {
  server = await startWizardServer()
})

test.afterAll(async () => {
  await server?.stop()
})

test('a CPU start that takes hours is said before it starts, with fewer iterations offered', async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('step-train').click()
  await page.getByTestId('train-device').selectOption('cpu')
  await page.getByTestId('train-epochs').fill('2')
  const warning = page.getByTestId('train-long-run')
  await expect(warning).toBeVisible({ timeout: 60_000 })
  await expect(warning).toContainText('On the CPU, 2 epochs of 250 iterations')
  await expect(warning).toContainText('take about')
  await warning.scrollIntoViewIfNeeded()
  await shot(page, 'train-feedback-01-long-cpu-run')
  await page.getByTestId('train-fewer-iterations').click()
  await expect(page.getByTestId('train-iterations')).toHaveValue('10')
  await expect(warning).toBeHidden()
  await shot(page, 'train-feedback-02-fewer-iterations')
})
