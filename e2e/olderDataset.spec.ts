// A model trained on an older version of its dataset is flagged where it is used (issue 18,
// "Nothing stale"). The study: a real tiny NIfTI dataset planned (the plan's record written),
// fold 0 of a 2d model recorded as trained from it (the record a training's preparation writes;
// its checkpoint is an empty stand-in file, no weights are read here), then the dataset rewritten
// as in the walkthrough (test count 2 -> 1, one more training case). Predict and Results say
// "trained on an older version of the dataset (4 cases then, 5 now)".
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'
import { recordPlanInputs, recordTrainInputs } from '../electron/nnunet/planInputs'
import * as s from '../shared/schema'
import { writePlannedDataset } from '../test/helpers/plannedDataset'
import { writeTinyDatasetV2 } from '../test/nnunet/tinyDataset'

let root: string
let server: WizardServer | undefined
const folder = 'Dataset076_Tiny'
const TEXT = 'trained on an older version of the dataset (4 cases then, 5 now)'

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-older-dataset-'))
  const folders = { raw: join(root, 'raw'), preprocessed: join(root, 'pre'), results: join(root, 'res') }
  const settings = s.settings.parse({ nnunetVersion: 'v2', device: 'cpu', folders })
  await writeTinyDatasetV2(folders.raw, 76, { train: 4, test: 2, scratch: join(root, 'scratch') })
  await writePlannedDataset(folders.preprocessed, folder)
  await recordPlanInputs(settings, folder)
  const fold0 = join(folders.results, folder, 'nnUNetTrainer__nnUNetPlans__2d', 'fold_0')
  await recordTrainInputs(join(folders.preprocessed, folder), fold0)
  await writeFile(join(fold0, 'checkpoint_final.pth'), '')
  // Finished means validated too (electron/nnunet/trainerOutputs.ts foldCompletion).
  await mkdir(join(fold0, 'validation'), { recursive: true })
  await writeFile(join(fold0, 'validation', 'summary.json'), '{}')
  const raw = join(folders.raw, folder)
  await rename(join(raw, 'imagesTs', 'tiny_006_0000.nii.gz'), join(raw, 'imagesTr', 'tiny_006_0000.nii.gz'))
  await copyFile(join(raw, 'labelsTr', 'tiny_001.nii.gz'), join(raw, 'labelsTr', 'tiny_006.nii.gz'))
  const json = JSON.parse(await readFile(join(raw, 'dataset.json'), 'utf8')) as { numTraining: number }
  await writeFile(join(raw, 'dataset.json'), JSON.stringify({ ...json, numTraining: 5 }, null, 2))
  server = await startWizardServerOn(join(root, 'app'), { folders })
})
test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('Predict and Results flag the model trained on the older dataset, with the case counts', async ({ page }) => {
  test.setTimeout(120_000)
  await page.goto(server!.url)
  await page.getByTestId('new-project').click()
  await page.getByTestId('step-predict').click()
  await expect(page.getByTestId('predict-model')).toContainText('older dataset')
  const flag = page.getByTestId('older-dataset')
  await expect(flag).toContainText(TEXT)
  await expect(flag).toContainText('fold 0')
  await expect(flag).toHaveAttribute('data-cases-then', '4')
  await expect(flag).toHaveAttribute('data-cases-now', '5')
  await shot(page, 'older-dataset-01-predict')

  await page.getByTestId('step-results').click()
  const inResults = page.getByTestId('older-dataset')
  await expect(inResults.first()).toContainText(TEXT, { timeout: 30_000 })
  await shot(page, 'older-dataset-02-results')
})
