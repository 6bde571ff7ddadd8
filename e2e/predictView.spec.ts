// Predict -> "View over its image", in browser mode against the real server and the real nnU-Net
// v2: the trained 2-fold model of the cached fixture (test/results/trainedFixture.ts, a private
// copy; built once per run by the "fixtures" setup project) predicts the dataset's two test scans
// from the Predict step, and the finished job's segmentations are shown over the scans they were
// predicted from. No job history is made up: the job is the app's own. The canvas is sampled to
// prove a label the model wrote is drawn in its colour over the scan, and gone when hidden (a
// 2-epoch model: what it finds is rough, but what is drawn must be what it wrote).
// Needs the pinned nnU-Net venv; skipped with the reason without it.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nnunetPython } from '../test/helpers/python'
import { readImage } from '../test/helpers/nifti'
import { FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from '../test/results/trainedFixture'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { colourStats, settle, shot } from './support/wizardHelpers'

// The default palette's first two colours (liver = 1, spleen = 2).
const COLOURS: Record<string, [number, number, number]> = { liver: [255, 0, 0], spleen: [0, 255, 0] }
const py = nnunetPython('v2')

let root: string
let fx: TrainedFixture
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  // Built by the "fixtures" setup project (or here, when this spec runs with --no-deps on a cold cache).
  test.setTimeout(3_600_000)
  root = await mkdtemp(join(tmpdir(), 'predict-view-e2e-'))
  fx = await trainedFixture(join(root, 'fixture'), py.python!)
  // The app data folder the model was trained with: its generated trainer (nnUNet_extTrainer) is there.
  const data = fx.dataDir
  server = await startWizardServerOn(data, { folders: fx.settings.folders, pythonPath: py.python })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a finished prediction is shown over the scan it was predicted from', async ({ page }) => {
  test.setTimeout(600_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const imagesTs = join(fx.datasetDir, 'imagesTs')
  const output = join(root, 'predicted')
  await page.goto(server!.url)
  await page.getByTestId('step-predict').click()
  await expect(page.getByTestId('predict-model')).toContainText(`Dataset${FIXTURE_ID}_Results · 2d · ${FIXTURE_TRAINER}`)
  await page.getByTestId('predict-input').fill(imagesTs)
  await page.getByTestId('predict-output').fill(output)
  // One fold is enough to have a prediction to view (the ensemble is trainPredict's and the fixture's).
  await page.getByTestId('predict-fold-0').check()
  await page.getByTestId('predict-fold-1').uncheck()
  await page.getByTestId('start-predict').click()
  const job = page.getByTestId('job-predict')
  await expect
    .poll(
      async () => {
        const state = await job.getAttribute('data-state')
        if (state === 'failed') throw new Error(`prediction failed: ${await job.getByRole('alert').first().textContent()}`)
        return state
      },
      { timeout: 480_000, intervals: [1000] },
    )
    .toBe('done')

  // Only the segmentations are listed (not dataset.json), each paired with its case_0000 scan.
  const list = page.getByTestId('predictions')
  await expect(list).toContainText('2 segmentations')
  await expect(list.getByRole('button', { name: 'View over its image' })).toHaveCount(2)
  const cases = (await readdir(output)).filter((f) => f.endsWith('.nii.gz')).sort()
  expect(cases).toHaveLength(2)
  const file = cases[0]!
  const caseId = file.replace(/\.nii\.gz$/, '')
  await page.getByTestId(`view-prediction-${file}`).click()
  const viewer = page.getByTestId('prediction-viewer')
  await expect(viewer).toHaveAttribute('data-case', caseId, { timeout: 120_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await expect(page.getByTestId('legend')).toContainText('liver')
  await expect(page.getByTestId('legend')).toContainText('spleen')
  await expect(list).toContainText(`${caseId}_0000.nii.gz`)

  // The first label the model wrote in this case (liver, else spleen): the viewer's crosshair
  // starts in it, and its colour is drawn.
  const seg = (await readImage(join(output, file))).data as ArrayLike<number>
  const voxels = { liver: 0, spleen: 0 }
  for (let i = 0; i < seg.length; i++) {
    if (seg[i] === 1) voxels.liver++
    else if (seg[i] === 2) voxels.spleen++
  }
  expect(voxels.liver + voxels.spleen, 'the model wrote some foreground').toBeGreaterThan(0)
  const first = voxels.liver > 0 ? 'liver' : 'spleen'
  // The colour checked is the label with most voxels: a 2-epoch model may write a few stray voxels
  // of the other (22 at the volume's corner once), under the crosshair's own line.
  const most = voxels.liver >= voxels.spleen ? 'liver' : 'spleen'
  const value = most === 'liver' ? 1 : 2
  await page.getByTestId('opacity').fill('1')
  await settle(page)
  const canvas = page.getByTestId('viewer-canvas')
  const shown = await colourStats(page, canvas, COLOURS)
  await shot(page, 'predict-view-01-prediction')
  await expect(page.getByTestId('cursor-label')).toContainText(first)
  expect(shown.counts[most], `${most} colour drawn on the canvas`).toBeGreaterThan(0)
  // Hiding it removes its colour.
  await page.getByTestId(`legend-toggle-${value}`).uncheck()
  await settle(page)
  const hidden = await colourStats(page, canvas, COLOURS)
  expect(hidden.counts[most], `${most} colour gone when hidden`).toBeLessThan(Math.max(1, (shown.counts[most] ?? 0) * 0.05))

  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})

