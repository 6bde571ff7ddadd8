// Your own trainer in the Train step, with the real nnU-Net v2 on CPU: own loss code with a
// syntax error is refused, its line marked in the code; the fixed code is checked by nnU-Net
// (compile, find, construct on the plans, one iteration); "Train with" puts it in the form and a
// 2-epoch training with it finishes. The dataset is a private copy of the cached planned fixture
// (test/results/trainedFixture.ts: Dataset611_Results, planned for 2d), so nothing is planned here.
// Needs the pinned nnU-Net venv; skipped with the reason without it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator } from '@playwright/test'
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

async function ended(job: Locator, timeout: number): Promise<string> {
  await expect.poll(async () => job.getAttribute('data-state'), { timeout, intervals: [1000] }).toMatch(/done|failed|cancelled/)
  return (await job.getAttribute('data-state'))!
}

test.describe('Own trainer and loss', () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)

  test.beforeAll(async () => {
    // Built by the "fixtures" setup project (or here, when this spec runs with --no-deps on a cold cache).
    test.setTimeout(3_600_000)
    root = await mkdtemp(join(tmpdir(), 'wizard-trainer-e2e-'))
    fx = await plannedDataset(join(root, 'fixture'), py.python!)
    server = await startWizardServer({ env: { NNUNET_WIZARD_PYTHON: py.python! } })
  })

  test.afterAll(async () => {
    await server?.stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  test('create a trainer with own loss code, see it refused then checked, train with it', async ({ page }) => {
    test.setTimeout(1_500_000)
    await page.goto(server!.url)
    const raw = await setUpEnvironment(page, { base: join(fx.base, 'nnunet'), cpu: 'expect', workers: 1 })
    expect(raw).toBe(fx.settings.folders!.raw)

    // ---- Train step: the own-trainer card, with the losses the installed nnunetv2 ships
    await page.getByTestId('step-train').click()
    await page.getByTestId('train-dataset-id').fill(String(DATASET_ID))
    await expect(page.getByTestId('train-config')).toHaveValue('2d')
    const card = page.getByTestId('own-trainer')
    await card.locator('summary').click()
    const loss = card.getByTestId('own-trainer-loss')
    await expect(loss.locator('option[value="nnUNetTrainerTopk10Loss"]')).toHaveText('Top-K 10% (nnUNetTrainerTopk10Loss)')
    await expect(card.getByTestId('own-trainer-where')).toContainText('nnUNet_extTrainer')
    await card.getByTestId('own-trainer-name').fill('MyCETrainer')
    // A real trainer's defaults: the base's own epochs and iterations (empty, placeholders 1000 and 250), not 2 x 2.
    await expect(card.getByTestId('own-trainer-epochs')).toHaveValue('')
    await expect(card.getByTestId('own-trainer-epochs')).toHaveAttribute('placeholder', '1000')
    await expect(card.getByTestId('own-trainer-iterations')).toHaveValue('')
    await card.getByTestId('own-trainer-epochs').fill('2')
    await card.getByTestId('own-trainer-iterations').fill('2')
    await loss.selectOption('__own__')

    // ---- Own loss code with a syntax error on line 5: refused, the line named and marked
    const code = card.getByTestId('own-trainer-code')
    const template = await code.inputValue()
    expect(template).toContain('def build_loss(trainer):')
    await code.fill(template.replace('def build_loss(trainer):', 'def build_loss(trainer)'))
    await card.getByTestId('own-trainer-create').click()
    const job = card.getByTestId('job-trainer')
    expect(await ended(job, 300_000)).toBe('failed')
    await expect(job.getByRole('alert')).toContainText(/Python compiles it" at line 5 of your code .*SyntaxError/)
    // The refusal is said once: its file and what to do are in the error, not repeated below it.
    await expect(job.getByRole('alert')).toContainText('What to do: Fix your Python and create the trainer again.')
    await expect(job.getByTestId('job-guidance')).toHaveCount(0)
    await expect(card.getByTestId('own-trainer-code-lines').locator('.code-line-error')).toHaveAttribute('data-line', '5')
    await card.getByTestId('own-trainer-code-lines').scrollIntoViewIfNeeded()
    await shot(page, 'trainer-01-syntax-error-line')

    // ---- Fixed: nnU-Net finds it, constructs it on the plans and trains one iteration
    await code.fill(template)
    await card.getByTestId('own-trainer-create').click()
    await expect(job).toHaveAttribute('data-state', /queued|running/)
    expect(await ended(job, 600_000)).toBe('done')
    const checks = card.getByTestId('own-trainer-checks')
    await expect(checks.locator('li')).toHaveText([/Python compiles it/, /nnU-Net finds it by name/, /constructs it on the current plans/, /one training iteration runs \(loss \d+\.\d+, batch of \d, DeepSupervisionWrapper\)/])
    await checks.scrollIntoViewIfNeeded()
    await shot(page, 'trainer-02-checked')

    // ---- Train with it: the form takes the trainer (its own epochs), a 2-epoch training finishes
    await card.getByTestId('own-trainer-use').click()
    await expect(page.getByTestId('train-trainer')).toHaveValue('MyCETrainer')
    await expect(page.getByTestId('train-epochs')).toHaveValue('')
    await page.getByTestId('start-train').click()
    const train = page.getByTestId('job-train')
    await expect(train).toContainText('fold 0')
    const state = await ended(train, 900_000)
    if (state !== 'done') throw new Error(`training ${state}: ${await train.getByRole('alert').first().textContent()}`)
    await expect(train.getByTestId('job-state')).toHaveText('Finished')
    await expect(page.getByTestId('train-results').getByTestId('train-result-row')).toHaveCount(2)
    await page.getByTestId('train-results').scrollIntoViewIfNeeded()
    await shot(page, 'trainer-03-trained')
  })
})
