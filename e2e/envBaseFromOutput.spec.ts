// Issue 18: the Output folder was /x/nnunet/nnUNet_raw, yet the Environment step's "Create all
// three inside one folder" and the three folder fields were empty. With no nnU-Net folders set,
// they now follow from the Output folder (shared/nnunetBase.ts); Create folders makes them there.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-env-base-'))
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('the nnU-Net base folder is pre-filled from an Output folder named nnUNet_raw', async ({ page }) => {
  test.setTimeout(120_000)
  const data = join(root, 'app-data')
  await mkdir(data, { recursive: true })
  // No folders remembered, and none from the shell running the tests.
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', device: 'cpu', torchCompile: false }))
  const env: Record<string, string> = { NNUNET_WIZARD_DATA: data }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results']) env[k] = ''
  server = await startWizardServer({ env })
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('step-output').click()
  const base = join(root, 'nnunet')
  await page.getByTestId('out-dir').fill(join(base, 'nnUNet_raw'))
  await page.getByTestId('step-environment').click()
  await expect(page.getByTestId('folders-base')).toHaveValue(base)
  const card = page.getByTestId('folders-card')
  await card.getByText('Or choose each folder').click()
  await expect(card.getByRole('textbox', { name: 'nnUNet_raw', exact: true })).toHaveValue(join(base, 'nnUNet_raw'))
  await expect(card.getByRole('textbox', { name: 'nnUNet_results', exact: true })).toHaveValue(join(base, 'nnUNet_results'))
  await shot(page, 'env-base-from-output-01')
  await page.getByTestId('create-folders').click()
  await expect(page.getByTestId('folder-status')).toContainText(base)
  expect(existsSync(join(base, 'nnUNet_results'))).toBe(true)
})
