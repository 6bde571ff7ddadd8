// Walkthrough 3 finding 12: after `nnunet-wizard serve` was restarted, a tab still open on the old
// launch failed every save with "Could not save: This request has no valid access token…". The
// tab now says once, in a banner (as soon as its job events are refused, or at its next call), that the server was restarted or stopped and that the page must
// be opened again from the address serve printed; the save line points at it.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'

let root: string
const servers: WizardServer[] = []

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-restart-'))
})
test.afterAll(async () => {
  for (const s of servers) await s.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a tab of a restarted server says so plainly and saves nothing', async ({ page }) => {
  test.setTimeout(120_000)
  const first = await startWizardServer()
  servers.push(first)
  await page.goto(first.url)
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()

  // Restarted at the same address: a new launch, a new token.
  await first.stop()
  const second = await startWizardServer({ port: first.port })
  servers.push(second)
  expect(second.token).not.toBe(first.token)

  // A tab that only watches learns it too: its job events are refused by the new launch.
  const banner = page.getByTestId('session-ended')
  await expect(banner).toBeVisible({ timeout: 30_000 })

  const file = join(root, 'after-restart.nnwizard.json')
  await page.getByTestId('save-project').click()
  await page.getByTestId('save-path').fill(file)
  await page.getByTestId('save-path').press('Enter')
  // The form stays open (nothing was saved); closed, the save line points at the banner.
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByText('Not saved: see the message above')).toBeVisible()
  await expect(banner).toHaveCount(1)
  await expect(banner).toContainText("The wizard's server was restarted or stopped since this page was opened")
  await expect(banner).toContainText('Open the page again from the address `nnunet-wizard serve` printed')
  await expect(page.getByText('valid access token')).toHaveCount(0)
  await expect(stat(file)).rejects.toThrow(/ENOENT/)

  // The address the new launch printed opens a working page again.
  await page.goto(second.url)
  await expect(page.getByTestId('session-ended')).toHaveCount(0)
})
