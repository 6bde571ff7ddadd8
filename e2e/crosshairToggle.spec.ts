// The viewer's crosshair can be hidden (issue 18, point 10: "a thick crosshair that cannot be
// hidden"): on a real CT with its aorta mask, the crosshair's blue is on the canvas, and after
// "Crosshair" is unticked it is gone, while the scan and the label stay drawn.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import type { Locator, Page } from '@playwright/test'
import { oneAortaCase, shot } from './support/wizardHelpers'

let root: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await oneAortaCase('wizard-crosshair-')
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/**
 * Pixels of the crosshair's light blue (0.35, 0.75, 1 at 70 %, over any grey): blue well above red
 * and green above red. The grey scan and the red aorta label have neither.
 */
async function crosshairPixels(page: Page, canvas: Locator): Promise<number> {
  const b64 = (await canvas.screenshot()).toString('base64')
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const c = new OffscreenCanvas(bmp.width, bmp.height)
    const ctx = c.getContext('2d')!
    ctx.drawImage(bmp, 0, 0)
    const { data } = ctx.getImageData(0, 0, bmp.width, bmp.height)
    let n = 0
    for (let o = 0; o < data.length; o += 4) if (data[o + 2]! - data[o]! > 60 && data[o + 1]! - data[o]! > 30) n++
    return n
  }, b64)
}

test('the crosshair hides and shows again from the legend', async ({ page }) => {
  test.setTimeout(180_000)
  server = await startWizardServer()
  await page.goto(server.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(join(root, 'image'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(join(root, 'aorta'))
  await expect(page.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  await page.getByTestId('step-preview').click()
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  const canvas = page.getByTestId('viewer-canvas')
  // Each state is waited for on the canvas itself (was a fixed 500 ms before each reading).
  let shown = 0
  await expect.poll(async () => (shown = await crosshairPixels(page, canvas)), { message: 'the crosshair is drawn at first' }).toBeGreaterThan(200)
  await page.getByTestId('crosshair-toggle').uncheck()
  await expect.poll(async () => crosshairPixels(page, canvas), { message: 'and gone when hidden' }).toBeLessThan(shown / 10)
  await shot(page, 'crosshair-01-hidden')
  await page.getByTestId('crosshair-toggle').check()
  await expect.poll(async () => crosshairPixels(page, canvas), { message: 'and drawn again when ticked' }).toBeGreaterThan(shown / 2)
})
