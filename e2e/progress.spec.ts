// Progress that tells the truth, on Plan with the real nnU-Net v2 and a tiny dataset: the elapsed
// time ticks while nnU-Net prints nothing new, the bar says what nnU-Net is doing in its own terms
// (not "0 of 1 step"), and each tqdm bar is one line of the log, not one line per redraw.
// Also the Plan step around the run (moved here from trainPredict.spec, which now starts from the
// planned fixture): Train before planning says "Plan first" and cannot start; a finished plan
// shows its summary card.
// Needs the pinned nnU-Net venv (NNUNET_WIZARD_PYTHON or scripts/setup-python.sh); skipped with
// the reason without it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nnunetPython } from '../test/helpers/python'
import { writeTinyDatasetV2 } from '../test/nnunet/tinyDataset'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'
import { setUpEnvironment } from './support/nnunetSetup'

const DATASET_ID = 503
const py = nnunetPython('v2')

let root: string
let server: WizardServer | undefined

/** "12 s", "1 min 05 s", "1 h 02 min" -> seconds. */
function seconds(text: string | null): number {
  const t = text ?? ''
  const h = /(\d+) h/.exec(t)
  const m = /(\d+) min/.exec(t)
  const s = /(\d+) s/.exec(t)
  return Number(h?.[1] ?? 0) * 3600 + Number(m?.[1] ?? 0) * 60 + Number(s?.[1] ?? 0)
}

test.describe('progress of a Plan job', () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)

  test.beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wizard-progress-e2e-'))
    server = await startWizardServer({ env: { NNUNET_WIZARD_PYTHON: py.python! } })
  })

  test.afterAll(async () => {
    await server?.stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  test('elapsed time ticks, the phase is nnU-Net\'s, a tqdm bar is one log line', async ({ page }) => {
    test.setTimeout(600_000)
    await page.goto(server!.url)

    const raw = await setUpEnvironment(page, { base: join(root, 'nnunet'), cpu: 'select' })
    await writeTinyDatasetV2(raw, DATASET_ID, { train: 4, test: 0, scratch: join(root, 'scratch') })

    // ---- Train before Plan: "plan first", and nothing can be started
    await page.getByTestId('step-train').click()
    await page.getByTestId('train-dataset-id').fill(String(DATASET_ID))
    await expect(page.getByTestId('train-plan-first')).toContainText('Plan first')
    await expect(page.getByTestId('start-train')).toBeDisabled()

    await page.getByTestId('step-plan').click()
    await page.getByTestId('plan-dataset-id').fill(String(DATASET_ID))
    await page.getByTestId('plan-config-3d_fullres').uncheck()
    await page.getByTestId('plan-config-3d_lowres').uncheck()
    // One process (-np 1 -npfp 1), as the integration tests plan: nnU-Net's default of 8 workers,
    // each importing torch, took over 5 minutes on 2 shared cores for these few tiny cases.
    await page.getByTestId('plan-processes').fill('1')
    await page.getByTestId('start-plan').click()
    const job = page.getByTestId('job-plan')
    await expect(job).toHaveAttribute('data-state', 'running', { timeout: 60_000 })

    // The clock advances on its own, whatever nnU-Net prints.
    const elapsed = job.getByTestId('job-elapsed')
    await expect(elapsed).toBeVisible()
    const first = seconds(await elapsed.textContent())
    await expect.poll(async () => seconds(await elapsed.textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(first + 2)

    // The phases nnU-Net goes through, as they happen (polled, so a fast one may be missed).
    const seen = new Set<string>()
    const phase = job.getByTestId('progress-phase')
    await expect
      .poll(
        async () => {
          if ((await job.getAttribute('data-state')) !== 'running') return 'ended'
          const text = (await phase.textContent().catch(() => null)) ?? ''
          if (text) seen.add(text)
          return /Preprocessing 2d/.test(text) ? 'preprocessing' : 'waiting'
        },
        { timeout: 300_000, intervals: [250] },
      )
      .not.toBe('waiting')
    await shot(page, 'progress-01-plan-running')
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 300_000 })
    expect([...seen].some((t) => /^Starting nnU-Net|fingerprint|Planning the experiment|Preprocessing/.test(t))).toBe(true)
    expect([...seen].some((t) => /step/.test(t))).toBe(false)

    // Each tqdm bar is one line: one match for each bar's description in the whole log.
    await job.getByTestId('log-search').fill('Extracting dataset fingerprint')
    await expect(job.getByTestId('log-match-count')).toHaveText('1 match')
    await job.getByTestId('log-search').fill('Preprocessing cases')
    await expect(job.getByTestId('log-match-count')).toHaveText('1 match')
    // tqdm writes to stderr; none of it is drawn as an error.
    await job.getByTestId('log-search').fill('')
    await expect(job.locator('.log-error')).toHaveCount(0)
    await shot(page, 'progress-02-plan-done')

    // The plan summary card follows the finished plan (2d only).
    const summary = page.getByTestId('plan-summary')
    await expect(summary.getByTestId('plan-summary-2d')).toContainText('CTNormalization')
    await summary.scrollIntoViewIfNeeded()
    await shot(page, 'progress-03-plan-summary')
  })
})
