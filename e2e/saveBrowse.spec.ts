// "Save project…" has a Browse like every folder field (issue 18, point 10: "no Browse for
// project files"): the app's folder browser picks the folder, the file is named after the
// project, Save writes it there, and Start's Open finds it again through its own Browse.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-save-browse-'))
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('Save project… browses to a folder, saves there, and Open browses back to the file', async ({ page }) => {
  test.setTimeout(120_000)
  server = await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('save-project').click()
  await page.getByTestId('save-browse').click()
  const browser = page.getByTestId('folder-browser')
  await expect(browser).toBeVisible()
  await browser.getByTestId('folder-browser-path').fill(root)
  await browser.getByTestId('folder-browser-path').press('Enter')
  await expect(browser.getByTestId('folder-browser-path')).toHaveValue(root)
  await shot(page, 'save-browse-01-folder')
  await browser.getByTestId('folder-browser-choose').click()
  await expect(browser).toHaveCount(0)
  const file = join(root, 'project.nnwizard.json')
  await expect(page.getByTestId('save-path')).toHaveValue(file)
  await page.getByTestId('save-confirm').click()
  await expect(page.getByTestId('project-path')).toContainText(file)
  expect((await stat(file)).isFile()).toBe(true)
  await shot(page, 'save-browse-02-saved')

  // Start's Open: Browse opens beside the newest recent project and picks the file.
  await page.getByTestId('step-start').click()
  await page.getByTestId('open-browse').click()
  await expect(browser.getByTestId('folder-browser-path')).toHaveValue(root)
  await browser.getByTestId('folder-file-choose').filter({ hasText: 'project.nnwizard.json' }).click()
  await expect(page.getByTestId('project-path')).toContainText(file)
})
