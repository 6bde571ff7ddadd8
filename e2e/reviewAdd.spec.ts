// Review's "Add to the dataset" (issue 21) in browser mode, on a private copy of the shared trained
// fixture (test/results/trainedFixture.ts: Dataset611 planned for 2d, folds 0 and 1 trained, its
// two test scans predicted by both folds). Nothing is trained or planned here. One predicted case
// is corrected in the editor (a spleen stroke on the axial view) and added; the other is accepted
// as predicted. The dataset folder gains each as the next case id: the scan's bytes in imagesTr,
// the corrected label (or the prediction) in labelsTr, numTraining counted up, each case in exactly
// one validation fold of splits_final.json with no existing case moved, and the manifest records
// where each came from (the files, the model that predicted it, the voxels the correction changed).
// Needs the pinned nnU-Net venv; skipped with the reason without it.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import type { Niivue } from '@niivue/niivue'
import { readManifest } from '../electron/dataset/manifest'
import { writePredictionOrigin } from '../electron/results/predictionOrigin'
import * as s from '../shared/schema'
import { FIXTURE_DATASET, FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from '../test/results/trainedFixture'
import { nnunetPython } from '../test/helpers/python'
import { readImage } from '../test/helpers/nifti'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'

const py = nnunetPython('v2')

let root: string
let fx: TrainedFixture
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  test.setTimeout(3_600_000)
  root = await mkdtemp(join(tmpdir(), 'review-add-e2e-'))
  fx = await trainedFixture(join(root, 'fixture'), py.python!)
  const data = join(root, 'app-data')
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ pythonPath: py.python, nnunetVersion: 'v2', folders: fx.settings.folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false }))
  // The record the app's Predict step writes beside its output (the fixture predicts through
  // runPredict, below the service, so its folder lacks it): the model that made these predictions.
  await writePredictionOrigin(s.predictRequest.parse({ datasetId: FIXTURE_ID, input: join(fx.datasetDir, 'imagesTs'), output: fx.predictions, configuration: '2d', folds: [0, 1], trainer: FIXTURE_TRAINER }), fx.settings)
  server = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/** A horizontal pen stroke across the middle of the axial tile, one pixel per mouse event. */
async function paintAcrossAxial(page: Page): Promise<void> {
  const tile = await page.evaluate(() => {
    const nv = (document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }).niivue!
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio
    const [l, t, w, h] = nv.screenSlices.find((sl) => sl.axCorSag === 0)!.leftTopWidthHeight
    return { left: l! / dpr, top: t! / dpr, width: w! / dpr, height: h! / dpr }
  })
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!
  const x0 = box.x + tile.left + tile.width * 0.25
  const y = box.y + tile.top + tile.height * 0.5
  await page.mouse.move(x0, y)
  await page.mouse.down()
  for (let k = 1; k <= Math.round(tile.width * 0.5); k++) await page.mouse.move(x0 + k, y)
  await page.mouse.up()
}

const folds = async (): Promise<{ train: string[]; val: string[] }[]> => JSON.parse(await readFile(join(fx.settings.folders!.preprocessed, FIXTURE_DATASET, 'splits_final.json'), 'utf8'))

