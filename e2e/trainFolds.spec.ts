// Train and Results after Plan (issue 18), without running nnU-Net: a planned dataset made of real
// nnU-Net plans (test/fixtures/nnunet/v2-plans-2d.json, what nnunetv2 2.8.1 wrote for the shared
// fixture), 4 training cases and the 4-fold splits_final.json the Plan step writes for them, fold 0
// of a 2d model finished.
// 1. Folds follow the splits file: Train offers folds 0-3 and "Queue folds 0–3", no "folds 0–4 fail";
//    Results lists folds 0-3 (no fold 4 "not trained").
// 2. A CPU start with nnU-Net's defaults (1000 x 250) is asked about once, with fewer iterations offered;
//    "Not now" starts nothing.
// 3. The dataset rewritten since its plan (labels in another order): the Plan step says "Plan again"
//    and why, Train says it next to Start, and the service's refusal of a start appears there too.
// 4. A training stopped with "Stop and keep a checkpoint" at iteration 2 of epoch 0 (restored from
//    the app's job history as the app saved it, its fold with checkpoint_latest.pth and the log line
//    the wizard's trainer writes): "Stopped, checkpoint kept", not "Finished" and no Predict; Results
//    lists that model among the stopped ones and its fold as stopped, not training, though its log is fresh.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, repoRoot, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

const ID = 43
const DS = 'Dataset043_Folds'
const CASES = ['folds_001', 'folds_002', 'folds_003', 'folds_004']
const datasetJson = (labels: Record<string, number>) =>
  `${JSON.stringify({ channel_names: { '0': 'CT' }, labels, numTraining: CASES.length, file_ending: '.nii.gz', name: 'Folds' }, null, 2)}\n`

let root: string
let folders: { raw: string; preprocessed: string; results: string }
let server: WizardServer | undefined

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'train-folds-e2e-'))
  folders = { raw: join(root, 'nnUNet_raw'), preprocessed: join(root, 'nnUNet_preprocessed'), results: join(root, 'nnUNet_results') }
  const raw = join(folders.raw, DS)
  const pre = join(folders.preprocessed, DS)
  for (const d of ['imagesTr', 'labelsTr']) await mkdir(join(raw, d), { recursive: true })
  for (const c of CASES) {
    await writeFile(join(raw, 'imagesTr', `${c}_0000.nii.gz`), '')
    await writeFile(join(raw, 'labelsTr', `${c}.nii.gz`), '')
  }
  const json = datasetJson({ background: 0, liver: 1, spleen: 2 })
  await writeFile(join(raw, 'dataset.json'), json)
  // Planned: nnU-Net's plans, its copy of dataset.json, the 2d data folder, and 4 folds of one validation case each.
  await mkdir(join(pre, 'nnUNetPlans_2d'), { recursive: true })
  await copyFile(join(repoRoot, 'test', 'fixtures', 'nnunet', 'v2-plans-2d.json'), join(pre, 'nnUNetPlans.json'))
  await writeFile(join(pre, 'dataset.json'), json)
  await writeFile(join(pre, 'splits_final.json'), JSON.stringify(CASES.map((v) => ({ train: CASES.filter((c) => c !== v), val: [v] }))))
  const fold0 = join(folders.results, DS, 'nnUNetTrainer__nnUNetPlans__2d', 'fold_0')
  await mkdir(fold0, { recursive: true })
  await writeFile(join(fold0, 'checkpoint_final.pth'), 'x')
  // Finished means validated too (electron/nnunet/trainerOutputs.ts foldCompletion).
  await mkdir(join(fold0, 'validation'), { recursive: true })
  await writeFile(join(fold0, 'validation', 'summary.json'), '{}')
  const data = join(root, 'app-data')
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false }))
  server = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test.describe.configure({ mode: 'serial' })

test('Train and Results follow a 4-fold splits_final.json', async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('step-train').click()
  await page.getByTestId('train-dataset-id').fill(String(ID))
  await expect(page.getByTestId('train-config')).toHaveValue('2d', { timeout: 60_000 })
  await expect(page.getByTestId('queue-folds')).toHaveText('Queue folds 0–3')
  const options = await page.getByTestId('train-fold').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
  expect(options).toEqual(['0', '1', '2', '3', 'all'])
  await expect(page.getByTestId('train-few-cases')).toHaveCount(0)
  await shot(page, 'train-folds-01-four-folds')

  await page.getByTestId('step-results').click()
  await page.getByTestId('results-dataset').selectOption(String(ID))
  const table = page.getByTestId('fold-table')
  await expect(table).toBeVisible({ timeout: 60_000 })
  await expect(table.getByTestId('fold-row')).toHaveCount(4)
  await expect(table.locator('[data-testid="fold-row"][data-fold="4"]')).toHaveCount(0)
  await expect(table.locator('[data-testid="fold-row"][data-fold="0"]')).toHaveAttribute('data-state', 'finished')
  await table.scrollIntoViewIfNeeded()
  await shot(page, 'train-folds-02-results-four-folds')
})

test("a CPU start with nnU-Net's defaults is asked about once, with fewer iterations offered", async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('step-train').click()
  await page.getByTestId('train-dataset-id').fill(String(ID))
  await expect(page.getByTestId('train-config')).toHaveValue('2d', { timeout: 60_000 })
  await page.getByTestId('train-epochs').fill('')
  await page.getByTestId('train-iterations').fill('')
  await page.getByTestId('start-train').click()
  const ask = page.getByTestId('train-long-ask')
  await expect(ask).toBeVisible()
  await expect(ask).toContainText('1000 epochs of 250 iterations')
  await expect(page.getByTestId('train-long-short')).toHaveText('Start 10 epochs of 10 iterations')
  await ask.scrollIntoViewIfNeeded()
  await shot(page, 'train-folds-03-long-start-asked')
  await page.getByTestId('train-long-back').click()
  await expect(ask).toBeHidden()
  await expect(page.getByTestId('job-train')).toHaveCount(0)
})

