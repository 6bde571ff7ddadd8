// Issue 18.2 in the browser: a project owns its nnU-Net environment. With a project open on the
// Environment step, another terminal runs `nnunet-wizard env --create-folders ... --nnunet v1` on
// the same data folder. The page keeps the project's v2 folders, says what changed and where, and
// takes the change only when asked; a new project starts from the new defaults.
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, repoRoot, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-project-env-'))
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('another terminal changing the defaults leaves the open project as it is and is shown', async ({ page }) => {
  test.setTimeout(180_000)
  const data = join(root, 'app-data')
  const v2 = { raw: join(root, 'v2', 'nnUNet_raw'), preprocessed: join(root, 'v2', 'nnUNet_preprocessed'), results: join(root, 'v2', 'nnUNet_results') }
  for (const f of Object.values(v2)) await mkdir(f, { recursive: true })
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders: v2, device: 'cpu', torchCompile: false }))
  server = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  // A new project is written at once and takes the defaults as they are now.
  await expect(page.getByTestId('draft-status')).toHaveText('draft kept in the app’s data folder')
  await page.getByTestId('step-environment').click()
  await expect(page.getByTestId('folder-env-nnUNet_raw').getByTestId('folder-env-value')).toHaveText(v2.raw)

  // The other terminal, on the same data folder.
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: data }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results', 'nnUNet_raw_data_base', 'RESULTS_FOLDER']) delete env[k]
  execFileSync(process.execPath, [join(repoRoot, 'bin', 'nnunet-wizard.mjs'), 'env', '--create-folders', join(root, 'v1'), '--nnunet', 'v1'], { cwd: repoRoot, env })

  const notice = page.getByTestId('env-change-defaults')
  await expect(notice).toBeVisible({ timeout: 20_000 })
  await expect(notice).toContainText('changed outside this window')
  await expect(notice.getByTestId('env-change-fields')).toContainText('version: nnU-Net v1 there; this project uses nnU-Net v2')
  await expect(notice).toContainText(join(data, 'settings.json'))
  // Nothing moved: the project's folders and version are still its own.
  await expect(page.getByTestId('folder-env-nnUNet_raw').getByTestId('folder-env-value')).toHaveText(v2.raw)
  await expect(page.getByTestId('nnunet-v2')).toBeChecked()
  await shot(page, 'project-env-01-defaults-changed-elsewhere')

  await notice.getByTestId('env-change-keep-defaults').click()
  await expect(notice).toBeHidden()
  await page.reload()
  await expect(page.getByTestId('screen-environment')).toBeVisible()
  await expect(page.getByTestId('folder-env-nnUNet_raw').getByTestId('folder-env-value')).toHaveText(v2.raw)
  await page.waitForTimeout(6000) // one poll later, still nothing to report
  await expect(page.getByTestId('env-change-defaults')).toBeHidden()
  await shot(page, 'project-env-02-kept')

  // A new project starts from the defaults as they are now: v1.
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  // The previous project is written first; the new one is in place when the notice says so (the
  // draft status read the same for the old draft, so it proved nothing here).
  await expect(page.getByTestId('notice')).toContainText('Started a new project')
  await page.getByTestId('step-environment').click()
  await expect(page.getByTestId('nnunet-v1')).toBeChecked()
  await expect(page.getByTestId('folder-env-nnUNet_raw_data_base').getByTestId('folder-env-value')).toHaveText(join(root, 'v1', 'nnUNet_raw_data_base'))
  await shot(page, 'project-env-03-new-project-takes-defaults')
})

test('two tabs on one project: a change of the environment in one is shown in the other, which does not write its older values back', async ({ browser }) => {
  test.setTimeout(120_000)
  const data = join(root, 'app-data-tabs')
  await mkdir(data, { recursive: true })
  const v2 = { raw: join(root, 'tabs', 'nnUNet_raw'), preprocessed: join(root, 'tabs', 'nnUNet_preprocessed'), results: join(root, 'tabs', 'nnUNet_results') }
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders: v2, device: 'cpu', torchCompile: false }))
  const tabs = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
  try {
    const ctx = await browser.newContext()
    const a = await ctx.newPage()
    await a.goto(tabs.url)
    await a.getByTestId('new-project').click()
    await expect(a.getByTestId('draft-status')).toHaveText('draft kept in the app’s data folder')
    const b = await ctx.newPage()
    await b.goto(tabs.url)
    await b.getByTestId('step-environment').click()
    await expect(b.getByTestId('nnunet-v2')).toBeChecked()
    // Tab A switches the project to v1.
    await a.getByTestId('step-environment').click()
    await a.getByTestId('nnunet-v1').check()
    await expect(a.getByTestId('nnunet-v1')).toBeChecked()
    // Tab B says so and keeps showing v2 until asked.
    const notice = b.getByTestId('env-change-window')
    // Asked every 5 s, and only while this tab has nothing of its own on the way: several polls on
    // a loaded machine (npm test runs Playwright beside nnU-Net trainings).
    await expect(notice).toBeVisible({ timeout: 45_000 })
    await expect(notice.getByTestId('env-change-fields')).toContainText('version: nnU-Net v1 there; this page shows nnU-Net v2')
    await shot(b, 'project-env-04-other-tab')
    await notice.getByTestId('env-change-take-window').click()
    await expect(notice).toBeHidden()
    await expect(b.getByTestId('nnunet-v1')).toBeChecked()
    await ctx.close()
  } finally {
    await tabs.stop()
  }
})
