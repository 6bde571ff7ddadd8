// A prediction input folder nnU-Net would read nothing from (ordinary scans: newpatient01.nrrd) is
// refused before nnU-Net starts, with the names it expects, the names found and what to do; nnU-Net
// itself would say "There are 0 cases in the source folder" and end well having written nothing.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, runPredict } from '../../electron/nnunet'
import { checkPredictInput, expectedName, matchPredictInput, noCasesMessage } from '../../electron/nnunet/predictInput'
import * as s from '../../shared/schema'
import { recordingContext } from './fixture'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

describe('matchPredictInput', () => {
  it('takes CASE_XXXX + the file ending, for the channels the model has', () => {
    expect(matchPredictInput(['liver_001_0000.nii.gz', 'liver_002_0000.nii.gz', 'notes.txt'], '.nii.gz', 1)).toEqual({ cases: ['liver_001', 'liver_002'], unmatched: ['notes.txt'], incomplete: [] })
  })
  it('skips another ending, a name without the channel suffix, and a channel the model lacks', () => {
    const m = matchPredictInput(['newpatient01.nrrd', 'scan.nii.gz', 'case_0000.nrrd', 'case_0001.nii.gz'], '.nii.gz', 1)
    expect(m.cases).toEqual([])
    expect(m.unmatched).toEqual(['case_0000.nrrd', 'case_0001.nii.gz', 'newpatient01.nrrd', 'scan.nii.gz'])
  })
  it('says which channel files a case lacks (two-channel model)', () => {
    const m = matchPredictInput(['a_0000.nii.gz', 'a_0001.nii.gz', 'b_0000.nii.gz'], '.nii.gz', 2)
    expect(m.cases).toEqual(['a', 'b'])
    expect(m.incomplete).toEqual([{ case: 'b', missing: ['b_0001.nii.gz'] }])
  })
  it('follows the dataset file ending (.nrrd datasets, escaped)', () => {
    expect(matchPredictInput(['ct_0000.nrrd', 'ct_0000.nii.gz', 'ct_0000xnrrd'], '.nrrd', 1)).toMatchObject({ cases: ['ct'], unmatched: ['ct_0000.nii.gz', 'ct_0000xnrrd'] })
  })
  it('names what it expects, what it found and what to do', () => {
    expect(expectedName('newpatient01.nrrd', '.nii.gz')).toBe('newpatient01_0000.nii.gz')
    expect(expectedName('scan.nii.gz', '.nii.gz')).toBe('scan_0000.nii.gz')
    const text = noCasesMessage('/in', '.nii.gz', ['CT'], ['newpatient01.nrrd'])
    expect(text).toContain('The input folder /in holds no scan nnU-Net would read')
    expect(text).toContain('case_0000.nii.gz')
    expect(text).toContain('found: newpatient01.nrrd')
    expect(text).toContain('Save the scans as .nii.gz')
    expect(text).toContain('newpatient01_0000.nii.gz')
    expect(text).toContain('DICOM')
    expect(noCasesMessage('/in', '.nii.gz', ['T1', 'T2'], ['scan.nii.gz'])).toMatch(/_0000 T1, _0001 T2[\s\S]*Rename the scans/)
    expect(noCasesMessage('/in', '.nii.gz', [], [])).toMatch(/it is empty/)
  })
})

