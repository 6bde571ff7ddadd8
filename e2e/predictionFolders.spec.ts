// Where predictions go, in browser mode (issue 18 item 10): with a trained model and its dataset's
// imagesTs, the Predict step's output folder, untouched, lies under nnUNet_results beside the model
// (.../predictions/<trainer>__<plans>__<configuration>/imagesTs), never inside the dataset; Results,
// with no test folder typed, reads that folder's scored test case and still lists the predictions
// an older version wrote into the dataset's imagesTs_predicted. No nnU-Net needed: the results
// tree is test/results/surfaceTree.ts (real ct_small masks, summary.json as nnU-Net writes it).
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeSurfaceTree, SURFACE_DATASET, SURFACE_DATASET_ID, type SurfaceTree } from '../test/results/surfaceTree'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let tree: SurfaceTree
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pred-folders-e2e-'))
  tree = await makeSurfaceTree(join(root, 'nnunet'))
  const raw = join(tree.settings.folders!.raw, SURFACE_DATASET)
  await mkdir(join(raw, 'imagesTs'), { recursive: true })
  // An older version's default: a scored prediction inside the dataset, the same case under another name.
  const legacy = join(raw, 'imagesTs_predicted')
  await mkdir(legacy, { recursive: true })
  await copyFile(join(tree.testDir, 'surf_009.nii.gz'), join(legacy, 'surf_009.nii.gz'))
  const summary = (await readFile(join(tree.testDir, 'summary.json'), 'utf8')).replaceAll(tree.testDir, legacy)
  await writeFile(join(legacy, 'summary.json'), summary)
  const data = join(root, 'app-data')
  server = await startWizardServerOn(data, { folders: tree.settings.folders })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('Predict defaults its output beside the model under nnUNet_results; Results reads it and the older folder inside the dataset', async ({ page }) => {
  test.setTimeout(120_000)
  const results = tree.settings.folders!.results
  const raw = join(tree.settings.folders!.raw, SURFACE_DATASET)
  await page.goto(server!.url)
  await page.getByTestId('step-predict').click()
  await expect(page.getByTestId('predict-input')).toHaveValue(join(raw, 'imagesTs'), { timeout: 60_000 })
  const expected = join(results, SURFACE_DATASET, 'predictions', 'nnUNetTrainer__nnUNetPlans__3d_fullres', 'imagesTs')
  await expect(page.getByTestId('predict-output')).toHaveValue(expected)
  expect(expected).toBe(tree.testDir)
  expect(expected.startsWith(raw)).toBe(false)
  await shot(page, 'predict-default-output')

  await page.getByTestId('step-results').click()
  await expect(page.getByTestId('results-dataset')).toHaveValue(String(SURFACE_DATASET_ID), { timeout: 60_000 })
  // Nothing typed: the shown model's folder is the one to score, and both test folders are read.
  await expect(page.getByTestId('results-test-folder')).toHaveValue(expected)
  await expect(page.locator('[data-testid="case-row"][data-case="surf_009"]')).toHaveCount(2)
  await page.getByTestId('case-table').scrollIntoViewIfNeeded()
  await shot(page, 'results-default-test-folders')
})
