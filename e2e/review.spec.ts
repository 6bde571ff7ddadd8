// Review -> correct a prediction in the label editor, in browser mode against the real server, on
// the real ct_small CT. The "prediction" is a liver/spleen label map merged from the real
// TotalSegmentator masks, in a temp folder laid out like nnUNetv2_predict's output (the trained
// fixture is not needed: the editor and the save do not depend on how the map was made).
//
// The mouse paints on the axial tile at known screen points: a spleen stroke, an eraser stroke
// over part of it, a liver stroke that is undone. Each point's voxel comes from NiiVue's own
// screen-to-voxel mapping (screenXY2TextureFrac, frac2vox: what its pen uses), evaluated in the
// page; the saved file must differ from the prediction in exactly the voxels those strokes leave.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
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
import { axialTile, nativeIndex, stroke, voxelsAt } from './support/editorStrokes'

let root: string
let imagesTs: string
let predictions: string
let prediction: Uint8Array
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'review-e2e-'))
  imagesTs = join(root, 'imagesTs')
  predictions = join(root, 'predictions')
  await mkdir(imagesTs)
  await mkdir(predictions)
  const ct = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
  const liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  prediction = Uint8Array.from({ length: liver.length }, (_, i) => (spleen[i] ? 2 : liver[i] ? 1 : 0))
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

/**
 * The drawing as the GPU holds it, read back layer by layer from NiiVue's drawing texture, against
 * the bitmap: pen moves upload only the box they wrote (renderer/viewer/cheapStroke.ts), so a box
 * too small would leave the texture behind the bitmap. Also the upload counters of the strokes.
 */
async function drawingOnGpu(page: Page): Promise<{ differ: number; voxels: number; stats: { partial: number; full: number } }> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue; strokeStats?: { partial: number; full: number } }
    const nv = el.niivue! as unknown as { gl: WebGL2RenderingContext; drawTexture: WebGLTexture; drawBitmap: Uint8Array; back: { dims: number[] } }
    const gl = nv.gl
    const [, nx, ny, nz] = nv.back.dims as [number, number, number, number]
    const was = gl.getParameter(gl.FRAMEBUFFER_BINDING) as WebGLFramebuffer | null
    const fb = gl.createFramebuffer()
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb)
    const rgba = new Uint8Array(nx * ny * 4)
    let differ = 0
    for (let z = 0; z < nz; z++) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, nv.drawTexture, 0, z)
      gl.readPixels(0, 0, nx, ny, gl.RGBA, gl.UNSIGNED_BYTE, rgba)
      for (let i = 0; i < nx * ny; i++) if (rgba[i * 4] !== nv.drawBitmap[z * nx * ny + i]) differ++
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, was)
    gl.deleteFramebuffer(fb)
    return { differ, voxels: nx * ny * nz, stats: { partial: el.strokeStats!.partial, full: el.strokeStats!.full } }
  })
}

