// Remove in Sources can be undone (issue 18, point 10): the notice names the mask folder that went
// and Undo brings it back with its path.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-undo-remove-'))
  for (const d of ['image', 'liver', 'tumor']) await mkdir(join(root, d))
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a removed mask folder comes back with Undo', async ({ page }) => {
  server = await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(join(root, 'image'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(join(root, 'liver'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-1').fill(join(root, 'tumor'))
  await page.getByTestId('remove-mask-0').click()
  await expect(page.getByTestId('mask-dir-0')).toHaveValue(join(root, 'tumor'))
  await expect(page.getByTestId('notice')).toContainText(`Removed mask folder 1 “liver” (${join(root, 'liver')}).`)
  await shot(page, 'sources-undo-remove-01')
  await page.getByTestId('notice-undo').click()
  await expect(page.getByTestId('mask-dir-0')).toHaveValue(join(root, 'liver'))
  await expect(page.getByTestId('mask-dir-1')).toHaveValue(join(root, 'tumor'))
  await expect(page.getByTestId('notice')).toHaveCount(0)
})
