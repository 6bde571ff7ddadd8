// A prediction whose request names no output folder (the CLI without -o, any Api caller) writes
// where every default prediction goes (shared/predictionFolders.ts): beside the model it resolved
// to, under nnUNet_results/<dataset>/predictions/<trainer>__<plans>__<configuration>/<input name>,
// never inside the dataset. Real services and the built CLI on real folders; no interpreter, so
// the run that starts ends at once with a message instead of nnU-Net.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

let base: string
let folders: { raw: string; preprocessed: string; results: string }
let input: string
const MODEL = 'nnUNetTrainer_Wizard_2ep__nnUNetPlans__2d'

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'wizard-predict-default-'))
  folders = { raw: join(base, 'raw'), preprocessed: join(base, 'preprocessed'), results: join(base, 'results') }
  for (const f of Object.values(folders)) await mkdir(f, { recursive: true })
  input = join(folders.raw, 'Dataset007_Liver', 'imagesTs')
  await mkdir(input, { recursive: true })
  await writeFile(join(input, 'liver_009_0000.nii.gz'), '')
  const fold = join(folders.results, 'Dataset007_Liver', MODEL, 'fold_0')
  await mkdir(fold, { recursive: true })
  await writeFile(join(fold, 'checkpoint_final.pth'), '')
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const expected = () => join(folders.results, 'Dataset007_Liver', 'predictions', MODEL, 'imagesTs')

async function serviceAt(data: string): Promise<Service> {
  const service = createService({ mode: 'browser' }, data)
  await service.setSettings({ folders, nnunetVersion: 'v2', pythonPath: join(base, 'no-python') })
  return service
}

describe('predict without an output folder', () => {
  it('is queued with the folder beside the model it resolved to (trainer found, not named)', async () => {
    const service = await serviceAt(join(base, 'data'))
    const { jobId } = (await callApi(service, 'predict', { datasetId: 7, input, configuration: '2d', folds: [0] })) as { jobId: string }
    const info = await service.jobs.wait(jobId)
    const entry = (await service.runQueue()).started.find((e) => e.jobId === jobId)
    expect(entry?.kind === 'predict' && entry.request.output).toBe(expected())
    expect(info.title).toContain('2d')
    await service.dispose()
  })

  it('names what to do when the dataset is unknown (no job)', async () => {
    const service = await serviceAt(join(base, 'data-unknown'))
    const refused = callApi(service, 'predict', { datasetId: 8, input, configuration: '2d', folds: [0] })
    await expect(refused).rejects.toMatchObject({ code: 'no-default-output' })
    await expect(refused).rejects.toThrow(/Dataset 8 is not in the nnU-Net folders .* so its predictions have no default folder\. Check the dataset id, or name the output folder \(-o DIR\)\./)
    expect(await service.listJobs()).toEqual([])
    await service.dispose()
  })

  it('nnunet-wizard predict without -o says the folder beside the model it writes into', { timeout: 120_000 }, async () => {
    const [file, args] = builtCli(['predict', '-i', input, '-d', '7', '-c', '2d', '--raw', folders.raw, '--preprocessed', folders.preprocessed, '--results', folders.results, '--python', join(base, 'no-python')])
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: join(base, 'cli-data') } }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }))
    })
    expect(r.out).not.toMatch(/--output is required|-o.*required/)
    expect(r.out).toContain(`Segmenting the scans in ${input} into ${expected()}.`)
    // Here it then stops: the interpreter does not exist (no nnU-Net in a unit test).
    expect(r.out).toMatch(/The chosen Python interpreter .* does not exist/)
  })
})
