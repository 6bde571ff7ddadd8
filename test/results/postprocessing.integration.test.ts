// nnU-Net's postprocessing through the app, on a real tiny trained model (the shared trained
// fixture: ct_small, 2d, folds 0 and 1, imagesTs predicted): determined on the cross-validation
// results with nnUNetv2_accumulate_crossval_results + nnUNetv2_determine_postprocessing (the
// postprocessing.pkl / .json nnU-Net writes are found and shown in results()), then applied to the
// test predictions with nnUNetv2_apply_postprocessing into a folder of its own; the originals stay.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createResults } from '../../electron/results'
import { accumulateArgs, applyArgs, determineArgs, postprocessingOf } from '../../electron/results/postprocessing'
import { JobManager } from '../../electron/jobs/jobManager'
import type { PostprocessingInfo } from '../../shared/api'
import * as s from '../../shared/schema'
import { builtCli } from '../helpers/builtCli'
import { nnunetPython, REPO_ROOT } from '../helpers/python'
import { oneTestCase } from '../helpers/oneTestCase'
import { execFile } from 'node:child_process'
import { FIXTURE_ID, trainedFixture, type TrainedFixture } from './trainedFixture'

const labels = [
  { name: 'liver', value: 1 },
  { name: 'spleen', value: 2 },
]

