// A corrected DICOM case back as DICOM-SEG from Review (issue 21 item 5), in browser mode against the
// real server. The prediction folder is laid out as Predict leaves it for a DICOM input (without
// nnU-Net: the label map is exportCases.py's, computed on the real CT of makeDicom.py's plain series;
// the prediction record names the DICOM input folder, whose case folder is named as the case). The
// case is corrected in the editor (a pen stroke) and saved; Review marks it corrected and from DICOM,
// and "Export corrected as DICOM-SEG" writes corrected/dicom/plain_seg.dcm. highdicom reads it back
// equal to the corrected label voxel for voxel, on the case's series; the DICOM folder is untouched.
// Needs the reference venv (highdicom); skipped with the reason without it.
import { execFile } from 'node:child_process'
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Niivue } from '@niivue/niivue'
import { PREDICTION_ORIGIN_FILE } from '../electron/results/predictionOrigin'
import { dicomScans, type DicomScans } from '../test/dicom/dicomScans'
import { exportLabels } from '../test/dicom/exportLabels'
import { hashTree } from '../test/helpers/nifti'
import { REPO_ROOT } from '../test/helpers/python'
import { referencePython } from '../test/helpers/referencePython'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'

const run = promisify(execFile)
let scans: DicomScans | undefined
let missing = ''
let root = ''
let pred = ''
let images = ''
let dicomIn = ''
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.setTimeout(600_000)
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  const labels = await exportLabels(got)
  root = await mkdtemp(join(tmpdir(), 'review-dicom-seg-e2e-'))
  dicomIn = join(root, 'dicom-in')
  pred = join(root, 'pred')
  images = join(root, 'staged')
  await cp(join(got.cases, 'plain'), join(dicomIn, 'plain'), { recursive: true })
  await mkdir(pred)
  await mkdir(images)
  // The scan as the DICOM input is staged for nnU-Net (SimpleITK's read of the series), and the prediction on its grid.
  await copyFile(join(got.expected, 'plain.nii.gz'), join(images, 'plain_0000.nii.gz'))
  await copyFile(join(labels, 'plain', 'labels.nii.gz'), join(pred, 'plain.nii.gz'))
  await copyFile(join(labels, 'plain', 'dataset.json'), join(pred, 'dataset.json'))
  await writeFile(join(pred, PREDICTION_ORIGIN_FILE), JSON.stringify({ model: { configuration: '2d', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', folds: [0] }, input: dicomIn, probabilities: false, predictedAt: new Date().toISOString() }))
  server = await startWizardServer()
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('a corrected DICOM case is exported as DICOM-SEG on its series from Review', async ({ page }) => {
  test.skip(!scans, missing)
  await page.setViewportSize({ width: 1280, height: 1300 })
  const dicomBefore = await hashTree(dicomIn)
  await page.goto(server!.url)
  await page.getByTestId('step-review').click()
  await page.getByTestId('review-folder').fill(pred)
  await page.getByTestId('review-images').fill(images)
  await page.getByTestId('review-list').click()
  await expect(page.getByTestId('review-row-plain')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('review-state-plain')).toHaveAttribute('data-state', 'todo')
  // Not corrected yet: nothing to export.
  await expect(page.getByTestId('review-dicom-plain')).toHaveCount(0)

  await page.getByTestId('review-open-plain').click()
  await expect(page.getByTestId('editor-viewer')).toHaveAttribute('data-loading', 'false', { timeout: 60_000 })
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)
  const tile = await page.evaluate(() => {
    const nv = (document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }).niivue!
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio
    const [l, t, w, h] = nv.screenSlices.find((s) => s.axCorSag === 0)!.leftTopWidthHeight
    return { left: l! / dpr, top: t! / dpr, width: w! / dpr, height: h! / dpr }
  })
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!
  await page.getByTestId('active-label').selectOption('2')
  await page.getByTestId('tool-pen').click()
  const x0 = box.x + tile.left + tile.width * 0.3
  const y = box.y + tile.top + tile.height * 0.5
  await page.mouse.move(x0, y)
  await page.mouse.down()
  for (let k = 1; k <= Math.round(tile.width * 0.4); k++) await page.mouse.move(x0 + k, y)
  await page.mouse.up()
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  await page.getByTestId('edit-save').click()
  const saved = page.getByTestId('edit-saved')
  await expect(saved).toBeVisible({ timeout: 60_000 })
  expect(Number(await saved.getAttribute('data-changed'))).toBeGreaterThan(0)

  await expect(page.getByTestId('review-state-plain')).toHaveAttribute('data-state', 'corrected')
  await page.getByTestId('review-dicom-plain').click()
  const note = page.getByTestId('review-dicom-note')
  await expect(note).toContainText('DICOM-SEG written to', { timeout: 60_000 })
  const seg = join(pred, 'corrected', 'dicom', 'plain_seg.dcm')
  await expect(note).toContainText(seg)
  await page.getByTestId('review-table').scrollIntoViewIfNeeded()
  await shot(page, 'review-dicom-seg-01-exported')

  const { stdout } = await run(referencePython().python!, [join(REPO_ROOT, 'test', 'dicom', 'exportCases.py'), 'check', join(dicomIn, 'plain'), join(pred, 'corrected', 'plain.nii.gz'), join(pred, 'dataset.json'), seg, '-'], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  const check = JSON.parse(stdout) as { series: { series: string }; seg: { mismatched: number; series: string; segments: { algorithmType: string }[] } }
  expect(check.seg.mismatched, 'voxels where the SEG and the corrected label differ').toBe(0)
  expect(check.seg.series).toBe(check.series.series)
  expect(check.seg.segments.every((s) => s.algorithmType === 'SEMIAUTOMATIC')).toBe(true)
  expect(await hashTree(dicomIn), 'the DICOM input is not written').toEqual(dicomBefore)
})
