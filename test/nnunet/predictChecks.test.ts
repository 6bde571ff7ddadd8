// predict is refused before nnU-Net starts when it would write into its input folder or when the
// model it needs was never trained, with a message that names the missing file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as s from '../../shared/schema'
import { createFolders, runPredict } from '../../electron/nnunet'
import { recordingContext } from './fixture'

let root: string
let settings: s.Settings
let input: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-predictchecks-'))
  const folders = await createFolders(join(root, 'nnunet'), 'v2')
  // Python is never started by these refusals; any existing file stands in for the interpreter path.
  settings = s.settings.parse({ folders, pythonPath: process.execPath, device: 'cpu' })
  await mkdir(join(folders.raw, 'Dataset004_Liver', 'imagesTs'), { recursive: true })
  input = join(folders.raw, 'Dataset004_Liver', 'imagesTs')
  await writeFile(join(input, 'liver_001_0000.nii.gz'), '')
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const request = (output: string, extra: Record<string, unknown> = {}) => s.predictRequest.parse({ datasetId: 4, input, output, configuration: '3d_fullres', folds: [0], ...extra })

describe('predict pre-checks', () => {
  it('refuses an output folder inside the input folder, and writes nothing there', async () => {
    await expect(runPredict(request(join(input, 'pred')), settings, recordingContext(), join(root, 'data'))).rejects.toThrow(/is inside the input folder/)
    expect(await readdir(input)).toEqual(['liver_001_0000.nii.gz'])
  })

  it('refuses an output folder that leads into the input folder through a symbolic link', async () => {
    const link = join(root, 'linked-pred')
    await symlink(input, link)
    await expect(runPredict(request(join(link, 'pred')), settings, recordingContext(), join(root, 'data'))).rejects.toThrow(/is inside the input folder/)
    expect(await readdir(input)).toEqual(['liver_001_0000.nii.gz'])
  })

  it('names the checkpoint that is missing when the fold was never trained', async () => {
    const err = await runPredict(request(join(root, 'pred')), settings, recordingContext(), join(root, 'data')).then(() => new Error('predict was not refused'), (e: unknown) => e as Error)
    expect(err.message).toContain(join('Dataset004_Liver', 'nnUNetTrainer__nnUNetPlans__3d_fullres', 'fold_0', 'checkpoint_final.pth'))
    expect(err.message).toMatch(/Train 3d_fullres fold 0 first/)
  })

  it('warns (never silently) when the output lies inside the dataset folder; not for a folder beside the models', async () => {
    const raw = join(settings.folders!.raw, 'Dataset004_Liver')
    const inDataset = recordingContext()
    // Refused later for the missing model: the warning comes first, before anything is written.
    await expect(runPredict(request(join(raw, 'imagesTs_predicted')), settings, inDataset, join(root, 'data'))).rejects.toThrow(/no trained model/)
    expect(inDataset.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'predict-output-in-dataset', file: join(raw, 'imagesTs_predicted') })])
    expect(inDataset.findings[0]!.text).toContain(`is inside the dataset folder ${raw}`)
    expect(inDataset.findings[0]!.hint).toContain(join(settings.folders!.results, 'Dataset004_Liver', 'predictions'))
    const beside = recordingContext()
    await expect(runPredict(request(join(settings.folders!.results, 'Dataset004_Liver', 'predictions', 'm', 'imagesTs')), settings, beside, join(root, 'data'))).rejects.toThrow(/no trained model/)
    expect(beside.findings).toEqual([])
  })

  it('says when the dataset id is not in the nnU-Net folders', async () => {
    const err = await runPredict(s.predictRequest.parse({ datasetId: 5, input, output: join(root, 'pred5'), configuration: '2d' }), settings, recordingContext(), join(root, 'data')).then(() => new Error('predict was not refused'), (e: unknown) => e as Error)
    expect(err.message).toMatch(/Dataset 5 is not in the nnU-Net folders/)
  })
})