test('a corrected case and an accepted one are added to the dataset: files, dataset.json, folds, manifest', async ({ page }) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 1300 })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const imagesTs = join(fx.datasetDir, 'imagesTs')
  const predicted = (await readdir(fx.predictions)).filter((f) => f.endsWith('.nii.gz')).sort()
  expect(predicted).toHaveLength(2)
  const [fixCase, acceptCase] = predicted.map((f) => f.replace(/\.nii\.gz$/, '')) as [string, string]
  const trainedBefore = (await readdir(join(fx.datasetDir, 'imagesTr'))).length
  const foldsBefore = await folds()

  await page.goto(server!.url)
  await page.getByTestId('step-review').click()
  await page.getByTestId('review-folder').fill(fx.predictions)
  await page.getByTestId('review-images').fill(imagesTs)
  await page.getByTestId('review-list').click()
  await expect(page.getByTestId(`review-row-${fixCase}`)).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId(`review-row-${acceptCase}`)).toBeVisible()
  // The dataset the model was trained on, from the prediction folder's record of its model (Predict's).
  await expect(page.getByTestId('review-dataset-id')).toHaveValue(String(FIXTURE_ID))

  // Correct the first case: spleen painted across the axial view, saved beside the prediction.
  await page.getByTestId(`review-open-${fixCase}`).click()
  const viewer = page.getByTestId('editor-viewer')
  await expect(viewer).toHaveAttribute('data-case', fixCase, { timeout: 60_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 60_000 })
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)
  await page.getByTestId('active-label').selectOption('2')
  await page.getByTestId('tool-pen').click()
  await paintAcrossAxial(page)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  await page.getByTestId('edit-save').click()
  await expect(page.getByTestId('edit-saved')).toBeVisible({ timeout: 60_000 })
  const changed = Number(await page.getByTestId('edit-saved').getAttribute('data-changed'))
  expect(changed, 'voxels the stroke changed').toBeGreaterThan(10)
  const corrected = join(fx.predictions, 'corrected', `${fixCase}.nii.gz`)

  const addFix = page.getByTestId(`review-add-${fixCase}`)
  await expect(addFix).toHaveText('Add corrected to the dataset')
  await addFix.click()
  await expect(addFix).toHaveText('Added as liver_008', { timeout: 120_000 })
  await expect(addFix).toBeDisabled()
  // The second case, accepted as predicted.
  const addAccept = page.getByTestId(`review-add-${acceptCase}`)
  await expect(addAccept).toHaveText('Accept / Add to the dataset')
  await addAccept.click()
  await expect(addAccept).toHaveText('Added as liver_009', { timeout: 120_000 })
  await addAccept.scrollIntoViewIfNeeded()
  await shot(page, 'review-add-01-added')

  // The dataset folder: the scans' bytes and the labels as they were (corrected copy / prediction).
  const same = async (a: string, b: string) => Buffer.compare(await readFile(a), await readFile(b)) === 0
  expect((await readdir(join(fx.datasetDir, 'imagesTr'))).length).toBe(trainedBefore + 2)
  expect(await same(join(fx.datasetDir, 'imagesTr', 'liver_008_0000.nii.gz'), join(imagesTs, `${fixCase}_0000.nii.gz`))).toBe(true)
  expect(await same(join(fx.datasetDir, 'labelsTr', 'liver_008.nii.gz'), corrected)).toBe(true)
  expect(await same(join(fx.datasetDir, 'imagesTr', 'liver_009_0000.nii.gz'), join(imagesTs, `${acceptCase}_0000.nii.gz`))).toBe(true)
  expect(await same(join(fx.datasetDir, 'labelsTr', 'liver_009.nii.gz'), join(fx.predictions, `${acceptCase}.nii.gz`))).toBe(true)
  expect(JSON.parse(await readFile(join(fx.datasetDir, 'dataset.json'), 'utf8')).numTraining).toBe(trainedBefore + 2)
  // Folds: no existing case moved; each new case validated in exactly one fold.
  const foldsAfter = await folds()
  foldsAfter.forEach((f, i) => {
    expect(f.val.filter((c) => !['liver_008', 'liver_009'].includes(c))).toEqual(foldsBefore[i]!.val)
    expect(f.train.filter((c) => !['liver_008', 'liver_009'].includes(c))).toEqual(foldsBefore[i]!.train)
  })
  for (const id of ['liver_008', 'liver_009']) expect(foldsAfter.filter((f) => f.val.includes(id))).toHaveLength(1)

  // The manifest: where each case came from, by which model, and what the correction changed.
  const m = await readManifest(fx.datasetDir)
  expect(m && 'manifest' in m).toBe(true)
  const added = (m as { manifest: { added?: Record<string, s.AddedCaseRecord> } }).manifest.added!
  const origin = { datasetId: FIXTURE_ID, configuration: '2d', trainer: FIXTURE_TRAINER, plans: 'nnUNetPlans', folds: [0, 1] }
  expect(added.liver_008).toMatchObject({ caseId: 'liver_008', sources: { images: [join(imagesTs, `${fixCase}_0000.nii.gz`)], label: corrected, prediction: join(fx.predictions, `${fixCase}.nii.gz`) }, origin })
  expect(added.liver_009).toMatchObject({ caseId: 'liver_009', sources: { images: [join(imagesTs, `${acceptCase}_0000.nii.gz`)], label: join(fx.predictions, `${acceptCase}.nii.gz`) }, origin })
  // The correction's voxels against the prediction, from the files: what the manifest says it changed.
  const pred = (await readImage(join(fx.predictions, `${fixCase}.nii.gz`))).data as Uint8Array
  const fixed = (await readImage(corrected)).data as Uint8Array
  let spleenAdded = 0
  let diff = 0
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] !== fixed[i]) diff++
    if (fixed[i] === 2 && pred[i] !== 2) spleenAdded++
  }
  expect(diff).toBe(changed)
  expect(added.liver_008!.changes).toContainEqual({ name: 'spleen', value: 2, added: spleenAdded, removed: 0 })
  expect((added.liver_009!.changes ?? []).every((c) => c.added === 0 && c.removed === 0)).toBe(true)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
