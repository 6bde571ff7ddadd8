// "Add to the dataset" (issue 21) on a private copy of the cached planned fixture (the real
// ct_small CT, liver = 1, spleen = 2, planned for 2d): a corrected case is added through the
// service and through the CLI; the files, dataset.json, splits_final.json and manifest.json are
// checked, and then nnU-Net's own verify_dataset_integrity runs on the raw folder (the venv's
// python; no planning). Refusals (label values outside dataset.json, a label off the scan's grid)
// write nothing. No nnU-Net planning or training runs here.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../electron/service'
import { readVolume } from '../../electron/imaging/volume'
import { writeNiftiGz, NIFTI_INTENT_LABEL } from '../../electron/imaging/niftiWriter'
import { readManifest } from '../../electron/dataset/manifest'
import { writePredictionOrigin } from '../../electron/results/predictionOrigin'
import { stalePlanReason } from '../../electron/nnunet/planInputs'
import { run as datasetCli } from '../../electron/cli/dataset'
import * as s from '../../shared/schema'
import { nnunetPython } from '../helpers/python'
import { plannedDataset, FIXTURE_DATASET, type PlannedFixture } from '../results/trainedFixture'

const py = nnunetPython('v2')

function verifyIntegrity(python: string, folder: string): Promise<{ code: number; out: string }> {
  const program = 'import sys\nfrom nnunetv2.experiment_planning.verify_dataset_integrity import verify_dataset_integrity\nverify_dataset_integrity(sys.argv[1], 1)\nprint("VERIFY OK")'
  return new Promise((resolve) => execFile(python, ['-c', program, folder], { env: { ...process.env, nnUNet_raw: folder, nnUNet_preprocessed: folder, nnUNet_results: folder } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr })))
}

async function labelValues(file: string): Promise<Uint8Array | Int16Array | Uint16Array | Float32Array> {
  return (await readVolume(file)).data as Uint8Array
}

