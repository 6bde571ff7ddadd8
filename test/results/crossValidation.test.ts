// Reading nnU-Net's result files: the v2 and v1 summary.json shapes (as their evaluators write
// them, NaN included), fold states from checkpoints and logs, spread over folds, the results
// tree of a dataset, the error map the viewer shows, and the CSV and HTML report.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readDatasetResults, readFold, spread, summaryCases } from '../../electron/results/crossValidation'
import { errorMap } from '../../electron/results/caseErrors'
import { resultsCsv, resultsHtml, worstFirst } from '../../electron/results/report'
import { lockFold } from '../../electron/nnunet/foldLock'
import * as s from '../../shared/schema'

const labels = [
  { name: 'liver', value: 1 },
  { name: 'spleen', value: 2 },
]

/** A v2 summary.json as nnunetv2's save_summary_json writes it (json.dump: NaN as a bare token). */
function v2Summary(cases: { id: string; liver: [number, number, number] | null; spleen: [number, number, number] | null }[], dir = '/r'): string {
  const metric = (m: [number, number, number] | null) => (m ? { Dice: (2 * m[0]) / (2 * m[0] + m[1] + m[2]), FN: m[2], FP: m[1], TP: m[0], TN: 100, IoU: 0, n_pred: m[0] + m[1], n_ref: m[0] + m[2] } : { Dice: 'NaN', FN: 0, FP: 0, TP: 0, TN: 100, IoU: 'NaN', n_pred: 0, n_ref: 0 })
  const per = cases.map((c) => ({ metrics: { '1': metric(c.liver), '2': metric(c.spleen) }, prediction_file: `${dir}/pred/${c.id}.nii.gz`, reference_file: `${dir}/gt/${c.id}.nii.gz` }))
  const mean = (k: '1' | '2') => {
    const d = per.map((p) => p.metrics[k].Dice).filter((x): x is number => typeof x === 'number')
    return { Dice: d.length ? d.reduce((a, b) => a + b, 0) / d.length : 'NaN' }
  }
  const json = { foreground_mean: { Dice: 0.5 }, mean: { '1': mean('1'), '2': mean('2') }, metric_per_case: per }
  return JSON.stringify(json, null, 4).replace(/"NaN"/g, 'NaN')
}

describe('summary.json', () => {
  it('reads v2 per-case Dice, FP and FN by label name; NaN is null', () => {
    const text = v2Summary([
      { id: 'liver_001', liver: [90, 10, 0], spleen: null },
      { id: 'liver_002', liver: [50, 0, 50], spleen: [10, 5, 5] },
    ])
    expect(text).toContain('"Dice": NaN')
    const r = summaryCases(JSON.parse(text.replace(/NaN/g, 'null')), labels, 'x')
    expect(r.cases.map((c) => c.case)).toEqual(['liver_001', 'liver_002'])
    expect(r.cases[0]!.dice).toEqual({ liver: (2 * 90) / 190, spleen: null })
    expect(r.cases[0]!.fp).toEqual({ liver: 10, spleen: 0 })
    expect(r.cases[1]!.fn).toEqual({ liver: 50, spleen: 5 })
    expect(r.mean).toBe(0.5)
  })

  it('reads v1 (results.all / results.mean), leaves out the background and derives FP/FN from its counts', () => {
    const json = {
      name: 'x',
      results: {
        all: [
          { reference: '/gt/liver_003.nii.gz', test: '/pred/liver_003.nii.gz', '0': { Dice: 0.99 }, '1': { Dice: 0.8, 'Total Positives Test': 110, 'Total Positives Reference': 90 }, '2': { Dice: null, 'Total Positives Test': 0, 'Total Positives Reference': 0 } },
        ],
        mean: { '0': { Dice: 0.99 }, '1': { Dice: 0.8 }, '2': { Dice: null } },
      },
    }
    const r = summaryCases(json, labels, 'x')
    // TP = 0.8 * (110 + 90) / 2 = 80: FP = 30, FN = 10.
    expect(r.cases[0]).toMatchObject({ case: 'liver_003', dice: { liver: 0.8, spleen: null }, fp: { liver: 30, spleen: 0 }, fn: { liver: 10, spleen: 0 } })
    expect(r.dice).toEqual({ liver: 0.8, spleen: null })
    expect(r.mean).toBe(0.8)
  })

  it('refuses a file that is not a summary', () => {
    expect(() => summaryCases({ foo: 1 }, labels, '/x/summary.json')).toThrow(/\/x\/summary.json is not an nnU-Net summary.json/)
  })

  it('spread: mean, sample sd, min, max over known values', () => {
    const sp = spread([0.5, 0.7, null])
    expect(sp).toMatchObject({ mean: 0.6, min: 0.5, max: 0.7, n: 2 })
    expect(sp.sd).toBeCloseTo(Math.sqrt(0.02), 12)
    expect(spread([0.5])).toMatchObject({ mean: 0.5, sd: null, n: 1 })
    expect(spread([null])).toMatchObject({ mean: null, n: 0 })
  })
})

