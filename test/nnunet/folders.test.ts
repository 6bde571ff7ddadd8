// nnU-Net folders: layout per version, child environment, dataset listing with id collisions,
// shell exports that survive hostile paths.
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFolders, folderEnv, folderStatus, idCollisions, optionEnv, shellExports } from '../../electron/nnunet/folders'
import { childEnv, foldsWithoutNpz } from '../../electron/nnunet/pipeline'
import * as s from '../../shared/schema'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nnw-folders-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('nnU-Net folders', () => {
  it('creates the v2 layout and passes it as nnUNet_raw / nnUNet_preprocessed / nnUNet_results', async () => {
    const f = await createFolders(join(root, 'v2'), 'v2')
    expect(f).toEqual({ raw: join(root, 'v2', 'nnUNet_raw'), preprocessed: join(root, 'v2', 'nnUNet_preprocessed'), results: join(root, 'v2', 'nnUNet_results') })
    const settings = s.settings.parse({ folders: f })
    expect(folderEnv(settings)).toEqual({ nnUNet_raw: f.raw, nnUNet_preprocessed: f.preprocessed, nnUNet_results: f.results })
    const st = await folderStatus(settings)
    expect(st.exists).toEqual({ nnUNet_raw: true, nnUNet_preprocessed: true, nnUNet_results: true })
  })

  it('creates the v1 layout of the guide (nnUNet_raw_data_base with nnUNet_raw_data and nnUNet_cropped_data, RESULTS_FOLDER)', async () => {
    const f = await createFolders(join(root, 'v1'), 'v1')
    const settings = s.settings.parse({ folders: f, nnunetVersion: 'v1' })
    expect(folderEnv(settings)).toEqual({ nnUNet_raw_data_base: f.raw, nnUNet_preprocessed: f.preprocessed, RESULTS_FOLDER: f.results })
    const st = await folderStatus(settings)
    expect(Object.values(st.exists).every(Boolean)).toBe(true)
    await mkdir(join(f.raw, 'nnUNet_raw_data', 'Task004_Hippocampus'), { recursive: true })
    await mkdir(join(f.results, 'nnUNet', '3d_fullres', 'Task004_Hippocampus'), { recursive: true })
    const again = await folderStatus(settings)
    expect(again.datasets).toEqual([
      {
        id: 4,
        name: 'Hippocampus',
        inRaw: true,
        // No splits_final.json yet: nnU-Net's 5 folds (electron/nnunet/foldCount.ts).
        folds: 5,
        where: [join(f.raw, 'nnUNet_raw_data', 'Task004_Hippocampus'), join(f.results, 'nnUNet', '3d_fullres', 'Task004_Hippocampus')],
        // Predictions go beside the results, never into the raw dataset (shared/predictionFolders.ts).
        predictionsRoot: join(f.results, 'Task004_Hippocampus', 'predictions'),
      },
    ])
  })

  it('lists datasets by id across the three folders and finds id collisions', async () => {
    const f = await createFolders(join(root, 'coll'), 'v2')
    await mkdir(join(f.raw, 'Dataset001_Liver'))
    await mkdir(join(f.preprocessed, 'Dataset001_Liver'))
    await mkdir(join(f.results, 'Dataset001_Spleen'))
    await mkdir(join(f.raw, 'Dataset002_Aorta'))
    await mkdir(join(f.raw, 'not_a_dataset'))
    const st = await folderStatus(s.settings.parse({ folders: f }))
    expect(st.datasets.map((d) => [d.id, d.name, d.where.length])).toEqual([
      [1, 'Liver', 2],
      [1, 'Spleen', 1],
      [2, 'Aorta', 1],
    ])
    expect(idCollisions(st)).toEqual([{ id: 1, names: ['Liver', 'Spleen'] }])
  })

  it('counts the training cases in raw labelsTr (what the Train step warns about below five)', async () => {
    const f = await createFolders(join(root, 'cases'), 'v2')
    await mkdir(join(f.raw, 'Dataset003_Two', 'labelsTr'), { recursive: true })
    for (const c of ['two_001', 'two_002']) await writeFile(join(f.raw, 'Dataset003_Two', 'labelsTr', `${c}.nii.gz`), '')
    await writeFile(join(f.raw, 'Dataset003_Two', 'labelsTr', '.DS_Store'), '')
    await mkdir(join(f.preprocessed, 'Dataset004_NoRaw'), { recursive: true })
    const st = await folderStatus(s.settings.parse({ folders: f }))
    expect(st.datasets.map((d) => [d.id, d.trainingCases])).toEqual([
      [3, 2],
      [4, undefined],
    ])
  })

  it('lists trained models with their folds and which finished (v2 and v1 layouts)', async () => {
    const f = await createFolders(join(root, 'trained'), 'v2')
    const model = join(f.results, 'Dataset001_Liver', 'nnUNetTrainer__nnUNetPlans__3d_fullres')
    await mkdir(join(model, 'fold_0'), { recursive: true })
    await mkdir(join(model, 'fold_1'), { recursive: true })
    await mkdir(join(model, 'fold_all'), { recursive: true })
    // Fold 0 finished (final checkpoint and validation summary); fold 1 has its final checkpoint but
    // no summary (validating, or stopped in its validation): not finished, listed as unvalidated.
    await writeFile(join(model, 'fold_0', 'checkpoint_final.pth'), '')
    await mkdir(join(model, 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model, 'fold_0', 'validation', 'summary.json'), '{}')
    await writeFile(join(model, 'fold_1', 'checkpoint_final.pth'), '')
    await writeFile(join(model, 'fold_all', 'checkpoint_latest.pth'), '')
    const st = await folderStatus(s.settings.parse({ folders: f }))
    expect(st.trainings).toEqual([{ datasetId: 1, dataset: 'Dataset001_Liver', configuration: '3d_fullres', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', folder: model, folds: ['0', '1', 'all'], finished: ['0'], unvalidated: ['1'], modifiedAt: expect.any(Number) }])
    // The newest checkpoint's time: Predict preselects the newest model by it.
    expect(st.trainings![0]!.modifiedAt).toBe((await stat(join(model, 'fold_all', 'checkpoint_latest.pth'))).mtimeMs)

    const v1 = await createFolders(join(root, 'trained-v1'), 'v1')
    const m1 = join(v1.results, 'nnUNet', '3d_lowres', 'Task004_Hippocampus', 'nnUNetTrainerV2__nnUNetPlansv2.1')
    await mkdir(join(m1, 'fold_2'), { recursive: true })
    await writeFile(join(m1, 'fold_2', 'model_final_checkpoint.model'), '')
    await mkdir(join(m1, 'fold_2', 'validation_raw'), { recursive: true })
    await writeFile(join(m1, 'fold_2', 'validation_raw', 'summary.json'), '{}')
    const st1 = await folderStatus(s.settings.parse({ folders: v1, nnunetVersion: 'v1' }))
    expect(st1.trainings).toEqual([{ datasetId: 4, dataset: 'Task004_Hippocampus', configuration: '3d_lowres', trainer: 'nnUNetTrainerV2', plans: 'nnUNetPlansv2.1', folder: m1, folds: ['2'], finished: ['2'], modifiedAt: expect.any(Number) }])
  })

  it('finds trained folds whose validation has no .npz before an ensemble is compared', async () => {
    const f = await createFolders(join(root, 'npz'), 'v2')
    await mkdir(join(f.preprocessed, 'Dataset007_Npz'))
    const model = (c: string) => join(f.results, 'Dataset007_Npz', `nnUNetTrainer__nnUNetPlans__${c}`)
    await mkdir(join(model('3d_fullres'), 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model('3d_fullres'), 'fold_0', 'validation', 'case_001.npz'), '')
    await mkdir(join(model('2d'), 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model('2d'), 'fold_0', 'validation', 'case_001.nii.gz'), '')
    const settings = s.settings.parse({ folders: f })
    expect(await foldsWithoutNpz(settings, { datasetId: 7, configurations: ['3d_fullres', '2d'], folds: [0, 1] })).toEqual([join(model('2d'), 'fold_0', 'validation')])
  })

  it('refuses to run without folders, naming what to do', () => {
    expect(() => folderEnv(s.settings.parse({}))).toThrow(/nnU-Net folders are not set/)
  })

  it('passes augmentation workers and the torch.compile switch (v2) and the wizard trainer folder', () => {
    const settings = s.settings.parse({ folders: { raw: '/r', preprocessed: '/p', results: '/o' }, augmentationWorkers: 3 })
    expect(optionEnv(settings)).toEqual({ nnUNet_n_proc_DA: '3', nnUNet_def_n_proc: '3', nnUNet_compile: 'false' })
    expect(childEnv({ ...settings, torchCompile: true }, '/data')).toMatchObject({ nnUNet_raw: '/r', nnUNet_compile: 'true', nnUNet_extTrainer: join('/data', 'trainers') })
    expect(childEnv({ ...settings, nnunetVersion: 'v1' }, '/data')).toEqual({ nnUNet_raw_data_base: '/r', nnUNet_preprocessed: '/p', RESULTS_FOLDER: '/o', nnUNet_n_proc_DA: '3', nnUNet_def_n_proc: '3', TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: '1' })
  })

  it('writes shell exports that bash reads back exactly, and PowerShell-quoted ones', () => {
    const hostile = `/data/it's "my" $HOME \`x\` \\ 数据 集`
    const settings = s.settings.parse({ folders: { raw: hostile, preprocessed: '/p', results: '/r' } })
    const { bash, powershell } = shellExports(settings)
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `${bash}\nprintf '%s' "$nnUNet_raw"`], { encoding: 'utf8', env: { PATH: process.env.PATH } })
    expect(out).toBe(hostile)
    expect(powershell.split('\n')[0]).toBe(`$env:nnUNet_raw = '/data/it''s "my" $HOME \`x\` \\ 数据 集'`)
    expect(powershell).toContain(`$env:nnUNet_compile = 'false'`)
  })

  it('PowerShell exports survive the typographic single quotes PowerShell also treats as quotes', () => {
    // No pwsh on the test machines: read the line back with the language spec's rule for a
    // verbatim string (any of the five single-quote characters opens or ends it; doubled, it is
    // one literal quote), and check nothing follows the closing quote.
    const quotes = "'\u2018\u2019\u201A\u201B"
    const readVerbatim = (line: string): string => {
      const start = line.indexOf('= ') + 2
      if (!quotes.includes(line[start]!)) throw new Error(`not a quoted value: ${line}`)
      let out = ''
      let i = start + 1
      for (;;) {
        const c = line[i]
        if (c === undefined) throw new Error(`unterminated string: ${line}`)
        if (quotes.includes(c)) {
          if (line[i + 1] !== undefined && quotes.includes(line[i + 1]!)) {
            out += c
            i += 2
            continue
          }
          if (i + 1 !== line.length) throw new Error(`text after the string ends: ${line.slice(i + 1)}`)
          return out
        }
        out += c
        i++
      }
    }
    const hostile = "/data/it\u2019s \u2018x\u2019 \u201Alow\u201B; Remove-Item -Recurse ~ #'"
    const { powershell } = shellExports(s.settings.parse({ folders: { raw: hostile, preprocessed: '/p', results: '/r' } }))
    expect(readVerbatim(powershell.split('\n')[0]!)).toBe(hostile)
  })
})
