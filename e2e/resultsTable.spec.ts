// The Results cases table and error viewer as issue 18's walkthrough saw them, in browser mode:
// with source names beside the case ids the values ran one column right (Dice under "FP") and the
// last wrapped under the case name; a test row showed its folder ("imagesTs_predicted") as its
// model; the viewer's legend wrapped one word per line. No nnU-Net needed: the results tree is
// test/results/surfaceTree.ts (real ct_small masks, summary.json as nnU-Net writes it), the scan
// is the real ct_small CT, the manifest names each case's source as Write records it, and the
// older prediction folder carries the wizard's record of the model that predicted it.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeSurfaceTree, SURFACE_CT, SURFACE_DATASET, type SurfaceTree } from '../test/results/surfaceTree'
import { imagePathFor, labelPathFor } from '../shared/layout'
import { PREDICTION_ORIGIN_FILE } from '../electron/results/predictionOrigin'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let tree: SurfaceTree
let server: WizardServer | undefined
const SOURCES = { surf_001: 'patient_ab12_arterial_phase', surf_009: 'patient_zz09_followup' }

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'results-table-e2e-'))
  tree = await makeSurfaceTree(join(root, 'nnunet'))
  const raw = join(tree.settings.folders!.raw, SURFACE_DATASET)
  await mkdir(join(raw, 'imagesTs'), { recursive: true })
  await copyFile(join(SURFACE_CT, 'ct.nii.gz'), join(raw, imagePathFor('nnunet-v2', 'test', 'surf_009')))
  // The manifest Write keeps (source names left out of the paths, the case keys kept).
  const entry = (caseId: keyof typeof SOURCES, split: 'train' | 'test') => ({
    caseKey: SOURCES[caseId],
    caseId,
    split,
    image: imagePathFor('nnunet-v2', split, caseId),
    label: labelPathFor(caseId, split),
    imageBytes: 1,
    labelBytes: 1,
    sources: [],
    voxelCounts: {},
    overlapVoxels: 0,
    warnings: [],
  })
  const manifest = {
    format: 'nnunet-wizard-manifest',
    version: 1,
    tool: 'nnunet-wizard test',
    settings: { layout: 'nnunet-v2', id: 612, name: 'Surface', folderName: SURFACE_DATASET, prefix: 'surf', labels: [{ name: 'liver', value: 1 }, { name: 'spleen', value: 2 }], split: { seed: 0, testCount: 1 }, sourcePaths: false },
    cases: { surf_001: entry('surf_001', 'train'), surf_009: entry('surf_009', 'test') },
    failed: [],
  }
  await writeFile(join(raw, 'manifest.json'), JSON.stringify(manifest))
  // An older version's default folder inside the dataset, with the wizard's record of its model.
  const legacy = join(raw, 'imagesTs_predicted')
  await mkdir(legacy, { recursive: true })
  await copyFile(join(tree.testDir, 'surf_009.nii.gz'), join(legacy, 'surf_009.nii.gz'))
  await writeFile(join(legacy, 'summary.json'), (await readFile(join(tree.testDir, 'summary.json'), 'utf8')).replaceAll(tree.testDir, legacy))
  const origin = { model: { datasetId: 612, configuration: '3d_fullres', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', folds: [0], checkpoint: 'checkpoint_final.pth' }, input: join(raw, 'imagesTs'), probabilities: false, predictedAt: new Date(0).toISOString() }
  await writeFile(join(legacy, PREDICTION_ORIGIN_FILE), JSON.stringify(origin))
  const data = join(root, 'app-data')
  server = await startWizardServerOn(data, { folders: tree.settings.folders })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('Results: source names in their own column, every value under its header, test rows name their model, a legend that reads', async ({ page }) => {
  test.setTimeout(180_000)
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(server!.url)
  await page.getByTestId('step-results').click()
  const rows = page.getByTestId('case-row')
  await expect(rows).toHaveCount(3, { timeout: 60_000 })
  const table = page.getByTestId('case-table')
  await table.scrollIntoViewIfNeeded()

  // Each row: the source in its own cell, and every cell under its header, on the row's one line.
  const columns = ['case', 'source', 'fold', 'model', 'dice:liver', 'fp:liver', 'fn:liver', 'dice:spleen', 'fp:spleen', 'fn:spleen']
  // The source has a header of its own (beside the case id it had none, and pushed the values right).
  await expect(page.getByTestId('sort-source'), 'a "source" column header').toBeVisible({ timeout: 10_000 })
  const heads = await Promise.all(columns.map(async (k) => (await page.getByTestId(`sort-${k}`).boundingBox())!))
  for (const row of await rows.all()) {
    const id = (await row.getAttribute('data-case')) as keyof typeof SOURCES
    await expect(row.getByTestId('case-source')).toHaveText(SOURCES[id])
    const rowBox = (await row.boundingBox())!
    const cells = await row.locator(':scope > span:not(.case-table-group), :scope > .case-table-group > span').all()
    expect(cells, 'one cell per header').toHaveLength(columns.length)
    for (const [i, cell] of cells.entries()) {
      const box = (await cell.boundingBox())!
      const head = heads[i]!
      expect(Math.abs(box.x - head.x), `${columns[i]} of ${id}: cell at x=${box.x}, header at x=${head.x}`).toBeLessThan(2)
      expect(box.y + box.height, `${columns[i]} of ${id} stays on its row`).toBeLessThanOrEqual(rowBox.y + rowBox.height + 0.5)
    }
  }
  // Both test rows name the model that predicted them, not their folder.
  const testRows = page.locator('[data-testid="case-row"][data-fold="test"]')
  await expect(testRows).toHaveCount(2)
  for (const r of await testRows.all()) {
    await expect(r.getByTestId('case-model')).toHaveText('3d_fullres')
    await expect(r.getByTestId('case-model')).toHaveAttribute('title', /^nnUNetTrainer__nnUNetPlans__3d_fullres; predictions in /)
  }
  await shot(page, 'results-table-sources')

  // The error viewer of the test case: legend names on one or two lines, never a word per line.
  await testRows.first().click()
  const viewer = page.getByTestId('case-error-viewer')
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await expect(page.getByTestId('case-viewer')).toContainText('3d_fullres')
  const legend = page.getByTestId('legend')
  await expect(legend).toContainText('spleen false negative')
  await legend.scrollIntoViewIfNeeded()
  const lineHeight = await legend.locator('[data-testid^="legend-name-"]').first().evaluate((e) => parseFloat(getComputedStyle(e).lineHeight) || 18)
  for (const name of await legend.locator('[data-testid^="legend-name-"]').all()) {
    const box = (await name.boundingBox())!
    expect(box.height, `"${await name.textContent()}" wraps onto ${Math.round(box.height / lineHeight)} lines`).toBeLessThanOrEqual(2 * lineHeight + 2)
  }
  await shot(page, 'results-table-viewer-legend')
})