describe('a results folder', () => {
  let tmp: string
  let settings: s.Settings
  const model = 'nnUNetTrainer_Wizard_4ep__nnUNetPlans__3d_fullres'
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-results-'))
    const f = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') }
    settings = s.settings.parse({ nnunetVersion: 'v2', folders: f })
    const ds = 'Dataset042_Demo'
    await mkdir(join(f.raw, ds, 'labelsTs'), { recursive: true })
    await writeFile(join(f.raw, ds, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1, spleen: 2 }, channel_names: { '0': 'CT' }, file_ending: '.nii.gz', numTraining: 4 }))
    const m = join(f.results, ds, model)
    // fold 0 finished and validated; fold 1 training (fresh log and a live lock holder, no final checkpoint); fold 2 stopped long ago.
    await mkdir(join(m, 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(m, 'fold_0', 'checkpoint_final.pth'), '')
    await writeFile(join(m, 'fold_0', 'validation', 'summary.json'), v2Summary([{ id: 'demo_001', liver: [80, 20, 0], spleen: [0, 10, 10] }]))
    // The lines of nnunetv2 2.8.1's training_log_*.txt (test/results's fixture run wrote these).
    const t = (e: number) => `2026-11-27 16:4${e}:25.012496: `
    const log = (n: number) => Array.from({ length: n }, (_, e) => `${t(e)}Epoch ${e} \n${t(e)}Current learning rate: 0.00536 \n${t(e)}train_loss 1.46${e} \n${t(e)}val_loss 1.35${e} \n${t(e)}Pseudo dice [np.float32(0.2743), np.float32(0.0198)] \n${t(e)}Epoch time: 97.03 s \n`).join('')
    await writeFile(join(m, 'fold_0', 'training_log_2024_1_1_00_00_00.txt'), log(4))
    await mkdir(join(m, 'fold_1'), { recursive: true })
    await writeFile(join(m, 'fold_1', 'training_log_2024_1_1_00_00_00.txt'), log(2))
    // Someone trains fold 1: its one-writer lock is held by a live process (this one). Without the lock it is stopped.
    await lockFold(join(m, 'fold_1'), { kind: 'cli', title: 'train fold 1' })
    await mkdir(join(m, 'fold_2'), { recursive: true })
    await writeFile(join(m, 'fold_2', 'training_log_2024_1_1_00_00_00.txt'), log(1))
    const old = new Date(Date.now() - 3_600_000)
    await utimes(join(m, 'fold_2', 'training_log_2024_1_1_00_00_00.txt'), old, old)
    // A test evaluation, written after its predictions.
    const pred = join(f.raw, ds, 'imagesTs_predicted')
    await mkdir(pred, { recursive: true })
    await writeFile(join(pred, 'demo_009.nii.gz'), '')
    await writeFile(join(pred, 'summary.json'), v2Summary([{ id: 'demo_009', liver: [10, 0, 10], spleen: null }]))
    await utimes(join(pred, 'demo_009.nii.gz'), old, old)
    // Where Predict writes now (shared/predictionFolders.ts): under nnUNet_results, one folder per model and input.
    const now = join(f.results, ds, 'predictions', model, 'imagesTs')
    await mkdir(now, { recursive: true })
    await writeFile(join(now, 'demo_010.nii.gz'), '')
    await writeFile(join(now, 'summary.json'), v2Summary([{ id: 'demo_010', liver: [10, 0, 0], spleen: null }]))
    await utimes(join(now, 'demo_010.nii.gz'), old, old)
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('lists the five folds with their state and epochs, scores per case and the test set marked "test"', async () => {
    const r = await readDatasetResults(settings, { datasetId: 42 })
    expect(r.dataset).toBe('Dataset042_Demo')
    expect(r.labels.map((l) => l.name)).toEqual(['liver', 'spleen'])
    const m = r.models[0]!
    expect(m.model).toBe(model)
    expect(m.folds.map((f) => [f.fold, f.state, f.epochsDone, f.totalEpochs])).toEqual([
      [0, 'finished', 4, 4],
      [1, 'running', 2, 4],
      [2, 'stopped', 1, 4],
      [3, 'missing', 0, 4],
      [4, 'missing', 0, 4],
    ])
    expect(m.folds[0]!.curves).toHaveLength(4)
    expect(m.folds[0]!.dice.liver).toBeCloseTo(160 / 180, 12)
    expect(m.dice.liver!.n).toBe(1)
    // The test folders read by default: the one an older version wrote inside the dataset, and each
    // model's under nnUNet_results/<dataset>/predictions (named by model and input).
    expect(r.cases.map((c) => [c.case, c.fold, c.model])).toEqual([
      ['demo_001', 0, model],
      ['demo_009', 'test', 'imagesTs_predicted'],
      ['demo_010', 'test', `${model}/imagesTs`],
    ])
    expect(r.cases[1]!.dice).toEqual({ liver: 20 / 30, spleen: null })
    expect(r.test.map((t) => t.folder)).toEqual([join(settings.folders!.raw, 'Dataset042_Demo', 'imagesTs_predicted'), join(settings.folders!.results, 'Dataset042_Demo', 'predictions', model, 'imagesTs')])
    expect(r.test[0]).toMatchObject({ state: 'evaluated', cases: 1, predictions: 1 })
    expect(r.test[1]).toMatchObject({ state: 'evaluated', cases: 1, predictions: 1 })
    // The predictions folder is no model of the dataset.
    expect(r.models.map((m) => m.model)).toEqual([model])
    expect(r.labelsTs).toBe(join(settings.folders!.raw, 'Dataset042_Demo', 'labelsTs'))
    // The report: every case in the CSV, the HTML without any script or remote reference.
    const csv = resultsCsv(r)
    expect(csv.split('\n')[0]).toBe('model,configuration,fold,case,source,dice_liver,fp_liver,fn_liver,dice_spleen,fp_spleen,fn_spleen')
    expect(csv).toContain(`imagesTs_predicted,,test,demo_009,,${20 / 30},0,10,,0,0`)
    // The source name (manifest.json's case key) has its own column, as in the Results table.
    const named = resultsCsv({ ...r, cases: r.cases.map((c) => (c.case === 'demo_009' ? { ...c, source: 'patient_ab12' } : c)) })
    expect(named).toContain(`imagesTs_predicted,,test,demo_009,patient_ab12,${20 / 30},0,10,,0,0`)
    const html = resultsHtml({ results: r, facts: { cases: { train: 4, test: 1 }, voxels: {} }, commands: { [model]: [{ line: 'nnUNetv2_train 42 3d_fullres 0', state: 'done', via: 'app' }] }, generatedAt: new Date(0) })
    // The HTML case table names the source too, in its own column after the case id.
    const namedHtml = resultsHtml({ results: { ...r, cases: r.cases.map((c) => (c.case === 'demo_009' ? { ...c, source: 'patient_ab12' } : c)) }, facts: { cases: { train: 4, test: 1 }, voxels: {} }, commands: {}, generatedAt: new Date(0) })
    expect(namedHtml).toContain('<th class="l">case</th><th class="l">source</th>')
    expect(namedHtml).toContain('<tr><td class="l">demo_009</td><td class="l">patient_ab12</td>')
    expect(namedHtml).toMatch(/<tr><td class="l">demo_001<\/td><td class="l">—<\/td>/)
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3)
    expect(worstFirst(r.cases)[0]!.case).toBe('demo_001')
  })

  it('a test folder whose predictions are newer than its summary is stale', async () => {
    const pred = join(settings.folders!.raw, 'Dataset042_Demo', 'imagesTs_predicted')
    const now = new Date()
    await utimes(join(pred, 'demo_009.nii.gz'), now, new Date(now.getTime() + 5000))
    const r = await readDatasetResults(settings, { datasetId: 42 })
    expect(r.test[0]!.state).toBe('stale')
  })

  it('a fold folder without anything is missing; an unknown dataset is a clear error', async () => {
    const f = await readFold(join(tmp, 'nowhere'), 0, 'v2', 'nnUNetTrainer', labels)
    expect(f.fold).toMatchObject({ state: 'missing', totalEpochs: 1000 })
    await expect(readDatasetResults(settings, { datasetId: 43 })).rejects.toThrow(/Dataset 43 is not in the nnU-Net folders/)
  })
})