describe('postprocessing files and commands', () => {
  it('reads postprocessing.json as nnU-Net writes it: Dice before and after, the steps in words', () => {
    // determine_postprocessing's json (recursive_fix_for_json_export turns tuples into lists).
    const json = {
      input_folder: { foreground_mean: { Dice: 0.61 }, mean: { '1': { Dice: 0.8 }, '2': { Dice: 0.42 } } },
      postprocessed: { foreground_mean: { Dice: 0.65 }, mean: { '1': { Dice: 0.8 }, '2': { Dice: 0.5 } } },
      postprocessing_fns: ['remove_all_but_largest_component_from_segmentation', 'remove_all_but_largest_component_from_segmentation'],
      postprocessing_kwargs: [{ labels_or_regions: [1, 2] }, { labels_or_regions: 2 }],
    }
    const pp = postprocessingOf(json, '/m/crossval_results_folds_0_1/postprocessing.json', labels)
    expect(pp.before).toEqual({ mean: 0.61, dice: { liver: 0.8, spleen: 0.42 } })
    expect(pp.after.dice.spleen).toBe(0.5)
    expect(pp.steps).toEqual(['keep the largest connected component of liver + spleen together', 'keep the largest connected component of spleen'])
    expect(() => postprocessingOf({}, '/x.json', labels)).toThrow(/\/x\.json is not nnU-Net's postprocessing\.json/)
  })

  it('builds nnU-Net v2’s argv', () => {
    expect(accumulateArgs(7, '3d_fullres', [0, 1], 'nnUNetPlans', 'T').args).toEqual(['7', '-c', '3d_fullres', '-f', '0', '1', '-p', 'nnUNetPlans', '-tr', 'T'])
    expect(determineArgs({ merged: '/m', reference: '/r', plansJson: '/p.json', datasetJson: '/d.json', processes: 2 }).args).toEqual(['-i', '/m', '-ref', '/r', '-plans_json', '/p.json', '-dataset_json', '/d.json', '-np', '2'])
    expect(applyArgs({ input: '/i', output: '/o', pkl: '/pp.pkl', plansJson: '/p.json', datasetJson: '/d.json', processes: 1 }).tool.script).toBe('nnUNetv2_apply_postprocessing')
  })
})

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`nnU-Net's postprocessing on a trained model ${py.python ? '' : `(skipped: ${py.reason})`}`, () => {
  let tmp: string
  let fx: TrainedFixture
  let jobs: JobManager
  let results: ReturnType<typeof createResults>
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-postprocessing-'))
    fx = await trainedFixture(join(tmp, 'fixture'), py.python!)
    jobs = new JobManager(join(tmp, 'jobs'))
    results = createResults({ jobs, dataDir: fx.dataDir, settings: async () => fx.settings })
  }, 3_600_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const run = async (start: Promise<{ jobId: string }>) => {
    const info = await jobs.wait((await start).jobId)
    return info
  }

  it('determines it on folds 0 and 1 with nnU-Net’s commands, and results() shows what nnU-Net wrote', { timeout: 900_000 }, async () => {
    const info = await run(results.determinePostprocessing({ datasetId: FIXTURE_ID, configuration: '2d', trainer: fx.trainer }))
    expect(info.state, `${info.error} (log ${info.logFile})`).toBe('done')
    const pp = info.result as PostprocessingInfo
    expect(pp.folds).toEqual([0, 1])
    expect(pp.folder).toMatch(/crossval_results_folds_0_1$/)
    expect(existsSync(pp.pkl)).toBe(true)
    const json = JSON.parse((await readFile(pp.json, 'utf8')).replace(/\bNaN\b/g, 'null')) as { postprocessing_fns: string[] }
    expect(pp.steps).toHaveLength(json.postprocessing_fns.length)
    expect(Object.keys(pp.before.dice).sort()).toEqual(['liver', 'spleen'])
    // nnU-Net keeps a step only when it raises the Dice.
    if (pp.steps.length) expect(pp.after.mean!).toBeGreaterThan(pp.before.mean!)
    else expect(pp.after.mean).toBe(pp.before.mean)
    const log = await readFile(info.logFile!, 'utf8')
    expect(log).toContain('nnUNetv2_accumulate_crossval_results')
    expect(log).toContain('nnUNetv2_determine_postprocessing')
    const r = await results.results({ datasetId: FIXTURE_ID })
    expect(r.models.find((m) => m.trainer === fx.trainer)!.postprocessing).toMatchObject({ pkl: pp.pkl, folds: [0, 1] })
    const report = await results.resultsReport({ datasetId: FIXTURE_ID })
    expect(report.html).toContain(`nnU-Net's postprocessing (nnUNetv2_determine_postprocessing on folds 0, 1)`)
  })

  it('applies it to the test predictions into INPUT_postprocessed, the predictions untouched', { timeout: 900_000 }, async () => {
    const before = async () => Object.fromEntries(await Promise.all((await readdir(fx.predictions)).filter((n) => n.endsWith('.nii.gz')).map(async (n) => [n, createHash('sha256').update(await readFile(join(fx.predictions, n))).digest('hex')])))
    const original = await before()
    const info = await run(results.applyPostprocessing({ datasetId: FIXTURE_ID, configuration: '2d', trainer: fx.trainer, input: fx.predictions }))
    expect(info.state, `${info.error} (log ${info.logFile})`).toBe('done')
    const out = info.result as { output: string; files: string[] }
    expect(out.output).toBe(`${fx.predictions}_postprocessed`)
    expect(out.files.sort()).toEqual(Object.keys(original).sort())
    expect(await before()).toEqual(original)
    expect(await readFile(info.logFile!, 'utf8')).toContain('nnUNetv2_apply_postprocessing')
    // Into the prediction folder itself is refused before nnU-Net starts.
    const bad = await run(results.applyPostprocessing({ datasetId: FIXTURE_ID, configuration: '2d', trainer: fx.trainer, input: fx.predictions, output: fx.predictions }))
    expect(bad.error).toMatch(/must not be the prediction folder/)
  })

  it('CLI: predict --postprocess --seg-nrrd predicts, applies the determined postprocessing and writes the Slicer files', { timeout: 900_000 }, async () => {
    const out = join(tmp, 'cli-pred')
    // One test case: predicting, postprocessing and the Slicer file are per case.
    const input = join(tmp, 'one case')
    const seg = await oneTestCase(join(fx.datasetDir, 'imagesTs'), input)
    const args = ['predict', '-i', input, '-o', out, '-d', String(FIXTURE_ID), '-c', '2d', '-f', '0', '--trainer', fx.trainer, '--postprocess', '--seg-nrrd', '--python', py.python!, '--base', join(fx.base, 'nnunet'), '--device', 'cpu', '--workers', '1']
    const [file, argv] = builtCli(args)
    const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: fx.dataDir }
    for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 900_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    )
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const preds = (await readdir(out)).filter((n) => n.endsWith('.nii.gz')).sort()
    expect(preds).toEqual([seg])
    expect((await readdir(`${out}_postprocessed`)).filter((n) => n.endsWith('.nii.gz')).sort()).toEqual(preds)
    expect((await readdir(join(out, 'slicer'))).sort()).toEqual(preds.map((n) => n.replace('.nii.gz', '.seg.nrrd')))
    const head = (await readFile(join(out, 'slicer', preds[0]!.replace('.nii.gz', '.seg.nrrd')))).toString('latin1').split('\n\n')[0]!
    expect(head).toContain('Segment0_Name:=liver')
    expect(head).toContain('Segment1_Name:=spleen')
  })

  it('v1 says where its postprocessing lives instead of running', async () => {
    const v1 = createResults({ jobs, dataDir: fx.dataDir, settings: async () => s.settings.parse({ ...fx.settings, nnunetVersion: 'v1' }) })
    const info = await run(v1.determinePostprocessing({ datasetId: FIXTURE_ID, configuration: '2d' }))
    expect(info.error).toMatch(/nnU-Net v1 determines its postprocessing inside nnUNet_find_best_configuration/)
  })
})
