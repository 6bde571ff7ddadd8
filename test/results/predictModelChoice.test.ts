// Issue 18: `predict -d 7 -c 2d` without --trainer silently took nnUNetTrainer_Wizard_2ep_4it
// although a second 2d model (another trainer) was trained too: the CLI's default fold 0 (and the
// plans the dataset was planned with last) narrowed the candidates to one. Now any two trained
// models of the dataset and configuration are refused by name, with the flag that chooses, as
// `model export` refuses them (results/modelChoice.ts, one rule). Real service, real folders; the
// interpreter does not exist, so a prediction that does start ends at once.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'

let base: string
let folders: { raw: string; preprocessed: string; results: string }
let service: Service

async function trained(model: string, fold: string): Promise<void> {
  const dir = join(folders.results, 'Dataset007_Liver', model, `fold_${fold}`)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'checkpoint_final.pth'), '')
  // Finished means validated too (foldCompletion).
  await mkdir(join(dir, 'validation'), { recursive: true })
  await writeFile(join(dir, 'validation', 'summary.json'), '{}')
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-predict-choice-'))
  folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
  for (const f of Object.values(folders)) await mkdir(f, { recursive: true })
  await mkdir(join(folders.raw, 'Dataset007_Liver', 'imagesTs'), { recursive: true })
  await writeFile(join(folders.raw, 'Dataset007_Liver', 'imagesTs', 'liver_009_0000.nii.gz'), '')
  service = createService({ mode: 'browser' }, join(base, 'data'))
  await service.setSettings({ folders, nnunetVersion: 'v2', pythonPath: join(base, 'no-python') })
})
afterEach(async () => {
  await service.dispose()
  await rm(base, { recursive: true, force: true })
})

const predict = (extra: Record<string, unknown> = {}) =>
  callApi(service, 'predict', { datasetId: 7, input: join(folders.raw, 'Dataset007_Liver', 'imagesTs'), output: join(base, 'out'), configuration: '2d', folds: [0], ...extra })

/** The trainer the queued prediction was resolved to. */
async function trainerOf(jobId: string): Promise<string | undefined> {
  await service.jobs.wait(jobId)
  const entry = (await service.runQueue()).started.find((e) => e.jobId === jobId)
  return entry?.kind === 'predict' ? entry.request.trainer : undefined
}

describe('predict without a trainer', () => {
  it('refuses two trained 2d models, though only one has the fold asked for, naming both and --trainer', async () => {
    await trained('nnUNetTrainer_Wizard_2ep_4it__nnUNetPlans__2d', '0')
    await trained('nnUNetTrainer_Wizard_2ep_10it__nnUNetPlans__2d', '1')
    const refused = predict()
    await expect(refused).rejects.toMatchObject({ code: 'ambiguous-model' })
    await expect(refused).rejects.toThrow(
      'Dataset 7 has 2 trained 2d models: nnUNetTrainer_Wizard_2ep_10it (plans nnUNetPlans; finished folds 1); nnUNetTrainer_Wizard_2ep_4it (plans nnUNetPlans; finished folds 0). Fold 0 is finished in nnUNetTrainer_Wizard_2ep_4it. Name the one to use by its trainer (--trainer NAME on the command line).',
    )
    expect(await service.listJobs()).toEqual([])
  })

  it('refuses models of other plans too (the dataset planned with nnUNetPlans), asking for --plans as well', async () => {
    await trained('nnUNetTrainer_Wizard_2ep_4it__nnUNetPlans__2d', '0')
    await trained('nnUNetTrainer__nnUNetResEncUNetMPlans__2d', '0')
    await expect(predict()).rejects.toThrow(/has 2 trained 2d models: .*nnUNetTrainer \(plans nnUNetResEncUNetMPlans.*--trainer NAME and --plans NAME/)
  })

  it('takes the one trained model, and the one named by --trainer among several', async () => {
    await trained('nnUNetTrainer_Wizard_2ep_4it__nnUNetPlans__2d', '0')
    const one = (await predict()) as { jobId: string }
    expect(await trainerOf(one.jobId)).toBe('nnUNetTrainer_Wizard_2ep_4it')
    await trained('nnUNetTrainer_Wizard_2ep_10it__nnUNetPlans__2d', '0')
    const named = (await predict({ trainer: 'nnUNetTrainer_Wizard_2ep_10it', output: join(base, 'out2') })) as { jobId: string }
    expect(await trainerOf(named.jobId)).toBe('nnUNetTrainer_Wizard_2ep_10it')
  })
})
