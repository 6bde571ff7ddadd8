// Training from the Train step with the real nnU-Net v2 on CPU: the Environment step pointed at a
// private copy of the cached planned fixture (test/results/trainedFixture.ts: Dataset611_Results,
// planned and preprocessed for 2d; planning from the Plan step is progress.spec's and
// labellingLoop.spec's), then a 2d run started; the log pane fills, the loss curve gains points
// epoch by epoch, folds queued behind it survive a reload of the page (the queue is the Node
// side's), and Cancel asks, then stops it.
// Needs the pinned nnU-Net venv (NNUNET_WIZARD_PYTHON or scripts/setup-python.sh); skipped with
// the reason without it, and an error instead when NNUNET_WIZARD_REQUIRE_PYTHON=1.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nnunetPython } from '../test/helpers/python'
import { FIXTURE_ID, plannedDataset, type PlannedFixture } from '../test/results/trainedFixture'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'
import { setUpEnvironment } from './support/nnunetSetup'

const DATASET_ID = FIXTURE_ID
const py = nnunetPython('v2')

let root: string
let fx: PlannedFixture
let server: WizardServer | undefined

test.describe('training from the Train step', () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)

  test.beforeAll(async () => {
    // Built by the "fixtures" setup project (or here, when this spec runs with --no-deps on a cold cache).
    test.setTimeout(3_600_000)
    root = await mkdtemp(join(tmpdir(), 'wizard-train-e2e-'))
    fx = await plannedDataset(join(root, 'fixture'), py.python!)
    server = await startWizardServer({ env: { NNUNET_WIZARD_PYTHON: py.python! } })
  })

  test.afterAll(async () => {
    await server?.stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  test('start a training, watch the log and the curve, cancel it', async ({ page }) => {
    test.setTimeout(600_000)
    await page.goto(server!.url)

    // ---- Environment: the venv's nnU-Net, CPU, one augmentation worker, the folders of the planned copy
    const raw = await setUpEnvironment(page, { base: join(fx.base, 'nnunet'), cpu: 'select', workers: 1 })
    expect(raw).toBe(fx.settings.folders!.raw)

    // ---- Train: many short epochs, so it is still running when we cancel
    await page.getByTestId('step-train').click()
    await page.getByTestId('train-dataset-id').fill(String(DATASET_ID))
    await page.getByTestId('train-config').selectOption('2d')
    await page.getByTestId('train-fold').selectOption('0')
    await page.getByTestId('train-epochs').fill('50')
    await page.getByTestId('train-iterations').fill('2')
    await page.getByTestId('start-train').click()
    const job = page.getByTestId('job-train')
    await expect(job).toHaveAttribute('data-state', 'running', { timeout: 60_000 })

    // log lines stream into the pane
    await expect.poll(async () => Number((await job.getByTestId('log-line-count').textContent())!.replace(/\D/g, '')), { timeout: 240_000 }).toBeGreaterThan(5)
    await expect(job.getByTestId('log-row').first()).toBeVisible()

    // the loss curve gains points as epochs finish
    // A run that fails stops the wait at once, with nnU-Net's own words.
    const points = async () => {
      if ((await job.getAttribute('data-state')) === 'failed') throw new Error(`training failed: ${await job.getByRole('alert').first().textContent()}`)
      return Number(await page.getByTestId('chart-loss').getAttribute('data-points'))
    }
    await expect.poll(points, { timeout: 300_000, intervals: [1000] }).toBeGreaterThan(0)
    const first = await points()
    await expect(page.getByTestId('epoch-text')).toContainText(/Epoch \d+ of 50/)
    await expect.poll(points, { timeout: 300_000, intervals: [1000] }).toBeGreaterThan(first)
    await page.getByTestId('chart-loss').scrollIntoViewIfNeeded()
    await shot(page, 'train-01-running')

    // the log can be searched
    await job.getByTestId('log-search').fill('epoch')
    await expect(job.getByTestId('log-match-count')).toHaveText(/^[\d,]+ match(es)?$/)

    // One writer per fold folder: queueing folds 0-4 of this very trainer is refused, naming the
    // queue entry that trains fold 0, and nothing is queued.
    await page.getByTestId('queue-folds').click()
    await expect(page.getByTestId('error-banner')).toContainText(/fold_0 is already going to be trained by the run queue entry "Train 2d fold 0 \(dataset 611\)"/)
    await expect(page.getByTestId('queued-train')).toHaveCount(0)
    // folds queued behind it live on the Node side: a reloaded page (a closed tab) still shows them.
    // Another length (40 epochs: another trainer, so other fold folders).
    await page.getByTestId('train-epochs').fill('40')
    await page.getByTestId('queue-folds').click()
    await expect(page.getByTestId('queued-train')).toHaveCount(5)
    await page.reload()
    await page.getByTestId('step-train').click()
    await expect(page.getByTestId('queued-train')).toHaveCount(5)
    await expect(page.getByTestId('queued-train').first()).toContainText('fold 0')
    await page.getByTestId('queue-clear').click()
    await expect(page.getByTestId('train-queue')).toHaveCount(0)
    await expect(job).toHaveAttribute('data-state', 'running')

    // cancel stops the run
    // Cancel asks once (an hour of CPU training must not go on a stray click): keep a checkpoint,
    // cancel without keeping, or go on. Going on leaves it running; cancelling without keeping ends it.
    await job.getByTestId('job-cancel').click()
    const ask = job.getByTestId('train-cancel-ask')
    await expect(ask).toBeVisible()
    await expect(ask.getByTestId('train-stop-keep')).toBeVisible()
    await shot(page, 'train-02-cancel-asks')
    await ask.getByTestId('train-cancel-back').click()
    await expect(ask).toHaveCount(0)
    await expect(job).toHaveAttribute('data-state', 'running')
    await job.getByTestId('job-cancel').click()
    await job.getByTestId('train-cancel-discard').click()
    await expect(job).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 })
    await expect(job.getByTestId('job-cancel')).toHaveCount(0)
    await shot(page, 'train-03-cancelled')
  })
})
