// Preview -> "Correct its written label" (issue 21: the label editor opens a training case's label
// from Check / Preview / Results), in browser mode on a private copy of the shared planned fixture
// (test/results/trainedFixture.ts: the guide's ct_small folders written by the app as Dataset611,
// liver = 1, spleen = 2). Nothing is planned or trained here. The open project is those sources with
// that Output; Preview shows a source case, the button opens what Write made of it (found through
// the manifest's case keys) in the editor, a liver stroke is saved: labelsTr changes in exactly the
// voxels the editor counts, the manifest records the correction, the sources are untouched.
// Needs the pinned nnU-Net venv (the fixture is built with it); skipped with the reason without it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Niivue } from '@niivue/niivue'
import { readManifest } from '../electron/dataset/manifest'
import { plannedDataset, type PlannedFixture } from '../test/results/trainedFixture'
import { nnunetPython } from '../test/helpers/python'
import { hashTree, readImage } from '../test/helpers/nifti'
import { apiCall } from './support/http'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'

const py = nnunetPython('v2')

let root: string
let fx: PlannedFixture
let guide: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  test.setTimeout(3_600_000)
  root = await mkdtemp(join(tmpdir(), 'preview-correct-e2e-'))
  fx = await plannedDataset(join(root, 'fixture'), py.python!)
  guide = join(fx.base, 'guide data')
  server = await startWizardServer()
  // The project that wrote the dataset: its sources and Output, opened as the app reopens a project.
  const project = {
    format: 'nnunet-wizard-project',
    version: 1,
    sources: { imagesDir: join(guide, 'image'), labels: [{ name: 'liver', dir: join(guide, 'organ') }, { name: 'spleen', dir: join(guide, 'tumor') }] },
    output: { layout: 'nnunet-v2', outDir: fx.settings.folders!.raw, id: fx.datasetId, name: 'Results', prefix: 'liver' },
    step: 'preview',
  }
  const r = await apiCall(server, 'autosaveProject', { project })
  expect(r.status, r.text).toBe(200)
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

interface Cases {
  cases: Record<string, { caseId: string; caseKey?: string; split: string; label: string | null; corrections?: unknown[] }>
}

test('Preview opens a written training case in the label editor; the correction replaces its labelsTr file and is recorded', async ({ page }) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 1300 })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const sourcesBefore = await hashTree(guide)
  const before = ((await readManifest(fx.datasetDir)) as { manifest: Cases }).manifest
  const train = Object.values(before.cases).find((c) => c.split === 'train' && c.caseKey)!
  expect(train, 'a training case with its source key').toBeTruthy()
  const labelFile = join(fx.datasetDir, train.label!)
  const labelBefore = (await readImage(labelFile)).data as Uint8Array

  await page.goto(server!.url)
  await page.getByTestId('step-preview').click()
  await page.getByTestId('preview-case').selectOption(train.caseKey!)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await page.getByTestId('preview-correct').click()

  const editor = page.getByTestId('training-case-editor')
  await expect(editor).toHaveAttribute('data-case', train.caseId, { timeout: 60_000 })
  await expect(editor).toContainText(`Correct the label of ${train.caseId}`)
  const viewer = page.getByTestId('editor-viewer')
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await page.getByTestId('viewer-canvas').evaluate((el) => el.scrollIntoView({ block: 'center' }))
  await settle(page)

  // A liver stroke across the axial tile.
  await page.getByTestId('active-label').selectOption('1')
  await page.getByTestId('tool-pen').click()
  const tile = await page.evaluate(() => {
    const nv = (document.querySelector('[data-testid="label-editor"]') as HTMLElement & { niivue?: Niivue }).niivue!
    const dpr = nv.uiData.dpr ?? window.devicePixelRatio
    const [l, t, w, h] = nv.screenSlices.find((sl) => sl.axCorSag === 0)!.leftTopWidthHeight
    return { left: l! / dpr, top: t! / dpr, width: w! / dpr, height: h! / dpr }
  })
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!
  const x0 = box.x + tile.left + tile.width * 0.2
  const y = box.y + tile.top + tile.height * 0.55
  await page.mouse.move(x0, y)
  await page.mouse.down()
  for (let k = 1; k <= Math.round(tile.width * 0.6); k++) await page.mouse.move(x0 + k, y)
  await page.mouse.up()
  await expect(page.getByTestId('edit-steps')).toHaveText('1 edit')
  await page.getByTestId('edit-save').click()
  const saved = page.getByTestId('edit-saved')
  await expect(saved).toBeVisible({ timeout: 60_000 })
  await expect(saved).toContainText(labelFile)
  const changed = Number(await saved.getAttribute('data-changed'))
  expect(changed, 'voxels the stroke changed').toBeGreaterThan(10)
  await saved.scrollIntoViewIfNeeded()
  await shot(page, 'preview-correct-01-saved')

  // labelsTr differs from before in exactly the voxels the editor counted, all now liver.
  const labelAfter = (await readImage(labelFile)).data as Uint8Array
  let differ = 0
  let toLiver = 0
  for (let i = 0; i < labelAfter.length; i++) {
    if (labelAfter[i] === labelBefore[i]) continue
    differ++
    if (labelAfter[i] === 1) toLiver++
  }
  expect(differ).toBe(changed)
  expect(toLiver).toBe(changed)
  const after = ((await readManifest(fx.datasetDir)) as { manifest: Cases }).manifest
  expect(after.cases[train.caseId]!.corrections).toHaveLength(1)
  expect(after.cases[train.caseId]!.corrections![0]).toMatchObject({ changed, perLabel: [{ value: 1, name: 'liver', added: changed, removed: 0 }] })
  expect(await hashTree(guide), 'the source folders are untouched').toEqual(sourcesBefore)

  // Closing the editor returns to the preview of the same case.
  await page.getByTestId('training-case-editor-close').click()
  await expect(page.getByTestId('preview-case')).toHaveValue(train.caseKey!)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})

test('Check: a case’s Correct opens its written label in the editor, below the report', async ({ page }) => {
  test.setTimeout(600_000)
  await page.setViewportSize({ width: 1280, height: 1300 })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const m = ((await readManifest(fx.datasetDir)) as { manifest: Cases }).manifest
  const train = Object.values(m.cases).filter((c) => c.split === 'train' && c.caseKey)[1]!
  const testCase = Object.values(m.cases).find((c) => c.split === 'test' && c.caseKey)!
  await page.goto(server!.url)
  await page.getByTestId('step-check').click()
  await page.getByTestId('run-check').click()
  await expect(page.locator(`[data-testid="check-row"][data-case="${train.caseKey}"]`)).toBeVisible({ timeout: 300_000 })
  await page.getByTestId(`check-correct-${train.caseKey}`).click()
  const editor = page.getByTestId('training-case-editor')
  await expect(editor).toHaveAttribute('data-case', train.caseId, { timeout: 60_000 })
  await expect(page.getByTestId('editor-viewer')).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await editor.scrollIntoViewIfNeeded()
  await settle(page)
  await shot(page, 'check-correct-01-editor')
  // A test case has no labelsTr file to correct: said by name.
  await page.getByTestId(`check-correct-${testCase.caseKey}`).click()
  await expect(editor).toContainText(`The case ${testCase.caseKey} is the test case ${testCase.caseId}`, { timeout: 60_000 })
  await page.getByTestId('training-case-editor-close').click()
  await expect(editor).toHaveCount(0)
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
