// The three planes use the viewer without a hole (issue 18, point 10: after coronal and sagittal
// stopped being squeezed, NiiVue's 2x2 grid left one quarter of the viewer black). On a real CT
// with its aorta mask, the Preview's landscape canvas holds the three tiles side by side, each
// quarter of the canvas is covered by a tile, and each plane is drawn at least as large as a
// 2x2 grid would draw its worst plane; a click in a tile still moves the crosshair there.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import type { Locator } from '@playwright/test'
import { oneAortaCase, settle, shot } from './support/wizardHelpers'
import { planeArrangement, type ExtentMm } from '../renderer/viewer/multiplanarLayout'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await oneAortaCase('wizard-plane-layout-')
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

type Rect = [number, number, number, number]

async function tiles(canvas: Locator): Promise<Record<'axial' | 'coronal' | 'sagittal', Rect>> {
  const read = async (name: string) => ((await canvas.getAttribute(`data-tile-${name}`)) ?? '').split(' ').map(Number) as Rect
  return { axial: await read('axial'), coronal: await read('coronal'), sagittal: await read('sagittal') }
}

/** The area of a rectangle's overlap with another. */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0])
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1])
  return w > 0 && h > 0 ? w * h : 0
}

test('the three planes fill the viewer: no empty quarter, each plane drawn at least as large as in a 2x2 grid', async ({ page }) => {
  test.setTimeout(180_000)
  server = await startWizardServer()
  await page.setViewportSize({ width: 1280, height: 860 })
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(join(root, 'image'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(join(root, 'aorta'))
  await expect(page.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  await page.getByTestId('step-preview').click()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  const canvas = page.getByTestId('viewer-canvas')
  await expect(canvas).toHaveAttribute('data-tile-sagittal', /\d/)
  await settle(page)
  await shot(page, 'plane-layout-01-preview')
  const box = (await canvas.boundingBox())!
  const t = await tiles(canvas)
  expect(box.width).toBeGreaterThan(box.height)
  await expectNoEmptyQuarter(canvas)
  // Each plane is drawn at least as large (pixels per mm) as the worst-drawn plane of a 2x2 grid,
  // and the arrangement is the one that draws the worst plane largest for this scan (the aorta
  // crop: 120 x 126 x 164 voxels of 1.5 mm).
  const extent: ExtentMm = [180, 189, 246]
  const drawn = { axial: t.axial[2] / extent[0], coronal: t.coronal[2] / extent[0], sagittal: t.sagittal[2] / extent[1] }
  const grid = Math.min(Math.min(box.width / 2 / extent[0], box.height / 2 / extent[1]), Math.min(box.width / 2 / extent[0], box.height / 2 / extent[2]), Math.min(box.width / 2 / extent[1], box.height / 2 / extent[2]))
  expect(Math.min(...Object.values(drawn)), `tiles ${JSON.stringify(t)} on ${box.width}x${box.height}`).toBeGreaterThanOrEqual(grid * 0.97)
  await expect(canvas).toHaveAttribute('data-plane-layout', planeArrangement(box.width, box.height, extent))
  // A click in the axial tile still moves the crosshair there (the tiles are where NiiVue reads clicks).
  const before = await page.getByTestId('cursor-mm').getAttribute('data-mm')
  await canvas.click({ position: { x: t.axial[0] + t.axial[2] * 0.4, y: t.axial[1] + t.axial[3] * 0.6 } })
  await expect(page.getByTestId('cursor-mm')).not.toHaveAttribute('data-mm', before ?? '')
  // A narrow, tall window: the planes rearrange and still leave no quarter empty.
  // Waited for on the tiles the canvas records (was a fixed 800 ms): they change with the canvas.
  const wide = await canvas.getAttribute('data-tile-axial')
  await page.setViewportSize({ width: 760, height: 1300 })
  await expect(canvas).not.toHaveAttribute('data-tile-axial', wide ?? '')
  await expect(async () => expectNoEmptyQuarter(canvas)).toPass()
  await settle(page)
  await shot(page, 'plane-layout-02-narrow')
  // One plane alone fills the canvas as before.
  await page.getByLabel('Layout').selectOption({ label: 'Axial' })
  await expect(canvas).not.toHaveAttribute('data-plane-layout', /./)
})

/** Every quarter of the canvas holds at least a tenth of its area in drawn planes. */
async function expectNoEmptyQuarter(canvas: Locator): Promise<void> {
  const box = (await canvas.boundingBox())!
  const t = await tiles(canvas)
  const all = [t.axial, t.coronal, t.sagittal]
  const qw = box.width / 2
  const qh = box.height / 2
  for (const [x, y] of [[0, 0], [qw, 0], [0, qh], [qw, qh]] as const) {
    const quarter: Rect = [x, y, qw, qh]
    const covered = all.reduce((s, r) => s + overlap(r, quarter), 0)
    expect(covered / (qw * qh), `quarter at ${x},${y} of ${box.width}x${box.height}: tiles ${JSON.stringify(t)}`).toBeGreaterThan(0.1)
  }
}
