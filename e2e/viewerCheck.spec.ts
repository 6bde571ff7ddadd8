// The viewer and the Check step on copies of the real aorta CT, three of them odd on purpose
// (test/helpers/outlierCases.ts: a flipped aorta mask, 3 mm spacing, RAS axes). Check flags each;
// the viewer draws the patient's right on the screen's left (NiiVue's own letters, and the RAS
// coordinate under a click), a window preset changes the drawn pixels, outline mode drops the fill.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { makeOutlierCases, type OutlierCases } from '../test/helpers/outlierCases'
import { expect, test } from './support/server'
import { colourStats, settle, shot, waitForPreviewCount } from './support/wizardHelpers'

const RED: [number, number, number] = [255, 0, 0]
const LONG_NAME = 'aorta false lumen (dissection, distal)'

let root: string
let data: OutlierCases

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'viewer-check-e2e-'))
  data = await makeOutlierCases(root)
})

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

/** Mean grey level of what `target` shows (a screenshot decoded in the page). */
async function meanGrey(page: Page, target: Locator): Promise<number> {
  const png = await target.screenshot()
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const c = new OffscreenCanvas(bmp.width, bmp.height)
    const ctx = c.getContext('2d')!
    ctx.drawImage(bmp, 0, 0)
    const { data } = ctx.getImageData(0, 0, bmp.width, bmp.height)
    let sum = 0
    for (let i = 0; i < data.length; i += 4) sum += (data[i]! + data[i + 1]! + data[i + 2]!) / 3
    return sum / (data.length / 4)
  }, png.toString('base64'))
}

/** The RAS x (mm, + = patient's right) under a click at a fraction of the canvas width. */
async function rasXAt(page: Page, canvas: Locator, xFrac: number): Promise<number> {
  const box = (await canvas.boundingBox())!
  const before = await page.getByTestId('cursor-mm').getAttribute('data-mm')
  await canvas.click({ position: { x: box.width * xFrac, y: box.height * 0.5 } })
  await expect(page.getByTestId('cursor-mm')).not.toHaveAttribute('data-mm', before ?? '')
  const mm = (await page.getByTestId('cursor-mm').getAttribute('data-mm'))!
  return Number(mm.split(',')[0])
}