describe('the refusal on a real folder', () => {
  let root: string
  let settings: s.Settings
  let input: string
  let modelDir: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wizard-predictinput-'))
    const folders = await createFolders(join(root, 'nnunet'), 'v2')
    settings = s.settings.parse({ folders, pythonPath: process.execPath, device: 'cpu' })
    await mkdir(join(folders.raw, 'Dataset611_Results'), { recursive: true })
    // A trained model (its checkpoint stands in: Python is never started by the refusal) and its dataset.json.
    modelDir = join(folders.results, 'Dataset611_Results', 'nnUNetTrainer__nnUNetPlans__2d')
    await mkdir(join(modelDir, 'fold_0'), { recursive: true })
    await writeFile(join(modelDir, 'fold_0', 'checkpoint_final.pth'), '')
    await writeFile(join(modelDir, 'dataset.json'), JSON.stringify({ channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1 }, numTraining: 5, file_ending: '.nii.gz' }))
    input = join(root, 'newpatients')
    await mkdir(input)
    await writeFile(join(input, 'newpatient01.nrrd'), 'NRRD0004\n')
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('checkPredictInput refuses the folder by the model dataset.json, naming folder and file', async () => {
    const err = await checkPredictInput({ input }, 'v2', [join(modelDir, 'dataset.json')]).then(() => new Error('not refused'), (e: unknown) => e as Error)
    expect(err.message).toContain(`The input folder ${input} holds no scan nnU-Net would read`)
    expect(err.message).toContain('found: newpatient01.nrrd')
    expect(err.message).toContain('(_0000: CT)')
    // A folder nnU-Net reads passes.
    const good = join(root, 'good')
    await mkdir(good)
    await writeFile(join(good, 'newpatient01_0000.nii.gz'), '')
    await expect(checkPredictInput({ input: good }, 'v2', [join(modelDir, 'dataset.json')])).resolves.toMatchObject({ cases: ['newpatient01'] })
  })

  it('runPredict (the app and the CLI predict -i) refuses before nnU-Net starts and writes nothing', async () => {
    const output = join(root, 'pred')
    const req = s.predictRequest.parse({ datasetId: 611, input, output, configuration: '2d', folds: [0] })
    const ctx = recordingContext()
    await expect(runPredict(req, settings, ctx, join(root, 'data'))).rejects.toThrow(/holds no scan nnU-Net would read[\s\S]*newpatient01\.nrrd/)
    expect(await readdir(root)).not.toContain('pred')
    expect(await readdir(input)).toEqual(['newpatient01.nrrd'])
  })

  it('nnunet-wizard predict -i says the same and exits non-zero, nothing queued', { timeout: 120_000 }, async () => {
    const f = settings.folders!
    const [file, args] = builtCli(['predict', '-i', input, '-o', join(root, 'cli-pred'), '-d', '611', '-c', '2d', '-f', '0', '--raw', f.raw, '--preprocessed', f.preprocessed, '--results', f.results, '--python', process.execPath])
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: join(root, 'cli-data') } }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }))
    })
    expect(r.code).not.toBe(0)
    expect(r.out).toContain(`The input folder ${input} holds no scan nnU-Net would read`)
    expect(r.out).toContain('found: newpatient01.nrrd')
    expect(r.out).not.toContain('Segmenting the scans')
    expect(await readdir(root)).not.toContain('cli-pred')
  })
})

describe('after the run', () => {
  let root: string
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('fails (not "Finished") when nnU-Net wrote no segmentation of the input cases; an old file of another case does not count', async () => {
    root = await mkdtemp(join(tmpdir(), 'wizard-predictnone-'))
    const folders = await createFolders(join(root, 'nnunet'), 'v2')
    // Stands in for nnU-Net that read nothing: says so, exits 0, writes nothing.
    const python = join(root, 'python')
    await writeFile(python, '#!/bin/sh\necho "There are 0 cases in the source folder"\nexit 0\n', { mode: 0o755 })
    const settings = s.settings.parse({ folders, pythonPath: python, device: 'cpu' })
    await mkdir(join(folders.raw, 'Dataset611_Results'), { recursive: true })
    const fold = join(folders.results, 'Dataset611_Results', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_0')
    await mkdir(fold, { recursive: true })
    await writeFile(join(fold, 'checkpoint_final.pth'), '')
    const input = join(root, 'scans')
    await mkdir(input)
    await writeFile(join(input, 'newpatient01_0000.nii.gz'), '')
    const output = join(root, 'pred')
    await mkdir(output)
    await writeFile(join(output, 'otherrun_007.nii.gz'), '')
    const req = s.predictRequest.parse({ datasetId: 611, input, output, configuration: '2d', folds: [0] })
    await expect(runPredict(req, settings, recordingContext(), join(root, 'data'))).rejects.toThrow(`nnU-Net wrote no segmentation into ${output}`)
  })
})
