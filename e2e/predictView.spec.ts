// Predict -> "View over its image", in browser mode against the real server. A real prediction
// needs a trained model, so the finished predict job is seeded into the server's job history (as
// the app lists it after a restart) and its output folder holds a liver/spleen label map merged
// from the real TotalSegmentator masks, next to the dataset.json nnUNetv2_predict copies there.
// The canvas is sampled to prove the labels are drawn in their colours over the scan.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Geometry } from '../shared/api'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../electron/imaging/niftiWriter'
import { TOTALSEG } from '../test/helpers/guideFolders'
import { readImage } from '../test/helpers/nifti'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { colourStats, settle, shot } from './support/wizardHelpers'

const LIVER: [number, number, number] = [255, 0, 0]
const SPLEEN: [number, number, number] = [0, 255, 0]

let root: string
let imagesTs: string
let predictions: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'predict-view-e2e-'))
  imagesTs = join(root, 'imagesTs')
  predictions = join(root, 'predictions')
  await mkdir(imagesTs)
  await mkdir(predictions)
  const ct = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
  const liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  const label = Uint8Array.from({ length: liver.length }, (_, i) => (spleen[i] ? 2 : liver[i] ? 1 : 0))
  const geometry: Geometry = { size: ct.size, spacing: ct.spacing, origin: ct.origin, direction: Array.from(ct.direction as Float64Array) }
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(imagesTs, 'abdomen_001_0000.nii.gz'))
  await writeNiftiGz(join(predictions, 'abdomen_001.nii.gz'), geometry, label, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))

  const data = join(root, 'app-data')
  await mkdir(join(data, 'jobs'), { recursive: true })
  const now = Date.now()
  const job = { id: 'seeded-predict', kind: 'predict', title: 'Predict with 3d_fullres (dataset 1)', state: 'done', createdAt: now - 60_000, startedAt: now - 60_000, endedAt: now - 1000, exitCode: 0, logLines: 0 }
  await writeFile(join(data, 'jobs', 'jobs.json'), JSON.stringify([job]))
  server = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a finished prediction is shown over the scan it was predicted from', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(server!.url)
  await page.getByTestId('step-predict').click()
  await page.getByTestId('predict-input').fill(imagesTs)
  await page.getByTestId('predict-output').fill(predictions)

  // Only the segmentation is listed (not dataset.json), and it pairs with abdomen_001_0000.nii.gz.
  const list = page.getByTestId('predictions')
  await expect(list.getByRole('button', { name: 'View over its image' })).toHaveCount(1)
  await page.getByTestId('view-prediction-abdomen_001.nii.gz').click()
  const viewer = page.getByTestId('prediction-viewer')
  await expect(viewer).toHaveAttribute('data-case', 'abdomen_001', { timeout: 60_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false')
  await expect(page.getByTestId('legend')).toContainText('liver')
  await expect(page.getByTestId('legend')).toContainText('spleen')
  await expect(list).toContainText('abdomen_001_0000.nii.gz')

  await page.getByTestId('opacity').fill('1')
  await settle(page)
  const canvas = page.getByTestId('viewer-canvas')
  const shown = await colourStats(page, canvas, { liver: LIVER, spleen: SPLEEN })
  await shot(page, 'predict-view-01-prediction')
  expect(shown.counts.liver, 'liver colour drawn on the canvas').toBeGreaterThan(30)
  // The crosshair starts in the first label: the value under it is liver's.
  await expect(page.getByTestId('cursor-label')).toContainText('liver')
  // Hiding liver removes its colour.
  await page.getByTestId('legend-toggle-1').uncheck()
  await settle(page)
  const hidden = await colourStats(page, canvas, { liver: LIVER, spleen: SPLEEN })
  expect(hidden.counts.liver, 'liver colour gone when hidden').toBeLessThan(Math.max(5, (shown.counts.liver ?? 0) * 0.02))

  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
