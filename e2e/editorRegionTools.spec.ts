// The label editor's region tools (issue 21 item 2) in browser mode against the real server, on the
// real ct_small CT: the "prediction" holds the spleen only (from the real TotalSegmentator mask), so
// the liver is what the tools fill.
// 1. Threshold fill: a seed clicked inside the liver (the screen point whose voxel, by NiiVue's own
//    mapping, lies deep in the liver mask at the liver's median intensity); a 2D fill is undone, a
//    3D fill saved. The saved label's new liver voxels all lie within the bounds, hold the seed, are
//    one face-connected region, and no voxel within the bounds that was free touches it unfilled.
// 2. Grow-cut (shared/growCut.ts): an object stroke inside the liver and a frame of background
//    strokes around it on the shown slice: the liver grows on that slice only, overlaps the real
//    liver mask there (Dice), no background seed is saved, and it is one undoable edit.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import type { Geometry } from '../shared/api'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../electron/imaging/niftiWriter'
import { TOTALSEG } from '../test/helpers/guideFolders'
import { readImage } from '../test/helpers/nifti'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'
import { axialTile, nativeIndex, voxelsAt } from './support/editorStrokes'

let root: string
let imagesTs: string
let predictions: string
let prediction: Uint8Array
let ct: Int16Array | Float32Array
let liver: ArrayLike<number>
let size: [number, number, number]
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'editor-tools-e2e-'))
  imagesTs = join(root, 'imagesTs')
  predictions = join(root, 'predictions')
  await mkdir(imagesTs)
  await mkdir(predictions)
  const scan = await readImage(join(TOTALSEG, 'ct_small', 'ct.nii.gz'))
  ct = scan.data as Int16Array
  size = scan.size as [number, number, number]
  liver = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImage(join(TOTALSEG, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  prediction = Uint8Array.from({ length: spleen.length }, (_, i) => (spleen[i] ? 2 : 0))
  const geometry: Geometry = { size: scan.size, spacing: scan.spacing, origin: scan.origin, direction: Array.from(scan.direction as Float64Array) }
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(imagesTs, 'abdomen_001_0000.nii.gz'))
  await writeNiftiGz(join(predictions, 'abdomen_001.nii.gz'), geometry, prediction, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))
  server = await startWizardServer()
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/** Face neighbours in the file's grid (connectivity is the same in NiiVue's: it only flips and permutes axes). */
function neighbours(i: number): number[] {
  const [nx, ny, nz] = size
  const x = i % nx
  const y = Math.floor(i / nx) % ny
  const z = Math.floor(i / (nx * ny))
  const out: number[] = []
  if (x > 0) out.push(i - 1)
  if (x < nx - 1) out.push(i + 1)
  if (y > 0) out.push(i - nx)
  if (y < ny - 1) out.push(i + nx)
  if (z > 0) out.push(i - nx * ny)
  if (z < nz - 1) out.push(i + nx * ny)
  return out
}

/** A liver voxel whose face neighbours are all liver. */
const deepInLiver = (i: number) => liver[i] && neighbours(i).every((j) => liver[j])

async function openEditor(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1300 })
  await page.goto(server!.url)
  await page.getByTestId('step-review').click()
  await page.getByTestId('review-folder').fill(predictions)
  await page.getByTestId('review-images').fill(imagesTs)
  await page.getByTestId('review-list').click()
  await expect(page.getByTestId('review-row-abdomen_001')).toBeVisible({ timeout: 60_000 })
  await page.getByTestId('review-open-abdomen_001').click()
  const viewer = page.getByTestId('editor-viewer')
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 60_000 })
  await page.getByTestId('opacity').fill('1')
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)
}

/** Screen points over the axial tile (every 3rd CSS pixel) with their file-order voxel index. */
async function tileVoxels(page: Page): Promise<{ tile: Awaited<ReturnType<typeof axialTile>>; points: { at: [number, number]; index: number }[] }> {
  const tile = await axialTile(page)
  const pts: [number, number][] = []
  for (let y = Math.ceil(tile.top) + 2; y < tile.top + tile.height - 2; y += 3) for (let x = Math.ceil(tile.left) + 2; x < tile.left + tile.width - 2; x += 3) pts.push([x, y])
  const vox = await voxelsAt(page, pts, { outside: 'null' })
  const points = pts.flatMap((at, k) => (vox[k] ? [{ at, index: nativeIndex(tile.layout, vox[k]) }] : []))
  return { tile, points }
}