test('paint, erase and undo on the axial view; the saved label differs from the prediction exactly there', async ({ page }) => {
  // Tall enough for the whole editor: nothing scrolls between strokes.
  await page.setViewportSize({ width: 1280, height: 1300 })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(server!.url)
  await page.getByTestId('step-review').click()
  await page.getByTestId('review-folder').fill(predictions)
  await page.getByTestId('review-images').fill(imagesTs)
  await page.getByTestId('review-list').click()
  await expect(page.getByTestId('review-row-abdomen_001')).toBeVisible({ timeout: 60_000 })
  await shot(page, 'review-01-list')

  await page.getByTestId('review-open-abdomen_001').click()
  const viewer = page.getByTestId('editor-viewer')
  await expect(viewer).toHaveAttribute('data-case', 'abdomen_001', { timeout: 60_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 60_000 })
  await page.getByTestId('opacity').fill('1')
  // The whole canvas in view, clear of the fixed Back/Next bar, with the toolbar above it.
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)

  const tile = await axialTile(page)
  const x0 = Math.round(tile.left + tile.width * 0.3)
  const n = Math.round(tile.width * 0.35)
  const rowA = Math.round(tile.top + tile.height * 0.45)
  const rowC = Math.round(tile.top + tile.height * 0.6)

  // 1. Spleen (2) along row A.
  await page.getByTestId('active-label').selectOption('2')
  await page.getByTestId('tool-pen').click()
  const painted = await stroke(page, x0, rowA, n)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  // 2. Erase the second half of row A.
  await page.getByTestId('tool-erase').click()
  const erased = await stroke(page, x0 + Math.round(n / 2), rowA, Math.round(n / 2) + 5)
  await expect(page.getByTestId('edit-steps')).toHaveText('2 edits')
  // 3. Liver (1) along row C, then undone.
  await page.getByTestId('active-label').selectOption('1')
  await page.getByTestId('tool-pen').click()
  await stroke(page, x0, rowC, n)
  await expect(page.getByTestId('edit-steps')).toHaveText('3 edits')
  await settle(page)
  // Each pen move uploaded only what it wrote (one stroke start and ~n moves per stroke), and the
  // texture holds exactly the bitmap's voxels.
  const gpu = await drawingOnGpu(page)
  // A move that stays in the voxel it was in writes nothing new, so the count follows the voxels
  // crossed, not the pixels moved: more than one stroke's worth of voxels (the axial tile's scale
  // changes with the viewer's layout, planeLayout.spec).
  const voxelsPerStroke = Math.round((n * tile.layout.dims[0]) / tile.width)
  expect(gpu.stats.partial, 'pen moves that uploaded only their box').toBeGreaterThan(voxelsPerStroke)
  expect(gpu.stats.full, 'whole-volume uploads since the case loaded').toBeLessThan(5)
  expect(gpu.differ, `voxels where the drawing texture and the bitmap differ (of ${gpu.voxels})`).toBe(0)
  await shot(page, 'review-02-three-strokes')
  await page.getByTestId('edit-undo').click()
  await expect(page.getByTestId('edit-steps')).toHaveText('2 edits')
  await expect(page.getByTestId('edit-redo')).toBeEnabled()
  await settle(page)
  await shot(page, 'review-03-after-undo')

  // The help popover lists the shortcuts.
  await page.getByTestId('editor-help-toggle').click()
  await expect(page.getByTestId('editor-help')).toContainText('Ctrl+Z')
  await shot(page, 'review-04-help')
  await page.getByTestId('editor-help-toggle').click()
  await expect(page.getByTestId('editor-help')).toHaveCount(0)

  await page.getByTestId('edit-save').click()
  const saved = page.getByTestId('edit-saved')
  await expect(saved).toBeVisible({ timeout: 60_000 })
  await saved.scrollIntoViewIfNeeded()
  await shot(page, 'review-05-saved')

  // What the strokes leave, from NiiVue's own mapping of each point.
  const expected = prediction.slice()
  for (const v of await voxelsAt(page, painted)) expected[nativeIndex(tile.layout, v)] = 2
  const erasedAt = (await voxelsAt(page, erased)).map((v) => nativeIndex(tile.layout, v))
  expect(erasedAt.filter((i) => expected[i] === 2).length, 'the eraser crosses the spleen stroke').toBeGreaterThan(3)
  expect(erasedAt.filter((i) => expected[i] === 0).length, 'the eraser also runs past it').toBeGreaterThan(0)
  for (const i of erasedAt) expected[i] = 0
  let changed = 0
  for (let i = 0; i < expected.length; i++) if (expected[i] !== prediction[i]) changed++
  expect(changed, 'the strokes change voxels').toBeGreaterThan(10)

  const out = join(predictions, 'corrected', 'abdomen_001.nii.gz')
  const got = (await readImage(out)).data as Uint8Array
  let differ = 0
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++
  expect(differ, 'voxels where the saved file and the strokes disagree').toBe(0)
  await expect(saved).toHaveAttribute('data-changed', String(changed))
  // The counts shown per label are the voxels each gained and lost.
  for (const [value, name] of [[1, 'liver'], [2, 'spleen']] as const) {
    let added = 0
    let removed = 0
    for (let i = 0; i < expected.length; i++) {
      if (expected[i] === value && prediction[i] !== value) added++
      if (prediction[i] === value && expected[i] !== value) removed++
    }
    if (added + removed > 0) await expect(page.getByTestId(`edit-count-${value}`)).toHaveText(`${name}: +${added.toLocaleString('en-US')} / −${removed.toLocaleString('en-US')}`)
    else await expect(page.getByTestId(`edit-count-${value}`)).toHaveCount(0)
  }
  // The prediction itself is untouched.
  const original = (await readImage(join(predictions, 'abdomen_001.nii.gz'))).data as Uint8Array
  expect(Buffer.compare(Buffer.from(original), Buffer.from(prediction))).toBe(0)
  expect((await readFile(out)).length).toBeGreaterThan(0)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
