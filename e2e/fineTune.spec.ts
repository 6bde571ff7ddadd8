// Results' fine-tune form and Model versions card (issue 21), in browser mode on a private copy of
// the shared trained fixture (test/results/trainedFixture.ts: Dataset611, 2d folds 0 and 1 of
// nnUNetTrainer_Wizard_2ep_2it). Nothing is trained here: the form's validation, then what a click
// queues is read from the real run queue (a preprocess with the model's plans, one training per
// finished fold from that fold's checkpoint_final.pth under the trainer _ft2, the generated trainer
// with the epochs asked for), the preprocess is cancelled as soon as it starts (which holds the
// queue), the trainings are taken out unstarted, and the card lists v1 and v2.
// Needs the pinned nnU-Net venv; skipped with the reason without it.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { QueueEntry, RunQueueState } from '../shared/api'
import { FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from '../test/results/trainedFixture'
import { nnunetPython } from '../test/helpers/python'
import { apiCall } from './support/http'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { settle, shot } from './support/wizardHelpers'

const py = nnunetPython('v2')
const MODEL = `${FIXTURE_TRAINER}__nnUNetPlans__2d`
const FT = `${FIXTURE_TRAINER}_ft2`

let root: string
let fx: TrainedFixture
let data: string
let server: WizardServer | undefined

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  test.setTimeout(3_600_000)
  root = await mkdtemp(join(tmpdir(), 'finetune-e2e-'))
  fx = await trainedFixture(join(root, 'fixture'), py.python!)
  data = join(root, 'app-data')
  server = await startWizardServerOn(data, { folders: fx.settings.folders, pythonPath: py.python })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

async function queue(): Promise<RunQueueState> {
  const r = await apiCall(server!, 'runQueue')
  expect(r.status, r.text).toBe(200)
  return r.json<RunQueueState>()
}

test('fine-tune form: epochs validated, a round queued from the final checkpoints, v1 and v2 listed', async ({ page }) => {
  test.setTimeout(600_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(server!.url)
  await page.getByTestId('step-results').click()
  await expect(page.getByTestId('results-dataset')).toHaveValue(String(FIXTURE_ID), { timeout: 60_000 })

  // Before any round: no versions yet, only the form, offering the model with finished folds.
  const form = page.getByTestId('fine-tune-form')
  await expect(form).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('model-versions')).toHaveCount(0)
  await expect(page.getByTestId('fine-tune-model')).toHaveValue(MODEL)
  await expect(page.getByTestId('fine-tune-start')).toHaveValue('previous')
  const go = page.getByTestId('fine-tune-start-button')
  await expect(go).toHaveText('Fine-tune folds 0, 1')

  // Epochs: what is not a whole number from 1 is said and blocks the button (it was silently dropped).
  const epochs = page.getByTestId('fine-tune-epochs')
  for (const bad of ['0', '2.5', '-3', 'ten', '100001']) {
    await epochs.fill(bad)
    await expect(page.getByTestId('fine-tune-epochs-problem')).toContainText(`“${bad}” is not`)
    await expect(go).toBeDisabled()
  }
  await epochs.fill('0')
  await form.scrollIntoViewIfNeeded()
  await shot(page, 'finetune-01-epochs-refused')
  await epochs.fill('1')
  await expect(page.getByTestId('fine-tune-epochs-problem')).toHaveCount(0)
  await expect(go).toBeEnabled()
  expect((await queue()).waiting).toHaveLength(0)

  await go.click()
  await expect(page.getByTestId('fine-tune-queued')).toHaveText(`Version 2 (${FT}) is queued: preprocessing, then 2 trainings. Follow them in Train.`, { timeout: 60_000 })

  // The preprocess starts at once: cancelled (nothing is trained here), which holds the queue.
  let q = await queue()
  for (const id of q.running) {
    const jobId = q.started.find((e) => e.id === id)?.jobId
    if (jobId) expect((await apiCall(server!, 'cancelJob', { jobId })).status).toBe(200)
  }
  await expect.poll(async () => (await queue()).running, { timeout: 60_000 }).toEqual([])
  q = await queue()
  const pre = q.started.find((e) => e.kind === 'plan') as Extract<QueueEntry, { kind: 'plan' }> | undefined
  expect(pre?.request).toMatchObject({ datasetId: FIXTURE_ID, configurations: ['2d'], preprocessOnly: true, plansName: 'nnUNetPlans' })
  expect(q.started.filter((e) => e.kind === 'train'), 'no training started').toHaveLength(0)
  // The trainings waiting: folds 0 and 1 under the new trainer, each from its parent fold's final checkpoint.
  const trains = q.waiting.filter((e): e is Extract<QueueEntry, { kind: 'train' }> & { waitsFor: string } => e.kind === 'train')
  expect(trains.map((t) => t.request.fold)).toEqual([0, 1])
  for (const t of trains) {
    const ckpt = join(fx.settings.folders!.results, 'Dataset611_Results', MODEL, `fold_${t.request.fold}`, 'checkpoint_final.pth')
    expect(t.request).toMatchObject({ datasetId: FIXTURE_ID, configuration: '2d', trainer: FT, plans: 'nnUNetPlans', pretrainedWeights: ckpt })
    expect(existsSync(ckpt)).toBe(true)
  }
  // The generated trainer trains the 1 epoch asked for, and says what it was fine-tuned from.
  const meta = JSON.parse(await readFile(join(data, 'trainers', `${FT}.wizard.json`), 'utf8')) as { epochs: number; fineTune: { parent: string; version: number; start: string } }
  expect(meta).toEqual({ epochs: 1, fineTune: { parent: FIXTURE_TRAINER, version: 2, start: 'previous' } })
  for (const t of trains) expect((await apiCall(server!, 'removeQueued', { entryId: t.id })).status).toBe(200)
  expect((await queue()).waiting).toHaveLength(0)

  // The card lists both versions at once: v1 the first model (2 of 2 folds done), v2 from v1 (none yet).
  const rows = page.getByTestId('model-version-row')
  await expect(rows).toHaveCount(2, { timeout: 30_000 })
  await expect(rows.nth(0)).toHaveAttribute('data-version', '1')
  await expect(rows.nth(0)).toContainText('first model')
  await expect(rows.nth(0)).toContainText('2 / 2')
  await expect(rows.nth(1)).toHaveAttribute('data-version', '2')
  await expect(rows.nth(1)).toContainText(FT)
  await expect(rows.nth(1)).toContainText('from v1')
  await expect(rows.nth(1)).toContainText('0 / 2')
  // v1's Dice per label are figures (nnU-Net's summaries of its folds); v2 has none yet.
  await expect(rows.nth(0).locator('td').nth(6)).toHaveText(/^\d\.\d{4}/)
  await expect(rows.nth(1).locator('td').nth(6)).toHaveText(/^–/)
  // What was queued is still said in the card the form moved into.
  await expect(page.getByTestId('model-versions').getByTestId('fine-tune-queued')).toContainText(`Version 2 (${FT}) is queued`)
  await page.getByTestId('model-versions').scrollIntoViewIfNeeded()
  await settle(page)
  await shot(page, 'finetune-02-versions')
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})
