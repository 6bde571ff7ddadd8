// One project state that survives everything a researcher does to the page: Output and Plan filled
// in, the steps left and returned to, the page reloaded, and the server restarted on the same data
// folder (NNUNET_WIZARD_DATA). The project is a draft in that folder from its first edit, listed on
// Start; nothing is kept in the browser.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let data: string
let servers: WizardServer[] = []

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-state-'))
  data = join(root, 'app-data')
  await mkdir(join(root, 'image'), { recursive: true })
})
test.afterAll(async () => {
  for (const s of servers) await s.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

async function serve(dataDir = data): Promise<WizardServer> {
  const s = await startWizardServer({ env: { NNUNET_WIZARD_DATA: dataDir } })
  servers.push(s)
  return s
}

async function expectOutputAndPlan(page: Page): Promise<void> {
  await page.getByTestId('step-output').click()
  await expect(page.getByTestId('dataset-name')).toHaveValue('Aorta')
  await expect(page.getByTestId('dataset-id')).toHaveValue('503')
  await expect(page.getByTestId('out-dir')).toHaveValue(join(root, 'out'))
  await expect(page.getByTestId('test-count')).toHaveValue('1')
  await page.getByTestId('step-plan').click()
  await expect(page.getByTestId('plan-dataset-id')).toHaveValue('504')
  await expect(page.getByTestId('plan-processes')).toHaveValue('3')
  await expect(page.getByTestId('plan-verify')).not.toBeChecked()
  await expect(page.getByTestId('plan-config-2d')).toBeChecked()
  await expect(page.getByTestId('plan-config-3d_lowres')).not.toBeChecked()
}

test('Output and Plan survive leaving the step, a reload and a server restart', async ({ page }) => {
  test.setTimeout(240_000)
  const first = await serve()
  await page.goto(first.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(join(root, 'image'))

  await page.getByTestId('step-output').click()
  await page.getByTestId('dataset-name').fill('Aorta')
  await page.getByTestId('dataset-id').fill('503')
  await page.getByTestId('out-dir').fill(join(root, 'out'))
  await page.getByTestId('test-count').fill('1')

  await page.getByTestId('step-plan').click()
  await page.getByTestId('plan-dataset-id').fill('504')
  await page.getByTestId('plan-processes').fill('3')
  await page.getByTestId('plan-verify').uncheck()
  await page.getByTestId('plan-config-3d_lowres').uncheck()

  // Leave and come back: nothing was local to a screen.
  await page.getByTestId('step-start').click()
  await expectOutputAndPlan(page)
  // The draft is on disk in the data folder (not in the browser).
  await expect(page.getByTestId('draft-status')).toHaveText('draft kept in the app’s data folder')
  expect((await readdir(join(data, 'drafts'))).length).toBe(1)
  await shot(page, 'state-01-plan-filled')

  // A reload lands on Plan with everything as it was.
  await page.reload()
  await expect(page.getByTestId('screen-plan')).toBeVisible()
  await expectOutputAndPlan(page)

  // A restarted server on the same data folder reopens the project at its step.
  await first.stop()
  servers = servers.filter((s) => s !== first)
  const second = await serve()
  await page.goto(second.url)
  await expect(page.getByTestId('screen-plan')).toBeVisible()
  await expectOutputAndPlan(page)
  await shot(page, 'state-02-after-restart')

  // Start lists the draft; a new project keeps it there and it opens again from the list.
  await page.getByTestId('step-start').click()
  await expect(page.getByTestId('drafts')).toContainText('Aorta')
  // Continue goes back to the step the project was on, not to its first step.
  await page.getByTestId('continue-project').click()
  await expect(page.getByTestId('screen-plan')).toBeVisible()
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('notice')).toContainText('kept under Drafts on Start')
  await page.getByTestId('images-dir').fill(join(root, 'other'))
  await page.getByTestId('step-start').click()
  await expect(page.getByTestId('drafts').getByRole('button').filter({ hasText: 'Aorta' })).toBeVisible()
  await shot(page, 'state-03-start-drafts')
  await page.getByTestId('drafts').getByRole('button').filter({ hasText: 'Aorta' }).click()
  await expect(page.getByTestId('screen-plan')).toBeVisible()
  await expectOutputAndPlan(page)
})

test('opening another project while an edit is not on disk asks first, and Cancel keeps the edit', async ({ page }) => {
  const server = await serve(join(root, 'app-data-2'))
  await page.goto(server.url)
  // A draft to switch to.
  await page.getByTestId('new-project').click()
  await page.getByTestId('step-output').click()
  await page.getByTestId('dataset-name').fill('Kept')
  await expect(page.getByTestId('draft-status')).toHaveText('draft kept in the app’s data folder')
  // A second project whose edit the server cannot take (its autosave calls are cut off).
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  // The new project is in place (the previous one written first) before its steps are used.
  await expect(page.getByTestId('notice')).toContainText('Started a new project')
  await page.route('**/api/autosaveProject', (route) => route.abort())
  await page.getByTestId('step-output').click()
  await page.getByTestId('dataset-name').fill('Unwritten')
  await expect(page.getByText(/Could not save/)).toBeVisible()
  await page.getByTestId('step-start').click()
  const asked: { type: string; message: string }[] = []
  page.once('dialog', (d) => {
    asked.push({ type: d.type(), message: d.message() })
    void d.dismiss()
  })
  await page.getByTestId('drafts').getByRole('button').filter({ hasText: 'Kept' }).click()
  await expect.poll(() => asked).toEqual([{ type: 'confirm', message: expect.stringContaining('could not be written') }])
  await page.getByTestId('step-output').click()
  await expect(page.getByTestId('dataset-name')).toHaveValue('Unwritten')
})