describe.skipIf(!py.python)(`add a corrected case to a planned dataset ${py.reason}`, () => {
  let tmp: string
  let fx: PlannedFixture
  let service: Service
  let predictions: string
  let corrected: string
  let prediction: string
  let image: string

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-add-case-'))
    fx = await plannedDataset(join(tmp, 'fixture'), py.python!)
    service = createService({ mode: 'browser' }, fx.dataDir, { settings: fx.settings, jobsDir: join(tmp, 'jobs'), memoryQueue: true })
    // A prediction folder as Predict leaves it: the "model" missed the spleen of liver_003; the
    // editor's corrected copy (predictions/corrected/) holds the real label with the spleen.
    predictions = join(tmp, 'predictions')
    await mkdir(join(predictions, 'corrected'), { recursive: true })
    image = join(fx.datasetDir, 'imagesTs', 'liver_003_0000.nii.gz')
    corrected = join(predictions, 'corrected', 'liver_003.nii.gz')
    await copyFile(join(fx.datasetDir, 'labelsTs', 'liver_003.nii.gz'), corrected)
    const truth = await readVolume(corrected)
    const missed = Uint8Array.from(truth.data as Uint8Array, (v) => (v === 2 ? 0 : v))
    prediction = join(predictions, 'liver_003.nii.gz')
    await writeNiftiGz(prediction, truth, missed, { intentCode: NIFTI_INTENT_LABEL })
    await writePredictionOrigin(s.predictRequest.parse({ datasetId: fx.datasetId, input: join(fx.datasetDir, 'imagesTs'), output: predictions, configuration: '2d', folds: [0, 1], trainer: 'nnUNetTrainer_Wizard_2ep_2it' }), fx.settings)
    // The wizard's own folds (5 over the 5 training cases), so the extension has something to keep.
    await service.splits({ datasetId: fx.datasetId, folds: 5, write: true })
  })
  afterAll(async () => {
    await service?.dispose()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('refuses a label with a value dataset.json does not have, naming the file, and writes nothing', async () => {
    const truth = await readVolume(corrected)
    const bad = Uint8Array.from(truth.data as Uint8Array, (v, i) => (i === 0 ? 3 : v))
    const badFile = join(tmp, 'bad', 'liver_003.nii.gz')
    await mkdir(join(tmp, 'bad'), { recursive: true })
    await mkdir(join(tmp, 'shifted'), { recursive: true })
    await writeNiftiGz(badFile, truth, bad, { intentCode: NIFTI_INTENT_LABEL })
    const before = await readdir(join(fx.datasetDir, 'imagesTr'))
    await expect(service.addToDataset({ datasetId: fx.datasetId, image, label: badFile })).rejects.toThrow(new RegExp(`${badFile.replace(/[.]/g, '\\.')} holds the value 3 \\(1 voxels\\), which dataset.json's labels do not have`))
    const shifted = join(tmp, 'shifted', 'liver_003.nii.gz')
    await writeNiftiGz(shifted, { ...truth, origin: truth.origin.map((o) => o + 7) }, truth.data as Uint8Array, { intentCode: NIFTI_INTENT_LABEL })
    await expect(service.addToDataset({ datasetId: fx.datasetId, image, label: shifted })).rejects.toThrow(/is not on the scan's grid .*origin differs/)
    expect(await readdir(join(fx.datasetDir, 'imagesTr'))).toEqual(before)
    expect(JSON.parse(await readFile(join(fx.datasetDir, 'dataset.json'), 'utf8')).numTraining).toBe(5)
  })

  it('adds the case: files carried, numTraining, folds extended without moving a case, origin and changes in the manifest; nnU-Net verifies the dataset', async () => {
    const splitsFile = join(fx.settings.folders!.preprocessed, FIXTURE_DATASET, 'splits_final.json')
    const foldsBefore = JSON.parse(await readFile(splitsFile, 'utf8')) as { train: string[]; val: string[] }[]
    const r = await service.addToDataset({ datasetId: fx.datasetId, image, label: corrected })
    expect(r.caseId).toBe('liver_008')
    expect(r.numTraining).toBe(6)
    expect(r.images).toEqual([join(fx.datasetDir, 'imagesTr', 'liver_008_0000.nii.gz')])
    // The bytes carried across as they were.
    expect(Buffer.compare(await readFile(r.images[0]!), await readFile(image))).toBe(0)
    expect(Buffer.compare(await readFile(r.label), await readFile(corrected))).toBe(0)
    expect(JSON.parse(await readFile(join(fx.datasetDir, 'dataset.json'), 'utf8')).numTraining).toBe(6)
    // Folds: every existing case where it was; the new one validated in exactly one fold.
    const foldsAfter = JSON.parse(await readFile(splitsFile, 'utf8')) as { train: string[]; val: string[] }[]
    foldsAfter.forEach((f, i) => {
      expect(f.val.filter((c) => c !== 'liver_008')).toEqual(foldsBefore[i]!.val)
      expect(f.train.filter((c) => c !== 'liver_008')).toEqual(foldsBefore[i]!.train)
    })
    expect(foldsAfter.filter((f) => f.val.includes('liver_008')).map((_, i) => i)).toHaveLength(1)
    expect(foldsAfter[r.splits.fold!]!.val).toContain('liver_008')
    expect((await service.splits({ datasetId: fx.datasetId, folds: 5 })).source).toBe('wizard')
    // The manifest: still a valid wizard manifest, with the case's origin and the voxels the correction added (the spleen).
    const m = await readManifest(fx.datasetDir)
    expect(m && 'manifest' in m).toBe(true)
    const rec = (m as { manifest: { added?: Record<string, s.AddedCaseRecord> } }).manifest.added!.liver_008!
    const spleen = Array.from(await labelValues(corrected)).filter((v) => v === 2).length
    expect(spleen).toBeGreaterThan(100)
    expect(rec).toMatchObject({ caseId: 'liver_008', fold: r.splits.fold, sources: { images: [image], label: corrected, prediction }, origin: { datasetId: 611, configuration: '2d', trainer: 'nnUNetTrainer_Wizard_2ep_2it', plans: 'nnUNetPlans', folds: [0, 1] } })
    expect(rec.changes).toEqual([{ name: 'spleen', value: 2, added: spleen, removed: 0 }])
    // The preprocessed data no longer holds every case: training is refused until it is preprocessed again.
    expect(await stalePlanReason(fx.settings, FIXTURE_DATASET)).toBeTruthy()
    // nnU-Net's own check of the raw dataset.
    const v = await verifyIntegrity(py.python!, fx.datasetDir)
    expect(v.code, v.out).toBe(0)
    expect(v.out).toContain('VERIFY OK')
  })

  it('the CLI adds a second case with its own id and origin flags; a taken case id is refused', async () => {
    process.env.NNUNET_WIZARD_DATA = fx.dataDir
    const folders = ['--raw', fx.settings.folders!.raw, '--preprocessed', fx.settings.folders!.preprocessed, '--results', fx.settings.folders!.results, '--python', py.python!]
    const label = join(fx.datasetDir, 'labelsTs', 'liver_004.nii.gz')
    const img = join(fx.datasetDir, 'imagesTs', 'liver_004_0000.nii.gz')
    expect(await datasetCli(['add', '-d', '611', '--image', img, '--label', label, '--case-id', 'liver_008', ...folders])).toBe(1)
    expect(await datasetCli(['add', '-d', '611', '--image', img, '--label', label, '--origin-model', 'nnUNetTrainer__nnUNetPlans__2d', '--origin-folds', '0,1', ...folders])).toBe(0)
    const m = (await readManifest(fx.datasetDir)) as unknown as { manifest: { added: Record<string, s.AddedCaseRecord> } }
    expect(Object.keys(m.manifest.added).sort()).toEqual(['liver_008', 'liver_009'])
    expect(m.manifest.added.liver_009!.origin).toEqual({ datasetId: 611, trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', configuration: '2d', folds: [0, 1] })
    expect(JSON.parse(await readFile(join(fx.datasetDir, 'dataset.json'), 'utf8')).numTraining).toBe(7)
    const v = await verifyIntegrity(py.python!, fx.datasetDir)
    expect(v.code, v.out).toBe(0)
  })
})
