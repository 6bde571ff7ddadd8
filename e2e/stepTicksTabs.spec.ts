// The side list's ticks come from the project and the service's facts, not from where a window
// is (issue 18 walkthrough: two tabs of one project showed different ticks, since a form step was
// ticked once the window had passed it). Tab A fills Sources and goes on to Train; tab B opens
// the same project on Sources: every step that is current in neither tab has the same mark in both.
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { STEPS } from '../renderer/steps/stepList'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { oneAortaCase, shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await oneAortaCase('wizard-step-ticks-')
  const folders = { raw: join(root, 'nnunet', 'raw'), preprocessed: join(root, 'nnunet', 'pre'), results: join(root, 'nnunet', 'res') }
  for (const f of Object.values(folders)) await mkdir(f, { recursive: true })
  server = await startWizardServerOn(join(root, 'app'), { folders })
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

async function marks(page: Page): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const s of STEPS) out[s.id] = (await page.getByTestId(`step-${s.id}`).getAttribute('data-mark')) ?? ''
  return out
}

test('two tabs on one project show the same step ticks', async ({ browser }) => {
  test.setTimeout(120_000)
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const a = await ctx.newPage()
  await a.goto(server!.url)
  await a.getByTestId('new-project').click()
  await a.getByTestId('images-dir').fill(join(root, 'image'))
  await a.getByTestId('add-mask').click()
  await a.getByTestId('mask-dir-0').fill(join(root, 'aorta'))
  await expect(a.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  await a.getByTestId('step-labels').click()
  await a.getByTestId('step-train').click()
  await expect(a.getByTestId('draft-status')).toHaveText('draft kept in the app’s data folder')

  const b = await ctx.newPage()
  await b.goto(server!.url)
  await b.getByTestId('step-sources').click()
  await expect(b.getByTestId('images-dir')).toHaveValue(join(root, 'image'))
  await expect(b.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  // Facts load in both (settings, folder status) before the marks are read.
  await expect(a.getByTestId('step-environment')).toHaveAttribute('data-mark', 'done')
  await expect(b.getByTestId('step-environment')).toHaveAttribute('data-mark', 'done')
  await shot(a, 'step-ticks-01-tab-a-train')
  await shot(b, 'step-ticks-02-tab-b-sources')

  const ma = await marks(a)
  const mb = await marks(b)
  // The current step shows its number, not a mark: compare the steps current in neither tab.
  for (const id of ['train', 'sources']) {
    delete ma[id]
    delete mb[id]
  }
  expect(ma).toEqual(mb)
  // And they are the facts: a project open, folders chosen, nnU-Net's folders set; nothing run yet.
  expect(ma).toMatchObject({ start: 'done', labels: 'done', preview: 'done', environment: 'done', check: '', write: '', plan: '' })
  await ctx.close()
})
