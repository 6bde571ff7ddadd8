// Corrections across sessions (issue 21) in browser mode against the real server, on the real
// ct_small CT with a liver/spleen "prediction" from the TotalSegmentator masks (as review.spec.ts):
// strokes drawn in the editor are kept as a draft beside the prediction (corrected/.draft) without a
// save; the page is reloaded; Review shows the case as a correction in progress; reopening it offers
// the draft, and continuing restores the drawing bitmap exactly. Saving then writes the corrected
// copy equal to that drawing, removes the draft, and Review shows the case as corrected.
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import type { Niivue } from '@niivue/niivue'
import type { Geometry } from '../shared/api'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../electron/imaging/niftiWriter'
import { TOTALSEG } from '../test/helpers/guideFolders'
import { readImage } from '../test/helpers/nifti'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'
import { stroke, type Layout } from './support/editorStrokes'

let root: string
let imagesTs: string
let predictions: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'editor-draft-e2e-'))
  imagesTs = join(root, 'imagesTs')
  predictions = join(root, 'predictions')
  await mkdir(imagesTs)
  await mkdir(predictions)
  const ct = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
  const liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  const prediction = Uint8Array.from({ length: liver.length }, (_, i) => (spleen[i] ? 2 : liver[i] ? 1 : 0))
  const geometry: Geometry = { size: ct.size, spacing: ct.spacing, origin: ct.origin, direction: Array.from(ct.direction as Float64Array) }
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(imagesTs, 'abdomen_001_0000.nii.gz'))
  await writeNiftiGz(join(predictions, 'abdomen_001.nii.gz'), geometry, prediction, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))
  server = await startWizardServer()
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/** The drawing bitmap (base64) and its way to the file's order, from the page's NiiVue. */
async function drawing(page: Page): Promise<{ bitmap: string; layout: Layout }> {
  return page.evaluate(() => {
    const nv = (document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }).niivue!
    const b = nv.drawBitmap!
    let text = ''
    for (let i = 0; i < b.length; i += 0x8000) text += String.fromCharCode(...b.subarray(i, i + 0x8000))
    const back = nv.back!
    const d = back.dimsRAS!
    return { bitmap: btoa(text), layout: { dims: [d[1]!, d[2]!, d[3]!], step: back.img2RASstep, start: back.img2RASstart } as Layout }
  })
}

async function openCase(page: Page): Promise<void> {
  await page.getByTestId('step-review').click()
  await page.getByTestId('review-folder').fill(predictions)
  await page.getByTestId('review-images').fill(imagesTs)
  await page.getByTestId('review-list').click()
  await expect(page.getByTestId('review-row-abdomen_001')).toBeVisible({ timeout: 60_000 })
}

async function openEditor(page: Page): Promise<void> {
  await page.getByTestId('review-open-abdomen_001').click()
  const viewer = page.getByTestId('editor-viewer')
  await expect(viewer).toHaveAttribute('data-case', 'abdomen_001', { timeout: 60_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 60_000 })
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)
}

test('unsaved strokes survive a reload as a draft, are restored exactly, then saved', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 1300 })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(server!.url)
  await openCase(page)
  await expect(page.getByTestId('review-state-abdomen_001')).toHaveAttribute('data-state', 'todo')
  await openEditor(page)
  const tile = await page.evaluate(() => {
    const nv = (document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }).niivue!
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio
    const [l, t, w, h] = nv.screenSlices.find((s) => s.axCorSag === 0)!.leftTopWidthHeight
    return { left: l! / dpr, top: t! / dpr, width: w! / dpr, height: h! / dpr }
  })
  const x0 = Math.round(tile.left + tile.width * 0.3)
  const n = Math.round(tile.width * 0.35)
  // A spleen stroke, and an eraser stroke over part of it and of the liver.
  await page.getByTestId('active-label').selectOption('2')
  await page.getByTestId('tool-pen').click()
  await stroke(page, x0, Math.round(tile.top + tile.height * 0.45), n)
  await page.getByTestId('tool-erase').click()
  await stroke(page, x0 + Math.round(n / 3), Math.round(tile.top + tile.height * 0.45), n)
  await stroke(page, x0, Math.round(tile.top + tile.height * 0.55), n)
  await expect(page.getByTestId('edit-steps')).toHaveText('3 edits')
  await expect(page.getByTestId('edit-draft-state')).toHaveAttribute('data-state', 'kept', { timeout: 20_000 })
  const drawn = await drawing(page)
  const draftFile = join(predictions, 'corrected', '.draft', 'abdomen_001.nii.gz.json')
  expect(existsSync(draftFile), 'the draft beside the prediction').toBe(true)
  expect(existsSync(join(predictions, 'corrected', 'abdomen_001.nii.gz')), 'nothing saved yet').toBe(false)
  await shot(page, 'editor-draft-01-drawn')

  // The tab is reloaded: the strokes were never saved.
  await page.reload()
  await openCase(page)
  await expect(page.getByTestId('review-state-abdomen_001')).toHaveAttribute('data-state', 'draft')
  await openEditor(page)
  await expect(page.getByTestId('edit-draft-offer')).toBeVisible({ timeout: 20_000 })
  await shot(page, 'editor-draft-02-offered')
  const before = await drawing(page)
  expect(before.bitmap, 'the reopened case shows the prediction until the draft is continued').not.toBe(drawn.bitmap)
  await page.getByTestId('draft-continue').click()
  await expect(page.getByTestId('edit-draft-offer')).toHaveCount(0)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  const restored = await drawing(page)
  expect(restored.bitmap === drawn.bitmap, 'the restored drawing equals the drawing before the reload, voxel for voxel').toBe(true)
  await settle(page)
  await shot(page, 'editor-draft-03-restored')

  await page.getByTestId('edit-save').click()
  await expect(page.getByTestId('edit-saved')).toBeVisible({ timeout: 60_000 })
  await expect.poll(() => existsSync(draftFile), { message: 'the draft is removed after the save' }).toBe(false)
  await expect(page.getByTestId('review-state-abdomen_001')).toHaveAttribute('data-state', 'corrected')
  // The saved copy is the restored drawing, in the file's order.
  const saved = (await readImage(join(predictions, 'corrected', 'abdomen_001.nii.gz'))).data as Uint8Array
  const bmp = Buffer.from(restored.bitmap, 'base64')
  const l = restored.layout
  let differ = 0
  for (let i = 0; i < bmp.length; i++) {
    const x = i % l.dims[0]
    const y = Math.floor(i / l.dims[0]) % l.dims[1]
    const z = Math.floor(i / (l.dims[0] * l.dims[1]))
    if (saved[l.start[0] + l.start[1] + l.start[2] + x * l.step[0] + y * l.step[1] + z * l.step[2]] !== bmp[i]) differ++
  }
  expect(differ, 'voxels where the saved file and the restored drawing differ').toBe(0)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