test('Check flags the odd cases; the viewer is radiological with presets, sliders and outlines', async ({ page, wizard }) => {
  test.setTimeout(420_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const next = page.getByTestId('next')

  await page.goto(wizard.url)
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  // The folder browser shows the scans in the folder it will use (greyed, not choosable).
  await page.getByTestId('images-dir-browse').click()
  const browser = page.getByTestId('folder-browser')
  await browser.getByTestId('folder-browser-path').fill(data.images)
  await browser.getByTestId('folder-browser-path').press('Enter')
  await expect(browser.locator('[data-testid="folder-file"][data-volume="true"]')).toHaveCount(5)
  await expect(browser.getByTestId('folder-volume-count')).toContainText('5 volume files in this folder')
  await expect(browser.getByTestId('folder-file').first()).not.toHaveRole('button')
  await shot(page, 'viewer-check-00-folder-browser')
  await browser.getByTestId('folder-browser-choose').click()
  await expect(page.getByTestId('images-dir')).toHaveValue(data.images)
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(data.aorta)
  await page.getByTestId('add-mask').click()
  // A folder that does not exist is said at its field, in plain words.
  await page.getByTestId('mask-dir-1').fill(join(root, 'no-such-folder'))
  await expect(page.getByTestId('mask-dir-1-error')).toContainText('does not exist')
  await expect(page.getByTestId('mask-dir-0-error')).toHaveCount(0)
  await shot(page, 'viewer-check-00b-sources-field-error')
  await page.getByTestId('mask-dir-1').fill(data.lumen)
  await expect(page.getByTestId('mask-dir-1-error')).toHaveCount(0)
  await expect(page.getByTestId('scan-summary')).toHaveText('5 of 5 cases complete')
  await next.click()

  await expect(page.getByTestId('screen-labels')).toBeVisible()
  // A duplicate name is said at the second field, and blocks Next.
  await page.getByTestId('label-name-1').fill('Aorta')
  await expect(page.getByTestId('label-name-1-error')).toHaveText('Label 1 is already called "aorta": each label needs its own name.')
  await expect(next).toBeDisabled()
  await shot(page, 'viewer-check-00c-labels-field-error')
  await page.getByTestId('label-color-0').fill('#ff0000')
  await page.getByTestId('label-color-1').fill('#00ff00')
  await page.getByTestId('label-name-1').fill(LONG_NAME)
  await next.click()

  // ---- Check: geometry per case, raw and final counts, the three outliers, one overlap line
  await expect(page.getByTestId('screen-check')).toBeVisible()
  await page.getByTestId('run-check').click()
  await expect(page.getByTestId('check-report')).toBeVisible({ timeout: 240_000 })
  await expect(page.getByTestId('check-row')).toHaveCount(5)
  const row = (key: string) => page.locator(`[data-testid="check-row"][data-case="${key}"]`)
  await expect(row(data.flipped)).toHaveAttribute('data-outlier', 'true')
  await expect(row(data.flipped).getByTestId('outlier-badge')).toHaveText('mask outside body')
  await expect(row(data.spacing).getByTestId('outlier-badge')).toHaveText('other spacing')
  await expect(row(data.spacing).getByTestId('spacing')).toHaveText('3×3×3')
  await expect(row(data.direction).getByTestId('outlier-badge')).toHaveText('other axes')
  await expect(row(data.direction).getByTestId('axes')).toHaveText('RAS')
  await expect(row('case-1').getByTestId('axes')).toHaveText('LPS')
  await expect(row('case-1')).not.toHaveAttribute('data-outlier', 'true')
  await expect(page.getByTestId('outlier-findings')).toContainText(`"aorta" in case "${data.flipped}" lies in the body`)
  // The aorta loses its overlap with the false lumen: mask / final.
  await expect(row('case-1').getByTestId('voxels').first()).toContainText('72,810 /')
  await expect(page.getByTestId('voxel-legend')).toContainText('after overlaps are resolved')
  // The overlap message of the five cases is one line listing them.
  const overlapLines = page.getByTestId('check-summary').locator('[data-code="overlap"]')
  await expect(overlapLines).toHaveCount(1)
  await expect(overlapLines).toContainText('In 5 cases: case-1, case-2, case-3, case-4, case-5.')
  await expect(page.getByTestId('count-outliers')).toHaveText('3 unlike the others')
  await shot(page, 'viewer-check-01-check')
  await page.getByTestId('check-table').scrollIntoViewIfNeeded()
  await shot(page, 'viewer-check-01b-check-table')
  await next.click()

  // ---- Preview: radiological letters and the RAS coordinate under a click
  await expect(page.getByTestId('screen-preview')).toBeVisible()
  await waitForPreviewCount(page, 1)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loading', 'false')
  const canvas = page.getByTestId('viewer-canvas')
  await expect(page.getByTestId('radiological')).toBeChecked()
  await expect(canvas).toHaveAttribute('data-letters-axial', 'R L')
  await expect(canvas).toHaveAttribute('data-letters-coronal', 'R L')
  // Sagittal: anterior on the left, as in 3D Slicer and ITK-SNAP.
  await expect(canvas).toHaveAttribute('data-letters-sagittal', 'A P')
  const legendName = page.getByTestId('legend-name-2')
  await expect(legendName).toContainText(LONG_NAME)
  expect(await legendName.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), 'the long label name is not cut').toBe(true)
  await shot(page, 'viewer-check-02-preview-radiological')

  await page.getByLabel('Layout').selectOption({ label: 'Axial' })
  await settle(page)
  const leftX = await rasXAt(page, canvas, 0.35)
  const rightX = await rasXAt(page, canvas, 0.65)
  expect(leftX, "radiological: the screen's left is the patient's right (larger RAS x)").toBeGreaterThan(rightX)
  await shot(page, 'viewer-check-03-axial-radiological')
  await page.getByTestId('radiological').uncheck()
  await expect(canvas).toHaveAttribute('data-letters-axial', 'L R')
  const leftN = await rasXAt(page, canvas, 0.35)
  const rightN = await rasXAt(page, canvas, 0.65)
  expect(leftN).toBeLessThan(rightN)
  await shot(page, 'viewer-check-04-axial-neurological')
  await page.getByTestId('radiological').check()
  await expect(canvas).toHaveAttribute('data-letters-axial', 'R L')

  // ---- The axial slider moves the slice (the drawn pixels change, the readout follows)
  const slider = page.getByTestId('slice-axial')
  const max = Number(await slider.getAttribute('max'))
  expect(max).toBeGreaterThan(100)
  const beforeSlice = await meanGrey(page, canvas)
  await slider.fill('5')
  await settle(page)
  await expect(slider).toHaveValue('5')
  expect(Math.abs((await meanGrey(page, canvas)) - beforeSlice), 'another slice is drawn').toBeGreaterThan(0.5)
  await slider.fill(String(Math.round(max / 2)))
  await settle(page)

  // ---- Window presets change the drawn grey levels
  await page.getByTestId('legend-toggle-1').uncheck()
  await page.getByTestId('legend-toggle-2').uncheck()
  await settle(page)
  const greyDefault = await meanGrey(page, canvas)
  await page.getByTestId('window-preset').selectOption('lung')
  await settle(page)
  const greyLung = await meanGrey(page, canvas)
  await shot(page, 'viewer-check-05-lung-window')
  await page.getByTestId('window-preset').selectOption('bone')
  await settle(page)
  const greyBone = await meanGrey(page, canvas)
  expect(Math.abs(greyLung - greyDefault), 'the lung window draws other grey levels').toBeGreaterThan(3)
  expect(greyLung - greyBone, 'soft tissue is brighter in the lung window than in the bone window').toBeGreaterThan(3)
  await page.getByTestId('window-preset').selectOption('soft-tissue')
  await page.getByTestId('legend-toggle-1').check()
  await page.getByTestId('legend-toggle-2').check()

  // ---- Outline only: the fill goes, the border stays, whatever the opacity
  await page.getByTestId('opacity').fill('1')
  await settle(page)
  // A one-voxel ring is blended with the grey around it when scaled: count reddish, not pure red.
  const filledStats = await colourStats(page, canvas, { aorta: RED }, 110)
  const filled = filledStats.counts.aorta!
  const inside = filledStats.interior.aorta
  expect(inside, 'an all-red patch inside the aorta').not.toBeNull()
  await canvas.click({ position: inside! })
  await expect(page.getByTestId('cursor-label')).toHaveText(/label 1 \(aorta\)/)
  await page.getByTestId('outline').check()
  await expect(page.getByTestId('opacity')).toBeDisabled()
  await settle(page)
  const outlined = (await colourStats(page, canvas, { aorta: RED }, 110)).counts.aorta!
  await shot(page, 'viewer-check-06-outline')
  expect(filled, 'aorta drawn filled').toBeGreaterThan(100)
  expect(outlined, 'outline drawn').toBeGreaterThan(20)
  expect(outlined, 'outline only: much less red than the fill').toBeLessThan(filled * 0.7)
  // Inside the ring the label under the cursor is still the aorta (read from the full label map).
  // First somewhere else in the image (the chest wall at the top), so the readout changes.
  const whole = (await canvas.boundingBox())!
  await canvas.click({ position: { x: whole.width / 2, y: 6 } })
  await expect(page.getByTestId('cursor-label')).not.toContainText('aorta')
  await canvas.click({ position: inside! })
  await expect(page.getByTestId('cursor-label')).toHaveText(/label 1 \(aorta\)/)
  await next.click()

  // ---- Output and Write: one line for the overlap of every case; no "Open folder" in browser mode
  await expect(page.getByTestId('screen-output')).toBeVisible()
  await page.getByTestId('dataset-name').fill('OutlierAorta')
  await page.getByTestId('out-dir').fill(join(root, 'out'))
  await page.getByTestId('dataset-id').fill('1000')
  await expect(next).toBeDisabled()
  await expect(page.locator('[data-testid="error-banner"], [data-testid="output-findings"]').first()).toBeVisible()
  await expect(page.getByTestId('screen-output')).not.toContainText('Too big')
  await shot(page, 'viewer-check-06b-output-id-out-of-range')
  await page.getByTestId('dataset-id').fill('602')
  await expect(next).toBeEnabled()
  await next.click()
  await expect(page.getByTestId('screen-write')).toBeVisible()
  await page.getByTestId('start-write').click()
  await expect(page.getByTestId('write-summary')).toBeVisible({ timeout: 300_000 })
  const summary = page.getByTestId('write-summary')
  await expect(summary.locator('[data-code="overlap"]')).toHaveCount(1)
  await expect(summary.locator('[data-code="overlap"]')).toContainText('In 5 cases')
  await expect(page.getByTestId('open-folder')).toHaveCount(0)
  await shot(page, 'viewer-check-07-write')
  expect(pageErrors).toEqual([])
})
