// The Environment step as the nnU-Net specs need it: the venv's nnU-Net found, fresh nnU-Net
// folders created under `base`; returns the nnUNet_raw folder the app made, for the dataset.
import { expect, type Page } from '@playwright/test'

export interface EnvironmentSetup {
  /** Folder under which the nnU-Net folders are created. */
  base: string
  /** 'select': choose CPU; 'expect': assert detection already chose it (no GPU here). */
  cpu: 'select' | 'expect'
  /** Data-augmentation workers to set; left at nnU-Net's default when absent. */
  workers?: number
}

export async function setUpEnvironment(page: Page, opts: EnvironmentSetup): Promise<string> {
  await page.getByTestId('step-environment').click()
  await expect(page.getByTestId('env-nnunet')).toContainText('v2', { timeout: 120_000 })
  if (opts.cpu === 'select') await page.getByTestId('device').selectOption('cpu')
  else await expect(page.getByTestId('device')).toHaveValue('cpu')
  if (opts.workers !== undefined) await page.getByTestId('augmentation-workers').fill(String(opts.workers))
  await page.getByTestId('folders-base').fill(opts.base)
  await page.getByTestId('create-folders').click()
  const rawRow = page.getByTestId('folder-env-nnUNet_raw')
  await expect(rawRow).toBeVisible()
  return (await rawRow.getByTestId('folder-env-value').textContent())!.trim()
}
