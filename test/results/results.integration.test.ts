// Real nnunetv2 on the CPU, end to end through the CLI a user runs: a tiny dataset with a held-out
// test split (labelsTs), folds 0 and 1 trained for 2 epochs, the test cases predicted (the shared
// trained fixture, test/results/trainedFixture.ts, copied); then
// `results --evaluate --json` must report for every validation and test case the Dice this test
// computes itself from the label and prediction files (to 1e-6), and the model exported with
// `model export`, installed with `model import` under a fresh results folder and app data folder
// (a colleague's computer), must predict the same segmentation (of one test case: nnU-Net's
// prediction of a case does not depend on the other cases in the folder).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetResults } from '../../shared/api'
import { builtCli } from '../helpers/builtCli'
import { readImage } from '../helpers/nifti'
import { oneTestCase } from '../helpers/oneTestCase'
import { nnunetPython, REPO_ROOT } from '../helpers/python'
import { FIXTURE_DATASET, FIXTURE_ID, trainedFixture, type TrainedFixture } from './trainedFixture'

const py = nnunetPython('v2')
const LABELS = { liver: 1, spleen: 2 } as const

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: dataDir }
    for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 1_200_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** Dice, FP and FN per label computed here, from the two files, with nothing of nnU-Net's or the app's. */
async function ownScores(reference: string, prediction: string): Promise<Record<string, { dice: number | null; fp: number; fn: number }>> {
  const [r, p] = await Promise.all([readImage(reference), readImage(prediction)])
  expect(p.size).toEqual(r.size)
  const a = r.data as ArrayLike<number>
  const b = p.data as ArrayLike<number>
  const out: Record<string, { dice: number | null; fp: number; fn: number }> = {}
  for (const [name, v] of Object.entries(LABELS)) {
    let tp = 0
    let fp = 0
    let fn = 0
    for (let i = 0; i < a.length; i++) {
      const inRef = a[i] === v
      const inPred = b[i] === v
      if (inRef && inPred) tp++
      else if (inPred) fp++
      else if (inRef) fn++
    }
    out[name] = { dice: tp + fp + fn === 0 ? null : (2 * tp) / (2 * tp + fp + fn), fp, fn }
  }
  return out
}