async function clickCanvas(page: Page, [x, y]: [number, number]): Promise<void> {
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!
  await page.mouse.click(box.x + x, box.y + y)
}

test('threshold fill from a seed inside the liver: the saved region lies within the bounds and is connected', async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await openEditor(page)

  // The liver's median intensity, and a seed on the shown axial slice deep inside the liver at about that intensity.
  const values: number[] = []
  for (let i = 0; i < liver.length; i++) if (liver[i]) values.push(ct[i]!)
  values.sort((a, b) => a - b)
  const median = values[Math.floor(values.length / 2)]!
  const lo = median - 40
  const hi = median + 40
  const { points } = await tileVoxels(page)
  const candidates = points.filter((p) => deepInLiver(p.index) && Math.abs(ct[p.index]! - median) <= 10)
  expect(candidates.length, 'screen points deep in the liver at its median intensity on the shown slice').toBeGreaterThan(0)
  const seed = candidates[Math.floor(candidates.length / 2)]!

  await page.getByTestId('active-label').selectOption('1')
  await page.getByTestId('tool-threshold').click()
  await page.getByTestId('threshold-lo').fill(String(lo))
  await page.getByTestId('threshold-hi').fill(String(hi))
  // A 2D fill first, undone.
  await clickCanvas(page, seed.at)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  await expect(page.getByTestId('edit-tool-note')).toContainText('Threshold fill')
  await settle(page)
  await shot(page, 'editor-tools-01-threshold-2d')
  await page.getByTestId('edit-undo').click()
  await expect(page.getByTestId('edit-steps')).toHaveText('0 edits')
  // Then through the volume, saved.
  await page.getByTestId('threshold-3d').check()
  await clickCanvas(page, seed.at)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  await settle(page)
  await shot(page, 'editor-tools-02-threshold-3d')
  await page.getByTestId('editor-help-toggle').click()
  await expect(page.getByTestId('editor-help')).toContainText('threshold fill')
  await expect(page.getByTestId('editor-help')).toContainText('grow-cut')
  await page.getByTestId('editor-help-toggle').click()
  await page.getByTestId('edit-save').click()
  await expect(page.getByTestId('edit-saved')).toBeVisible({ timeout: 60_000 })

  const saved = (await readImage(join(predictions, 'corrected', 'abdomen_001.nii.gz'))).data as Uint8Array
  const filled = new Set<number>()
  let otherChanges = 0
  for (let i = 0; i < saved.length; i++) {
    if (saved[i] === 1) filled.add(i)
    else if (saved[i] !== prediction[i]) otherChanges++
  }
  expect(otherChanges, 'voxels changed to anything but the liver').toBe(0)
  expect(filled.size, 'voxels filled').toBeGreaterThan(200)
  expect(filled.has(seed.index), 'the seed is filled').toBe(true)
  const outside = [...filled].filter((i) => ct[i]! < lo || ct[i]! > hi)
  expect(outside.length, 'filled voxels outside the bounds').toBe(0)
  const reached = new Set([seed.index])
  const todo = [seed.index]
  while (todo.length) {
    for (const j of neighbours(todo.pop()!)) {
      if (!filled.has(j) || reached.has(j)) continue
      reached.add(j)
      todo.push(j)
    }
  }
  expect(reached.size, 'filled voxels connected to the seed').toBe(filled.size)
  let missed = 0
  for (const i of filled) for (const j of neighbours(i)) if (!filled.has(j) && prediction[j] === 0 && ct[j]! >= lo && ct[j]! <= hi) missed++
  expect(missed, 'free voxels within the bounds touching the region, left unfilled').toBe(0)
  await expect(page.getByTestId('edit-saved')).toHaveAttribute('data-changed', String(filled.size))
  await expect(page.getByTestId('edit-count-1')).toHaveText(`liver: +${filled.size.toLocaleString('en-US')} / −0`)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})

