// The surfaceMetrics job end to end, in the real volume worker pool: a results tree as nnU-Net
// leaves it (a fold's validation summary.json and a scored test folder) over real CT masks; the
// figures land on results()' cases and summaries, are reused while the files are unchanged, are
// measured again when a prediction changes or the tolerance does, and an empty structure says so.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createResults } from '../../electron/results'
import { JobManager } from '../../electron/jobs/jobManager'
import { readVolume } from '../../electron/imaging/volume'
import { writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { makeSurfaceTree, SURFACE_CT as CT } from './surfaceTree'
import { maskOf, surfaceScore } from '../../electron/results/surfaceDistance'
import type { SurfaceMetricsResult } from '../../shared/api'
import * as s from '../../shared/schema'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'
import { sortCases } from '../../renderer/steps/results/caseRows'
import type { CaseResult } from '../../shared/api'
import { surfaceCsv, surfaceText } from '../../shared/surfaceFigures'

describe('HD95 / NSD in tables', () => {
  const c = (id: string, hd95: number | null, nsd: number | null, empty?: 'both-empty' | 'prediction-empty'): CaseResult => ({ case: id, fold: 0, model: 'm', dice: { l: 0.5 }, fp: {}, fn: {}, reference: id, prediction: id, surface: { l: { hd95, nsd, tolerance: 1, ...(empty && { empty }) } } })
  const cases = [c('a', 2, 0.9), c('b', null, 0, 'prediction-empty'), c('c', 7.5, 0.4), c('d', null, null, 'both-empty')]
  it('sorts HD95 with an empty side as the worst and both-empty last; NSD worst first', () => {
    expect(sortCases(cases, { key: 'hd95:l', ascending: false }, ['l']).map((x) => x.case)).toEqual(['b', 'c', 'a', 'd'])
    expect(sortCases(cases, { key: 'nsd:l', ascending: true }, ['l']).map((x) => x.case)).toEqual(['b', 'c', 'a', 'd'])
  })
  it('writes an empty side in words, and as inf / nan in the CSV', () => {
    expect(surfaceText(cases[1]!.surface!.l, 'hd95')).toBe('∞ (empty prediction)')
    expect(surfaceText(cases[3]!.surface!.l, 'nsd')).toBe('n/a (both empty)')
    expect(surfaceText(undefined, 'hd95')).toBe('—')
    expect(surfaceText(cases[2]!.surface!.l, 'hd95')).toBe('7.50')
    expect([surfaceCsv(cases[1]!.surface!.l, 'hd95'), surfaceCsv(cases[1]!.surface!.l, 'nsd'), surfaceCsv(cases[3]!.surface!.l, 'hd95')]).toEqual(['inf', 0, 'nan'])
  })
})

describe('surfaceMetrics job', () => {
  let tmp: string
  let settings: s.Settings
  let jobs: JobManager
  let results: ReturnType<typeof createResults>
  let pred: string
  let liverSpleen: Uint8Array
  let shifted: Uint8Array
  let size: [number, number, number]
  let spacing: [number, number, number]

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-surface-job-'))
    const tree = await makeSurfaceTree(tmp)
    ;({ settings, size, spacing, shifted } = tree)
    liverSpleen = tree.reference
    pred = tree.validationDir
    jobs = new JobManager(join(tmp, 'jobs'))
    results = createResults({ jobs, dataDir: join(tmp, 'data'), settings: async () => settings })
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const measure = async (req: Omit<s.SurfaceMetricsRequest, 'datasetId'> = {}) => {
    const { jobId } = await results.surfaceMetrics({ datasetId: 612, ...req })
    const info = await jobs.wait(jobId)
    expect(info.state, info.error).toBe('done')
    return info.result as SurfaceMetricsResult
  }

  it('measures every scored case in the pool and shows the figures beside Dice, with per-label tolerances', async () => {
    const before = await results.results({ datasetId: 612 })
    expect(before.cases.every((c) => c.surface === undefined)).toBe(true)
    const r = await measure({ tolerances: { liver: 3 }, tolerance: 1.5 })
    expect(r).toMatchObject({ measured: 2, reused: 0, failed: [] })
    const after = await results.results({ datasetId: 612 })
    const val = after.cases.find((c) => c.case === 'surf_001')!
    for (const [name, value, tol] of [['liver', 1, 3], ['spleen', 2, 1.5]] as const) {
      const want = surfaceScore(maskOf(liverSpleen, [value]), maskOf(shifted, [value]), size, spacing, tol)
      expect(val.surface![name]!.hd95).toBeCloseTo(want.hd95, 9)
      expect(val.surface![name]!.nsd).toBeCloseTo(want.nsd, 9)
      expect(val.surface![name]!.tolerance).toBe(tol)
    }
    // A one-voxel move along y (the scan's own spacing) is the distance most surface points move.
    expect(val.surface!.liver!.hd95).toBeCloseTo(spacing[1], 3)
    const test = after.cases.find((c) => c.case === 'surf_009')!
    expect(test.surface!.spleen).toEqual({ hd95: null, nsd: 0, tolerance: 1.5, empty: 'prediction-empty' })
    expect(test.surface!.liver).toMatchObject({ hd95: 0, nsd: 1 })
    expect(after.models[0]!.surface!.liver).toMatchObject({ cases: 1, infinite: 0, tolerance: 3 })
    expect(after.test[0]!.surface!.spleen).toMatchObject({ cases: 1, infinite: 1, hd95: { n: 0 } })
  }, 120_000)

  it('reuses unchanged cases, measures a changed prediction again, and again at a new tolerance', async () => {
    expect(await measure({ tolerances: { liver: 3 }, tolerance: 1.5 })).toMatchObject({ measured: 0, reused: 2 })
    const liver = await readVolume(join(CT, 'masks/liver.nii.gz'))
    await writeNiftiGz(join(pred, 'surf_001.nii.gz'), liver, liverSpleen, { intentCode: 1002 })
    // Stale figures are not shown while the prediction differs from what was measured.
    const stale = await results.results({ datasetId: 612 })
    expect(stale.cases.find((c) => c.case === 'surf_001')!.surface).toBeUndefined()
    expect(await measure({ tolerances: { liver: 3 }, tolerance: 1.5 })).toMatchObject({ measured: 1, reused: 1 })
    const fresh = await results.results({ datasetId: 612 })
    expect(fresh.cases.find((c) => c.case === 'surf_001')!.surface!.liver).toMatchObject({ hd95: 0, nsd: 1 })
    expect(await measure({ tolerance: 2 })).toMatchObject({ measured: 2, reused: 0 })
  }, 120_000)

  it('refuses a tolerance for a label the dataset does not have', async () => {
    const { jobId } = await results.surfaceMetrics({ datasetId: 612, tolerances: { kidney: 2 } })
    const info = await jobs.wait(jobId)
    expect(info.state).toBe('failed')
    expect(info.error).toMatch(/No label named kidney in Dataset612_Surface \(its labels: liver, spleen\)/)
  })

  it('CLI: results --surface --tolerance measures, prints HD95 / NSD with the empty side said, and writes them into the CSV and HTML report', async () => {
    const data = join(tmp, 'cli-data')
    // The validation prediction moved one voxel again (the test before made it equal to its reference).
    await writeNiftiGz(join(pred, 'surf_001.nii.gz'), await readVolume(join(CT, 'masks/liver.nii.gz')), shifted, { intentCode: 1002 })
    const f = settings.folders!
    const csv = join(tmp, 'report.csv')
    const html = join(tmp, 'report.html')
    const args = ['results', '-d', '612', '--raw', f.raw, '--preprocessed', f.preprocessed, '--results', f.results, '--surface', '--tolerance', 'liver=3', '--tolerance', '1.5', '--csv', csv, '--html', html]
    const [file, argv] = builtCli(args)
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(file, argv, { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: data }, timeout: 300_000 }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('Measuring HD95 and NSD')
    // One voxel along y is 3 mm on this scan: within the liver's 3 mm tolerance, outside the spleen's 1.5 mm.
    expect(r.stdout).toContain('liver: HD95 3.00 mm, NSD@3mm 1.000 (n=1) over the validation cases')
    expect(r.stdout).toMatch(/spleen: HD95 3\.00 mm, NSD@1\.5mm 0\.\d{3} \(n=1\) over the validation cases/)
    expect(r.stdout).toContain('spleen: HD95 ∞, NSD@1.5mm 0.000 (n=1; 1 with HD95 ∞ (one side empty))')
    expect(r.stdout).toMatch(/surf_009 +test .*spleen \d\.\d{3} \(1\/1\) HD95 ∞ \(empty prediction\) NSD 0 \(empty prediction\)/)
    const rows = (await readFile(csv, 'utf8')).trim().split('\n')
    expect(rows[0]).toContain('hd95_mm_liver,nsd_liver,nsd_tolerance_mm_liver')
    expect(rows.find((l) => l.includes('surf_009'))).toMatch(/,inf,0,1\.5$/)
    const page = await readFile(html, 'utf8')
    expect(page).toContain('<th>HD95</th><th>NSD</th>')
    expect(page).toContain('∞ (empty prediction)')
    // A tolerance without --surface is a usage error, said as such.
    const [f2, a2] = builtCli(['results', '-d', '612', '--raw', f.raw, '--preprocessed', f.preprocessed, '--results', f.results, '--tolerance', '2'])
    const bad = await new Promise<{ code: number; stderr: string }>((done) => execFile(f2, a2, { cwd: REPO_ROOT, env: { ...process.env, NNUNET_WIZARD_DATA: data } }, (err, _o, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr })))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--tolerance is the NSD tolerance of --surface: add --surface.')
  }, 300_000)
})