test('a dataset rewritten since its plan: Plan loses its tick and says why; Train says it at Start', async ({ page }) => {
  // prepare --overwrite with the labels in another order: the plan's copy of dataset.json no longer matches.
  await writeFile(join(folders.raw, DS, 'dataset.json'), datasetJson({ background: 0, spleen: 1, liver: 2 }))
  await page.goto(server!.url)
  await page.getByTestId('step-plan').click()
  await page.getByTestId('plan-dataset-id').fill(String(ID))
  const planStale = page.getByTestId('plan-stale')
  await expect(planStale).toBeVisible({ timeout: 60_000 })
  await expect(planStale).toContainText('Plan again: the dataset changed since it was planned')
  await shot(page, 'train-folds-04-plan-stale')

  await page.getByTestId('step-train').click()
  // The side list: Plan has no tick but a mark that says why.
  await expect(page.getByTestId('step-plan')).toHaveAttribute('data-mark', 'attention')
  await expect(page.getByTestId('step-plan')).toHaveAttribute('title', /the dataset changed since it was planned.*run this step again/i)
  await page.getByTestId('train-dataset-id').fill(String(ID))
  await page.getByTestId('train-device').selectOption('cuda')
  const stale = page.getByTestId('train-plan-stale')
  await expect(stale).toBeVisible({ timeout: 60_000 })
  await page.getByTestId('start-train').click()
  const refusal = page.locator('.banner-error, [role="alert"]').filter({ hasText: 'plan again' }).first()
  await expect(refusal).toBeVisible({ timeout: 30_000 })
  // Next to the button: within the viewport with it, without scrolling.
  const start = (await page.getByTestId('start-train').boundingBox())!
  const box = (await refusal.boundingBox())!
  expect(box.y - (start.y + start.height)).toBeLessThan(300)
  expect(box.y + box.height).toBeLessThan(page.viewportSize()!.height)
  await shot(page, 'train-folds-05-refused-at-start')
})

test('a training stopped and kept inside epoch 0 reads as stopped with a checkpoint, not finished', async ({ page }) => {
  const model = 'nnUNetTrainer_Wizard_2ep_10it__nnUNetPlans__2d'
  const fold0 = join(folders.results, DS, model, 'fold_0')
  await mkdir(fold0, { recursive: true })
  await writeFile(join(fold0, 'checkpoint_latest.pth'), 'x')
  const t = '2026-12-07 08:00:0'
  await writeFile(
    join(fold0, 'training_log_2026_12_7_08_00_00.txt'),
    `${t}0.000000: Epoch 0 \n${t}0.100000: Current learning rate: 0.01 \n${t}5.000000: nnU-Net Wizard: stopped and kept at iteration 2 of 10 of epoch 0: checkpoint_latest.pth saved (epoch 0 not finished); --c trains epoch 0 again from these weights \n`,
  )
  const data = join(root, 'app-data-kept')
  await mkdir(join(data, 'jobs'), { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false }))
  const now = Date.now()
  const job = {
    id: 'kept-1',
    kind: 'train',
    title: `Train 2d fold 0 (dataset ${ID})`,
    state: 'done',
    createdAt: now - 60_000,
    startedAt: now - 60_000,
    endedAt: now - 50_000,
    command: ['python', '-m', 'nnunetv2.run.run_training', 'nnUNetv2_train', String(ID), '2d', '0', '-tr', 'nnUNetTrainer_Wizard_2ep_10it'],
    exitCode: 0,
    // What runTrain returns after a stop and keep (electron/nnunet/pipeline.ts TrainResult).
    result: { trainer: 'nnUNetTrainer_Wizard_2ep_10it', outputFolder: fold0, epochs: 0, checkpoints: ['checkpoint_latest.pth'], stoppedAfterEpoch: true, keptMidEpoch: true },
    logLines: 0,
  }
  await writeFile(join(data, 'jobs', 'jobs.json'), JSON.stringify([job]))
  const kept = await startWizardServer({ env: { NNUNET_WIZARD_DATA: data } })
  try {
    await page.goto(kept.url)
    await page.getByTestId('step-train').click()
    const panel = page.getByTestId('job-train')
    await expect(panel).toBeVisible({ timeout: 60_000 })
    await expect(panel.getByTestId('job-state')).toHaveText('Stopped, checkpoint kept')
    const outcome = page.getByTestId('train-outcome')
    await expect(outcome).toContainText('not finished')
    await expect(outcome).toContainText('train epoch 0 again')
    await expect(outcome).not.toContainText('Finished')
    await expect(outcome.getByRole('button', { name: /Predict/ })).toHaveCount(0)
    await outcome.scrollIntoViewIfNeeded()
    await shot(page, 'train-folds-06-stopped-kept')

    await page.getByTestId('step-results').click()
    await page.getByTestId('results-dataset').selectOption(String(ID))
    // Nothing runs: the model is among the stopped ones (hidden unless asked), not a model "training".
    const stopped = page.getByTestId('results-show-stopped')
    await expect(stopped).toContainText(model, { timeout: 60_000 })
    await expect(stopped).toContainText('stopped with a checkpoint to continue')
    await stopped.locator('input').check()
    const table = page.locator(`[data-testid="fold-table"][data-model="${model}"]`)
    await expect(table).toBeVisible()
    await expect(table.locator('[data-testid="fold-row"][data-fold="0"]')).toHaveAttribute('data-state', 'stopped')
    await table.scrollIntoViewIfNeeded()
    await shot(page, 'train-folds-07-results-stopped')
  } finally {
    await kept.stop()
  }
})