test("grow-cut from an object stroke in the liver and background strokes: the liver grows on the seeds' slice, close to the real liver", async ({ page }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  // Review opens a corrected copy found on disk: start again from the prediction (no liver).
  await rm(join(predictions, 'corrected'), { recursive: true, force: true })
  await openEditor(page)
  const { points } = await tileVoxels(page)
  // The liver's extent on the shown slice, in screen rows and columns.
  const inLiver = points.filter((p) => deepInLiver(p.index))
  expect(inLiver.length).toBeGreaterThan(20)
  const ys = [...new Set(inLiver.map((p) => p.at[1]))].sort((a, b) => a - b)
  const midY = ys[Math.floor(ys.length / 2)]!
  const row = inLiver.filter((p) => p.at[1] === midY).map((p) => p.at[0]).sort((a, b) => a - b)
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!
  const line = async (x0: number, y0: number, x1: number, y1: number) => {
    await page.mouse.move(box.x + x0, box.y + y0)
    await page.mouse.down()
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))
    for (let k = 1; k <= n; k++) await page.mouse.move(box.x + x0 + ((x1 - x0) * k) / n, box.y + y0 + ((y1 - y0) * k) / n)
    await page.mouse.up()
  }
  await page.getByTestId('active-label').selectOption('1')
  await page.getByTestId('tool-pen').click()
  const x0 = row[Math.floor(row.length / 3)]!
  const x1 = row[Math.floor((2 * row.length) / 3)]!
  await line(x0, midY, x1, midY)
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  // Background seeds: a frame around the liver's extent on the slice, a few pixels outside it.
  const xs = inLiver.map((p) => p.at[0])
  const [left, right, top, bottom] = [Math.min(...xs) - 12, Math.max(...xs) + 12, ys[0]! - 12, ys[ys.length - 1]! + 12]
  await page.getByTestId('tool-seedBg').click()
  await line(left, top, right, top)
  await line(right, top, right, bottom)
  await line(right, bottom, left, bottom)
  await line(left, bottom, left, top)
  await expect(page.getByTestId('edit-steps')).toHaveText('5 edits')
  await settle(page)
  await shot(page, 'editor-tools-03-seeds')
  const t0 = Date.now()
  await page.getByTestId('tool-growcut').click()
  await expect(page.getByTestId('edit-tool-note')).toContainText("Grow-cut on the seeds' slice:")
  // NiiVue's GPU grow-cut, used before, took about 70 s here under SwiftShader.
  console.log(`grow-cut on ${size.join('x')}: ${Date.now() - t0} ms from the click to its note`)
  await expect(page.getByTestId('edit-steps')).toHaveText('6 edits')
  await expect(page.getByTestId('legend-name-255'), 'background seeds have no legend row').toHaveCount(0)
  await settle(page)
  await shot(page, 'editor-tools-04-growcut')
  // One edit: undone and redone as a whole.
  await page.getByTestId('edit-undo').click()
  await expect(page.getByTestId('edit-steps')).toHaveText('5 edits')
  await page.getByTestId('edit-redo').click()
  await expect(page.getByTestId('edit-steps')).toHaveText('6 edits')
  await page.getByTestId('edit-save').click()
  await expect(page.getByTestId('edit-saved')).toBeVisible({ timeout: 60_000 })
  const saved = (await readImage(join(predictions, 'corrected', 'abdomen_001.nii.gz'))).data as Uint8Array
  // The seeds lie on one axial slice, so their box does: the grown liver stays on that slice.
  const plane = size[0] * size[1]
  const slice = Math.floor(inLiver[0]!.index / plane)
  let liverVoxels = 0
  let offSlice = 0
  let found = 0
  let liverOnSlice = 0
  const values = new Set<number>()
  for (let i = 0; i < saved.length; i++) {
    values.add(saved[i]!)
    if (Math.floor(i / plane) === slice && liver[i]) liverOnSlice++
    if (saved[i] === 1) {
      liverVoxels++
      if (Math.floor(i / plane) !== slice) offSlice++
      if (liver[i]) found++
    }
  }
  expect([...values].sort((a, b) => a - b), 'only background, liver and spleen are saved (no seed value)').toEqual([0, 1, 2])
  expect(offSlice, 'grown voxels off the seeds\' slice').toBe(0)
  expect(liverVoxels, 'the liver grew well past the stroke').toBeGreaterThan(row.length * 3)
  const dice = (2 * found) / (liverVoxels + liverOnSlice)
  console.log(`grow-cut: ${liverVoxels} voxels labelled liver, ${found} of the slice's ${liverOnSlice} liver-mask voxels, Dice ${dice.toFixed(3)}`)
  // Measured 0.598 (1380 voxels grown, 865 of the slice's 1512 liver-mask voxels; NiiVue's grow-cut found 645):
  // one short stroke against a frame that also encloses the kidney, vessels and stomach, whose edges
  // with the liver are weak against the box's air-to-bone intensity range.
  expect(dice, 'Dice of the grown liver with the real liver mask on the slice').toBeGreaterThan(0.55)
  await expect(page.getByTestId('edit-count-1')).toHaveText(`liver: +${liverVoxels.toLocaleString('en-US')} / −0`)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