describe('error map', () => {
  it("keeps agreement, marks each label's false positives and false negatives with values of their own", () => {
    const ref = [0, 1, 1, 2, 0, 2, 2]
    const pred = [0, 1, 0, 1, 2, 2, 0]
    const m = errorMap(ref, pred, 2)
    // liver (1): FP 3, FN 4; spleen (2): FP 5, FN 6.
    expect([m.fpValue(1), m.fnValue(1), m.fpValue(2), m.fnValue(2)]).toEqual([3, 4, 5, 6])
    expect(m.errorValues).toEqual([3, 4, 5, 6])
    expect([...m.data]).toEqual([0, 1, 4, 3, 5, 2, 6])
    // ref 2 / pred 1 is a false positive of liver and a false negative of spleen.
    expect(m.perLabel.get(1)).toEqual({ fp: 1, fn: 1 })
    expect(m.perLabel.get(2)).toEqual({ fp: 1, fn: 2 })
    expect([m.fp, m.fn]).toEqual([2, 3])
  })
})

describe('largest error region', () => {
  it('finds the biggest 6-connected region of one error value and relabels it in place', async () => {
    const { largestRegion, relabelRegion } = await import('../../electron/results/caseErrors')
    // 4 x 3 x 2 grid (index x + 4y + 12z): a 3-voxel false-negative (4) strip, a 2-voxel
    // false-positive (3) pair one above the other, a lone 4 not touching the strip.
    const data = new Uint8Array(24)
    data.set([4, 4, 4], 0) // z0 y0 x0..2
    data[7] = 3 // z0 y1 x3
    data[19] = 3 // z1 y1 x3
    data[20] = 4 // z1 y2 x0
    const r = largestRegion(data, [4, 3, 2], [3, 4])!
    expect(r).toEqual({ value: 4, voxels: 3, start: 0 })
    relabelRegion(data, [4, 3, 2], r.start, 5)
    expect([...data.slice(0, 4)]).toEqual([5, 5, 5, 0])
    expect([data[7], data[19], data[20]]).toEqual([3, 3, 4])
    expect(largestRegion(data, [4, 3, 2], [3, 4])).toEqual({ value: 3, voxels: 2, start: 7 })
    expect(largestRegion(new Uint8Array(8), [2, 2, 2], [3, 4])).toBeNull()
  })
})
