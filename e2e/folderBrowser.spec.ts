// The folder browser (issue 18, point 10): dot-folders show when asked ("Show hidden folders"),
// and "New folder" makes one in the folder shown and opens it, ready to be chosen; Start's "Open a
// project file" has a Browse… that lists the folders and lets a project file be clicked.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-folder-browser-'))
  await mkdir(join(root, '.venv'))
  await mkdir(join(root, 'scans'))
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('hidden folders on request, and a new folder made and chosen from the browser', async ({ page }) => {
  server = await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir-browse').click()
  const browser = page.getByTestId('folder-browser')
  await browser.getByTestId('folder-browser-path').fill(root)
  await browser.getByRole('button', { name: 'Go' }).click()
  await expect(browser.getByTestId('folder-entry')).toHaveText(['scans'])
  await browser.getByTestId('folder-browser-hidden').check()
  await expect(browser.getByTestId('folder-entry')).toHaveText(['.venv', 'scans'])

  await browser.getByTestId('folder-browser-new').click()
  await browser.getByTestId('folder-browser-new-name').fill('scans')
  await browser.getByTestId('folder-browser-create').click()
  await expect(browser.getByTestId('folder-browser-error')).toHaveText(`${join(root, 'scans')} already exists: open it, or choose another name.`)
  await browser.getByTestId('folder-browser-new-name').fill('new-study')
  await shot(page, 'folder-browser-01-hidden-and-new')
  await browser.getByTestId('folder-browser-create').click()
  await expect(browser.getByTestId('folder-browser-path')).toHaveValue(join(root, 'new-study'))
  expect((await readdir(root)).sort()).toEqual(['.venv', 'new-study', 'scans'])
  await browser.getByTestId('folder-browser-choose').click()
  await expect(page.getByTestId('images-dir')).toHaveValue(join(root, 'new-study'))
})

test('Browse… on Start finds a project file and opens it', async ({ page }) => {
  const folder = join(root, 'projects')
  await mkdir(folder, { recursive: true })
  const file = join(folder, 'liver.nnwizard.json')
  await writeFile(
    file,
    JSON.stringify({ format: 'nnunet-wizard-project', version: 1, sources: { imagesDir: join(root, 'scans'), labels: [] }, output: { layout: 'nnunet-v2', name: 'LiverBrowse', id: 511 }, step: 'output', forms: {} }),
  )
  await writeFile(join(folder, 'notes.txt'), 'not a project')
  server ??= await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('open-path').fill(join(folder, 'x.nnwizard.json'))
  await page.getByTestId('open-browse').click()
  const browser = page.getByTestId('folder-browser')
  // It opens beside the typed path; only the project file can be clicked.
  await expect(browser.getByTestId('folder-browser-path')).toHaveValue(folder)
  await expect(browser.getByTestId('folder-file-choose')).toHaveText(['liver.nnwizard.json'])
  await expect(browser.getByTestId('folder-file')).toHaveText(['· notes.txt'])
  await expect(browser.getByTestId('folder-browser-choose')).toHaveCount(0)
  await shot(page, 'folder-browser-02-open-project-file')
  await browser.getByTestId('folder-file-choose').click()
  await expect(page.getByTestId('screen-output')).toBeVisible()
  await expect(page.getByTestId('dataset-name')).toHaveValue('LiverBrowse')
})
