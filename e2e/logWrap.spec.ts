// Long log lines wrap (issue 18, point 10: they ran off to the right of the log pane): Write of one
// real CT case into a folder with a very long path logs "Output: <path> (1 cases)", which is shown
// whole inside the pane (no horizontal scroll), over several rows; unticking "Wrap long lines"
// gives the one long row back.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { oneAortaCase, shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await oneAortaCase('wizard-log-wrap-')
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a long log line wraps inside the pane and unwraps on request', async ({ page }) => {
  test.setTimeout(180_000)
  const outDir = join(root, ...Array.from({ length: 5 }, (_, i) => `a-folder-with-a-rather-long-name-for-the-study-${i}`), 'out')
  server = await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(join(root, 'image'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(join(root, 'aorta'))
  await expect(page.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  await page.getByTestId('step-output').click()
  await page.getByTestId('dataset-name').fill('Wrap')
  await page.getByTestId('dataset-id').fill('601')
  await page.getByTestId('out-dir').fill(outDir)
  await page.getByTestId('step-write').click()
  await page.getByTestId('start-write').click()
  await expect(page.getByTestId('job-state')).toHaveText(/done|finished/i, { timeout: 120_000 })
  const scroll = page.getByTestId('log-scroll')
  const rows = scroll.getByTestId('log-row')
  await expect(rows.filter({ hasText: 'Output: ' })).toHaveCount(1)
  // Wrapped: the path continues on the next rows, and nothing runs past the pane.
  await expect.poll(async () => scroll.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(1)
  const wrapped = await rows.count()
  await expect(rows.filter({ hasText: 'study-4' })).not.toHaveCount(0)
  await scroll.scrollIntoViewIfNeeded()
  await shot(page, 'log-wrap-01-wrapped')
  await page.getByTestId('log-wrap').uncheck()
  await expect.poll(async () => scroll.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeGreaterThan(50)
  expect(await rows.count()).toBeLessThan(wrapped)
})
