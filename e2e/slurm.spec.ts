// Training on the SLURM cluster from the Train step, with a real one-node cluster
// (scripts/slurm-up.sh) and the real nnU-Net v2 on CPU: "SLURM cluster" chosen where to run, a plan
// job and a 2-fold job array of 2-epoch trainings submitted; the task table shows SLURM's states
// (waiting on the plan, running on the node, finished), a task's log and loss curve stream into the
// same panel as a local run's, both folds end with checkpoint_final.pth; then a long training is
// cancelled from the app (scancel) and nothing of it is left running. Skipped with the reason
// without SLURM or the venv; an error instead under NNUNET_WIZARD_REQUIRE_SLURM / _PYTHON=1.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nnunetPython } from '../test/helpers/python'
import { holdSlurmNode, testSlurm } from '../test/helpers/slurm'
import { writeTinyDatasetV2 } from '../test/nnunet/tinyDataset'
import { expect, startWizardServer, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'
import { setUpEnvironment } from './support/nnunetSetup'

const DATASET_ID = 612
const py = nnunetPython('v2')
const slurm = testSlurm()

let root: string
let server: WizardServer | undefined
let release: (() => Promise<void>) | undefined

/** Processes whose command line names this training (nnU-Net and its workers). */
const processesOf = (marker: string) =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker))

test.describe('training on the SLURM cluster from the Train step', () => {
  test.skip(!py.python || !slurm.available, `needs nnU-Net v2 and SLURM: ${py.reason} ${slurm.reason}`)

  test.beforeAll(async () => {
    // npm test's slurm step (vitest's slurm project, beside Playwright) trains on the same one node: one at a time.
    test.setTimeout(50 * 60_000)
    release = await holdSlurmNode('e2e slurm.spec')
    root = await mkdtemp(join(tmpdir(), 'wizard-slurm-e2e-'))
    server = await startWizardServer({ env: { NNUNET_WIZARD_PYTHON: py.python! } })
  })

  test.afterAll(async () => {
    await server?.stop()
    if (root) await rm(root, { recursive: true, force: true })
    await release?.()
  })

  test('plan job + 2-fold job array, states and streamed log/curve, then scancel from the app', async ({ page }) => {
    test.setTimeout(1_500_000)
    await page.goto(server!.url)
    const base = join(root, 'nnunet')
    const raw = await setUpEnvironment(page, { base, cpu: 'select', workers: 1 })
    await writeTinyDatasetV2(raw, DATASET_ID, { train: 5, test: 0, scratch: join(root, 'scratch') })

    // Where to run, in the Environment step: SLURM is here, so the choice is offered.
    await expect(page.getByTestId('env-slurm-status')).toContainText('partitions debug')
    await page.getByTestId('env-where-slurm').check()

    // ---- Train: 2 epochs of 2 iterations, one CPU per task, the plan as a SLURM job first
    await page.getByTestId('step-train').click()
    await expect(page.getByTestId('train-where-slurm')).toBeChecked()
    await page.getByTestId('train-dataset-id').fill(String(DATASET_ID))
    await page.getByTestId('train-config').selectOption('2d')
    await page.getByTestId('train-epochs').fill('2')
    await page.getByTestId('train-iterations').fill('2')
    await page.getByTestId('train-slurm-cpus').fill('1')
    await page.getByTestId('train-slurm-cpus').blur()
    await page.getByTestId('slurm-plan-first').check()
    await page.getByTestId('slurm-folds').fill('0,1')
    await page.getByTestId('slurm-submit-folds').click()

    const rows = page.getByTestId('slurm-task')
    await expect(rows).toHaveCount(3, { timeout: 60_000 })
    // The trainings wait on the plan (afterok), the plan runs on the node.
    await expect(page.getByTestId('slurm-tasks')).toContainText(/SLURM PENDING, \(Dependency\)/, { timeout: 60_000 })
    await expect(page.getByTestId('slurm-tasks')).toContainText(/SLURM RUNNING, on \S+, \d\d:\d\d:\d\d/, { timeout: 120_000 })
    await shot(page, 'slurm-01-submitted')

    // ---- fold 0's task in the run panel: its log lines and loss curve stream while it runs
    const fold0 = 'Train 2d fold 0 (dataset 612)'
    await expect(rows.filter({ hasText: fold0 })).toContainText('SLURM RUNNING', { timeout: 600_000 })
    await page.locator('#tr-show').selectOption({ label: `${fold0} — running` })
    const job = page.getByTestId('job-train')
    await expect(job).toContainText(fold0)
    await expect.poll(async () => Number((await job.getByTestId('log-line-count').textContent())!.replace(/\D/g, '')), { timeout: 600_000 }).toBeGreaterThan(5)
    // A curve point while the task still runs (epoch 0 finished, epoch 1 not).
    await expect
      .poll(async () => ((await job.getAttribute('data-state')) === 'running' ? Number(await page.getByTestId('chart-loss').getAttribute('data-points')) : -1), { timeout: 900_000, intervals: [500] })
      .toBeGreaterThan(0)
    await page.getByTestId('chart-loss').scrollIntoViewIfNeeded()
    await shot(page, 'slurm-02-streaming')

    // ---- all three tasks finish; both folds have their final checkpoint
    for (let i = 0; i < 3; i++) await expect(rows.nth(i)).toHaveAttribute('data-state', 'done', { timeout: 1_200_000 })
    await expect(page.getByTestId('slurm-tasks')).not.toContainText('SLURM RUNNING')
    for (const fold of [0, 1]) {
      expect(existsSync(join(base, 'nnUNet_results', `Dataset${DATASET_ID}_Tiny`, 'nnUNetTrainer_Wizard_2ep_2it__nnUNetPlans__2d', `fold_${fold}`, 'checkpoint_final.pth'))).toBe(true)
    }
    await shot(page, 'slurm-03-finished')

    // ---- a long training, cancelled from the app: scancel, nothing left running
    await page.getByTestId('train-epochs').fill('50')
    await page.getByTestId('train-fold').selectOption('2')
    // Planned now: the plan went to SLURM once (the box clears itself after a submission).
    await expect(page.getByTestId('slurm-plan-first')).not.toBeChecked()
    await page.getByTestId('slurm-submit-fold').click()
    const fold2 = rows.filter({ hasText: 'Train 2d fold 2 (dataset 612)' })
    await expect(fold2).toContainText('SLURM RUNNING', { timeout: 300_000 })
    const marker = `nnUNetv2_train ${DATASET_ID} 2d 2 `
    await expect.poll(() => processesOf(marker).length, { timeout: 300_000 }).toBeGreaterThan(0)
    const taskId = (await fold2.locator('td').first().textContent())!.trim()
    await fold2.getByTestId('slurm-task-cancel').click()
    await expect(fold2).toHaveAttribute('data-state', 'cancelled', { timeout: 120_000 })
    expect(execFileSync('scontrol', ['show', 'job', '-o', taskId], { encoding: 'utf8' })).toContain('JobState=CANCELLED')
    await expect.poll(() => processesOf(marker), { timeout: 60_000 }).toEqual([])
    await shot(page, 'slurm-04-cancelled')
  })
})
