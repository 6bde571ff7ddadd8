// A splits_final.json older than the dataset, without running nnU-Net: Plan wrote 4 folds over 4
// training cases, then the dataset was rewritten with a 5th (a test case moved to imagesTr) and
// planned again, which keeps splits_final.json. nnU-Net would train on the old folds and never see
// the 5th case. Train refuses the start and names it; Plan's folds card names it and writes the 4
// folds again, the 4 old cases in their folds and the new one added.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, repoRoot, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

const ID = 44
const DS = 'Dataset044_Stale'
const OLD = ['stale_001', 'stale_002', 'stale_003', 'stale_004']
const NEW = 'stale_005'

let root: string
let pre: string
let server: WizardServer | undefined
const oldFolds = OLD.map((v) => ({ train: OLD.filter((c) => c !== v), val: [v] }))

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stale-splits-e2e-'))
  const folders = { raw: join(root, 'nnUNet_raw'), preprocessed: join(root, 'nnUNet_preprocessed'), results: join(root, 'nnUNet_results') }
  const raw = join(folders.raw, DS)
  pre = join(folders.preprocessed, DS)
  for (const d of ['imagesTr', 'labelsTr']) await mkdir(join(raw, d), { recursive: true })
  for (const c of [...OLD, NEW]) {
    await writeFile(join(raw, 'imagesTr', `${c}_0000.nii.gz`), '')
    await writeFile(join(raw, 'labelsTr', `${c}.nii.gz`), '')
  }
  const json = `${JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1 }, numTraining: 5, file_ending: '.nii.gz', name: 'Stale' }, null, 2)}\n`
  await writeFile(join(raw, 'dataset.json'), json)
  // Planned again after the rewrite (its copy of dataset.json is current); the splits are the wizard's 4 folds of before.
  await mkdir(join(pre, 'nnUNetPlans_2d'), { recursive: true })
  await copyFile(join(repoRoot, 'test', 'fixtures', 'nnunet', 'v2-plans-2d.json'), join(pre, 'nnUNetPlans.json'))
  await writeFile(join(pre, 'dataset.json'), json)
  const splits = `${JSON.stringify(oldFolds, null, 4)}\n`
  await writeFile(join(pre, 'splits_final.json'), splits)
  await writeFile(join(pre, 'splits_final.wizard.json'), JSON.stringify({ sha256: createHash('sha256').update(splits).digest('hex'), folds: 4 }))
  const data = join(root, 'app-data')
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false }))
  server = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test.describe.configure({ mode: 'serial' })

test('Train refuses folds that miss a training case; Plan names it and writes the folds again', async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('step-train').click()
  await page.getByTestId('train-dataset-id').fill(String(ID))
  await expect(page.getByTestId('train-config')).toHaveValue('2d', { timeout: 60_000 })
  await page.getByTestId('train-device').selectOption('cuda')
  await page.getByTestId('start-train').click()
  const refusal = page.locator('.banner-error, [role="alert"]').filter({ hasText: `${NEW} is in no fold` }).first()
  await expect(refusal).toBeVisible({ timeout: 30_000 })
  await expect(refusal).toContainText('"Write 4 folds" at Plan')
  await expect(page.getByTestId('job-train')).toHaveCount(0)
  await shot(page, 'stale-splits-01-train-refused')

  await page.getByTestId('step-plan').click()
  await page.getByTestId('plan-dataset-id').fill(String(ID))
  const stale = page.getByTestId('splits-stale')
  await expect(stale).toBeVisible({ timeout: 60_000 })
  await expect(stale).toContainText(`In no fold (never trained on or validated): ${NEW}.`)
  await expect(page.getByTestId('splits-write')).toHaveText('Write 4 folds')
  await stale.scrollIntoViewIfNeeded()
  await shot(page, 'stale-splits-02-plan-names-the-case')
  await page.getByTestId('splits-write').click()
  await expect(page.getByTestId('splits-message')).toContainText(`the other cases kept their folds, added ${NEW} (validated in fold 0)`, { timeout: 30_000 })
  await expect(stale).toHaveCount(0)
  await expect(page.getByTestId('splits-fold')).toHaveCount(4)
  const written = JSON.parse(await readFile(join(pre, 'splits_final.json'), 'utf8')) as { train: string[]; val: string[] }[]
  expect(written.map((f) => f.val)).toEqual([['stale_001', NEW], ['stale_002'], ['stale_003'], ['stale_004']])
  expect(written.every((f) => [...f.train, ...f.val].length === 5)).toBe(true)
  await shot(page, 'stale-splits-03-written-again')
})
