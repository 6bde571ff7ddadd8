// The Results step against real nnU-Net output, in browser mode: a tiny model trained on the CPU
// (folds 0 and 1, 2 epochs, test cases predicted: a private copy of the cached trained fixture,
// test/results/trainedFixture.ts, which npm test builds once for vitest and Playwright and a spec
// run alone builds when missing) and the server's settings pointing at its nnU-Net
// folders. The fold tables and plots are shown, the test predictions are scored through the UI
// (nnUNetv2_evaluate_folder), sorting works, the worst case opens in the viewer with false
// positives / negatives drawn in their colours (canvas sampled), and the exported HTML opens in
// Chromium with the network cut and shows its plots.
// Needs the pinned nnU-Net venv; skipped with the reason without it (an error when
// NNUNET_WIZARD_REQUIRE_PYTHON=1, through nnunetPython).
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE_ID, trainedFixture, type TrainedFixture } from '../test/results/trainedFixture'
import { nnunetPython } from '../test/helpers/python'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { colourStats, settle, shot } from './support/wizardHelpers'
import { errorColours } from '../shared/errorColours'
import { defaultLabelColor } from '../shared/labelColors'

const py = nnunetPython('v2')
// Each label's false positives and false negatives in colours of their own, apart from the
// label colours (liver and spleen keep the default palette's red and green here).
const ERRORS = errorColours([defaultLabelColor(1), defaultLabelColor(2)])
const ERROR_COLOURS = { liverFp: ERRORS[0]!.fp, liverFn: ERRORS[0]!.fn, spleenFp: ERRORS[1]!.fp, spleenFn: ERRORS[1]!.fn }

let root: string
let fx: TrainedFixture
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  test.setTimeout(3_600_000)
  root = await mkdtemp(join(tmpdir(), 'results-e2e-'))
  fx = await trainedFixture(join(root, 'fixture'), py.python!)
  // A fresh evaluation each run: the spec scores the test predictions through the UI.
  await rm(join(fx.predictions, 'summary.json'), { force: true })
  const data = join(root, 'app-data')
  server = await startWizardServerOn(data, { folders: fx.settings.folders, pythonPath: py.python })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('Results: fold tables, plots, scored test set, sorting, the worst case in the viewer, the offline report', async ({ page, browser }) => {
  test.setTimeout(900_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(server!.url)
  await page.getByTestId('step-results').click()
  await expect(page.getByTestId('results-dataset')).toHaveValue(String(FIXTURE_ID), { timeout: 60_000 })
  await page.getByTestId('results-test-folder').fill(fx.predictions)

  // Cross-validation: folds 0 and 1 finished after 2 of 2 epochs, the other three not trained.
  const folds = page.getByTestId('fold-table').getByTestId('fold-row')
  await expect(folds).toHaveCount(5)
  await expect(folds.nth(0)).toHaveAttribute('data-state', 'finished')
  await expect(folds.nth(1)).toHaveAttribute('data-state', 'finished')
  await expect(folds.nth(0)).toContainText('2/2')
  await expect(folds.nth(2)).toHaveAttribute('data-state', 'missing')
  // Plots: a dot per validation case and the curves of both folds.
  await expect(page.getByTestId('plot-dice').locator('circle.case-dot')).toHaveCount(4)
  await expect(page.getByTestId('plot-curves').locator('path.curve')).not.toHaveCount(0)

  // The test predictions, scored with nnU-Net's evaluator from the UI, then shown marked "test".
  await page.getByTestId('results-evaluate').click()
  await expect(page.getByTestId('results-test')).toContainText('cases', { timeout: 300_000 })
  await expect(page.getByTestId('results-test').locator('td')).not.toHaveCount(0)
  const rows = page.getByTestId('case-row')
  await expect(rows).toHaveCount(4, { timeout: 60_000 })
  await expect(page.locator('[data-testid="case-row"][data-fold="test"]')).toHaveCount(2)
  await expect(page.getByTestId('plot-dice').locator('circle.case-dot')).toHaveCount(8)
  await shot(page, 'results-01-tables')

  // Sorting: by liver Dice ascending, then descending; worst first again.
  const liver = async () => Promise.all((await rows.all()).map(async (r) => Number(await r.getByTestId('dice-liver').textContent())))
  await page.getByTestId('sort-dice:liver').click()
  const up = await liver()
  expect(up).toEqual([...up].sort((a, b) => a - b))
  await page.getByTestId('sort-dice:liver').click()
  const down = await liver()
  expect(down).toEqual([...up].sort((a, b) => b - a))
  await page.getByTestId('sort-worst').click()
  const worst = async () =>
    Promise.all(
      (await rows.all()).map(async (r) => {
        const values = await Promise.all(['liver', 'spleen'].map(async (l) => Number(await r.getByTestId(`dice-${l}`).textContent())))
        return Math.min(...values.filter((v) => !Number.isNaN(v)))
      }),
    )
  const w = await worst()
  expect(w).toEqual([...w].sort((a, b) => a - b))
  // Filter by fold: only the test cases.
  await page.getByTestId('filter-fold').selectOption('test')
  await expect(rows).toHaveCount(2)
  await page.getByTestId('filter-fold').selectOption('')
  await expect(rows).toHaveCount(4)

  // The worst case in the viewer: false positives / negatives in their own colours.
  const first = rows.first()
  const worstCase = await first.getAttribute('data-case')
  await first.click()
  const viewer = page.getByTestId('case-error-viewer')
  await expect(viewer).toHaveAttribute('data-case', worstCase!, { timeout: 120_000 })
  await expect(viewer).toHaveAttribute('data-loading', 'false', { timeout: 120_000 })
  await expect(page.getByTestId('legend')).toContainText('false positive')
  await page.getByTestId('opacity').fill('1')
  await settle(page)
  const colours = await colourStats(page, page.getByTestId('case-viewer').getByTestId('viewer-canvas'), ERROR_COLOURS, 30)
  await shot(page, 'results-02-worst-case')
  expect(Object.values(colours.counts).reduce((a, b) => a + (b ?? 0), 0), 'error colours drawn on the canvas').toBeGreaterThan(50)
  // Errors are named per label in the legend (each label's own pair of colours).
  await expect(page.getByTestId('legend')).toContainText(/(liver|spleen) false (positive|negative)/)
  // The viewer opens inside the largest error region: the value under the crosshair is it.
  await expect(page.getByTestId('cursor-label')).toContainText(/largest false (positive|negative) region/)

  // The report: written to a folder, then opened in Chromium with the network cut.
  const reportDir = join(root, 'report')
  await page.getByTestId('report-dir').fill(reportDir)
  await page.getByTestId('write-report').click()
  await expect(page.getByTestId('report-files')).toContainText('results.html')
  const html = join(reportDir, 'Dataset611_Results-results.html')
  expect(existsSync(html)).toBe(true)
  expect(existsSync(join(reportDir, 'Dataset611_Results-results.csv'))).toBe(true)
  const offline = await browser.newContext({ offline: true })
  const requests: string[] = []
  offline.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url())
  })
  const report = await offline.newPage()
  await report.goto(`file://${html}`)
  await expect(report.locator('svg.dice-strip').first()).toBeVisible()
  await expect(report.locator('svg.training-curves')).toBeVisible()
  expect(await report.locator('svg.dice-strip circle').count()).toBeGreaterThanOrEqual(4)
  await report.screenshot({ path: join(root, 'report.png'), fullPage: true })
  await report.emulateMedia({ media: 'print' })
  await expect(report.locator('svg.training-curves')).toBeVisible()
  expect(requests, 'the report asks for nothing over the network').toEqual([])
  await offline.close()

  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