describe.skipIf(!py.python)(`results with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let fx: TrainedFixture
  let base: string[]

  beforeAll(async () => {
    // A private copy of the shared trained fixture (built once per content hash, on demand when missing).
    tmp = await mkdtemp(join(tmpdir(), 'nnw-results-int-'))
    fx = await trainedFixture(join(tmp, 'fixture'), py.python!)
    base = ['--python', py.python!, '--base', join(fx.base, 'nnunet'), '--device', 'cpu', '--workers', '1']
  }, 3_600_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('results --evaluate --json: every validation and test case has the Dice computed here from its files', { timeout: 900_000 }, async () => {
    // The fixture's prediction of imagesTs was scored as it ended (labelsTs exists); scored again here through the CLI.
    await rm(join(fx.predictions, 'summary.json'), { force: true })
    const r = await cli(['results', '-d', String(FIXTURE_ID), '--test', fx.predictions, '--evaluate', '--json', ...base], fx.dataDir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('nnUNetv2_evaluate_folder')
    const res = JSON.parse(r.stdout) as DatasetResults
    expect(res.dataset).toBe(FIXTURE_DATASET)
    const model = res.models.find((m) => m.model === `${fx.trainer}__nnUNetPlans__2d`)!
    expect(model.folds.slice(0, 2).map((f) => [f.fold, f.state, f.epochsDone, f.totalEpochs])).toEqual([
      [0, 'finished', 2, 2],
      [1, 'finished', 2, 2],
    ])
    expect(model.folds.slice(2).map((f) => f.state)).toEqual(['missing', 'missing', 'missing'])
    expect(model.mean.n).toBe(2)
    // nnU-Net's evaluator wrote the test summary (nnUNetv2_evaluate_folder against labelsTs).
    expect(existsSync(join(fx.predictions, 'summary.json'))).toBe(true)
    expect(res.test).toEqual([expect.objectContaining({ folder: fx.predictions, state: 'evaluated', cases: 2 })])

    const validation = res.cases.filter((c) => c.fold !== 'test')
    const test = res.cases.filter((c) => c.fold === 'test')
    // 5 training cases over folds 0 and 1 (one validation case each here), and the 2 test cases.
    expect(validation.map((c) => c.fold).sort()).toEqual([0, 1])
    expect(test).toHaveLength(2)
    for (const c of res.cases) {
      expect(c.case).toMatch(/^liver_\d{3}$/)
      expect(Object.keys(c.dice).sort()).toEqual(['liver', 'spleen'])
    }
    const raw = join(fx.settings.folders!.raw, FIXTURE_DATASET)
    for (const c of validation) {
      const fold = join(model.folder, `fold_${c.fold}`, 'validation', `${c.case}.nii.gz`)
      const own = await ownScores(join(raw, 'labelsTr', `${c.case}.nii.gz`), fold)
      for (const [name, s] of Object.entries(own)) {
        if (s.dice === null) expect(c.dice[name]).toBeNull()
        else expect(Math.abs(c.dice[name]! - s.dice)).toBeLessThan(1e-6)
        expect([c.fp[name], c.fn[name]]).toEqual([s.fp, s.fn])
      }
    }
    for (const c of test) {
      const own = await ownScores(join(raw, 'labelsTs', `${c.case}.nii.gz`), join(fx.predictions, `${c.case}.nii.gz`))
      for (const [name, s] of Object.entries(own)) {
        if (s.dice === null) expect(c.dice[name]).toBeNull()
        else expect(Math.abs(c.dice[name]! - s.dice)).toBeLessThan(1e-6)
        expect([c.fp[name], c.fn[name]]).toEqual([s.fp, s.fn])
      }
    }
  })

  it('results --html --csv writes the report: self-contained HTML with the plots, CSV of every case', { timeout: 300_000 }, async () => {
    const html = join(tmp, 'report', 'results.html')
    const csv = join(tmp, 'report', 'results.csv')
    const r = await cli(['results', '-d', String(FIXTURE_ID), '--test', fx.predictions, '--html', html, '--csv', csv, ...base], fx.dataDir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/fold\s+state\s+epochs/)
    expect(r.stdout).toMatch(/test .*predictions: liver \d\.\d{3}/)
    const { readFile } = await import('node:fs/promises')
    const page = await readFile(html, 'utf8')
    expect(page).not.toMatch(/<script|<link|src="http/)
    expect(page.match(/class="plot dice-strip"/g)!.length).toBeGreaterThanOrEqual(2)
    expect(page).toContain('class="plot training-curves"')
    const rows = (await readFile(csv, 'utf8')).trim().split('\n')
    expect(rows).toHaveLength(1 + 4)
  })

  it('model export, import under a fresh results folder and app data folder, predict: the same segmentation', { timeout: 1_800_000 }, async () => {
    const zip = join(tmp, `shared-model-${Date.now()}.zip`)
    const ex = await cli(['model', 'export', '-d', String(FIXTURE_ID), '-c', '2d', '--trainer', fx.trainer, '-o', zip, ...base], fx.dataDir)
    expect(ex.code, ex.stderr + ex.stdout).toBe(0)
    expect(existsSync(zip)).toBe(true)
    const colleague = await mkdtemp(join(tmpdir(), 'nnw-colleague-'))
    try {
      const theirs = ['--python', py.python!, '--base', join(colleague, 'nnunet'), '--device', 'cpu', '--workers', '1']
      const data = join(colleague, 'app data')
      const im = await cli(['model', 'import', zip, '--json', ...theirs], data)
      expect(im.code, im.stderr + im.stdout).toBe(0)
      const installed = JSON.parse(im.stdout).result as { installed: string[]; trainers: string[] }
      expect(installed.installed).toEqual([join(colleague, 'nnunet', 'nnUNet_results', FIXTURE_DATASET, `${fx.trainer}__nnUNetPlans__2d`)])
      expect(installed.trainers).toEqual([fx.trainer])
      const out = join(colleague, 'predictions')
      // One of the two test cases, with both folds as the fixture predicted it.
      const input = join(colleague, 'one case')
      const seg = await oneTestCase(join(fx.datasetDir, 'imagesTs'), input)
      const pr = await cli(['predict', '-d', String(FIXTURE_ID), '-c', '2d', '-f', '0', '-f', '1', '--trainer', fx.trainer, '-i', input, '-o', out, ...theirs], data)
      expect(pr.code, pr.stderr + pr.stdout).toBe(0)
      expect((await readdir(fx.predictions)).filter((n) => n.endsWith('.nii.gz'))).toContain(seg)
      expect((await readdir(out)).filter((n) => n.endsWith('.nii.gz'))).toEqual([seg])
      for (const n of [seg]) {
        const [a, b] = await Promise.all([readImage(join(fx.predictions, n)), readImage(join(out, n))])
        expect(b.size).toEqual(a.size)
        expect(Buffer.from((b.data as Uint8Array).buffer).equals(Buffer.from((a.data as Uint8Array).buffer))).toBe(true)
      }
    } finally {
      await rm(colleague, { recursive: true, force: true })
    }
  })
})
