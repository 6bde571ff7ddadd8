// DICOM case folders in the Sources pipeline (issue 20, items 1-3): the scan lists each sub-folder
// of DICOM files as a case named after the folder (and nothing else), the Check refuses a tilted,
// gapped or ambiguous case by name, and the Preview shows a DICOM case's scan on its true grid.
// Real DICOM from makeDicom.py; the check runs in the same function the worker pool runs.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scanSources } from '../../electron/dataset/scan'
import { inspectCase, type CaseInput } from '../../electron/dataset/caseWork'
import { CaseFiles, caseClaim } from '../../electron/dataset/caseSources'
import { dicomScans, type DicomScans } from './dicomScans'

let scans: DicomScans | undefined
let missing = ''
let tmp: string
let images: string
let masks: string

beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  tmp = await mkdtemp(join(tmpdir(), 'nnw-dicom-sources-'))
  images = join(tmp, 'images')
  masks = join(tmp, 'body')
  await mkdir(masks, { recursive: true })
  for (const c of ['uncompressed', 'tilted', 'missing', 'two_series']) await cp(join(scans.cases, c), join(images, c), { recursive: true })
  await cp(join(scans.masks, 'body', 'uncompressed.nii.gz'), join(masks, 'uncompressed.nii.gz'))
  // Not cases: a folder of notes, and a stray file beside the case folders.
  await mkdir(join(images, 'notes'))
  await writeFile(join(images, 'notes', 'readme.txt'), 'export of 2024-03-01\n')
  await writeFile(join(images, 'list.csv'), 'case\n')
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

const input = (caseKey: string, extra: Partial<CaseInput> = {}): CaseInput => ({ caseKey, image: join(images, caseKey), masks: [caseKey === 'uncompressed' ? join(masks, 'uncompressed.nii.gz') : null], labelNames: ['body'], labelDirs: [masks], allowMissingMask: true, ...extra })

describe('DICOM case folders as sources', () => {
  it('the scan lists each DICOM sub-folder as a case named after it, and nothing else', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const scan = await scanSources({ imagesDir: images, labels: [{ name: 'body', dir: masks }], allowMissingMask: true })
    expect(scan.cases.map((c) => c.caseKey)).toEqual(['missing', 'tilted', 'two_series', 'uncompressed'])
    expect(scan.cases.find((c) => c.caseKey === 'uncompressed')).toMatchObject({ image: join(images, 'uncompressed'), masks: [join(masks, 'uncompressed.nii.gz')] })
    expect(scan.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(scan.findings.find((f) => f.code === 'ignored-files')?.text).toContain('list.csv')
  })

  it('the Check refuses the tilted, gapped and ambiguous cases by name, naming the files', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const tilted = (await inspectCase({ op: 'inspect', input: input('tilted'), want: 'report' })).report
    expect(tilted.status).toBe('error')
    expect(tilted.findings.find((f) => f.code === 'dicom-gantry-tilt')?.text).toMatch(/is tilted: .*15° from the slice normal/)
    const gap = (await inspectCase({ op: 'inspect', input: input('missing'), want: 'report' })).report
    const f = gap.findings.find((x) => x.code === 'dicom-missing-slices')!
    expect(f.text).toMatch(/1 slice between -792\.5 mm \(\S+\.dcm\) and -788\.5 mm \(\S+\.dcm\)/)
    expect(f.file).toContain(join(images, 'missing'))
    const two = (await inspectCase({ op: 'inspect', input: input('two_series'), want: 'report' })).report
    expect(two.findings.find((x) => x.code === 'dicom-ambiguous-series')?.text).toMatch(/"CT soft tissue"[\s\S]*"CT bone"/)
  })

  it('a chosen series (per case, as the Sources step sets it) is read; a pattern matching none is refused', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const none = (await inspectCase({ op: 'inspect', input: input('two_series', { dicomSeries: 'lung' }), want: 'report' })).report
    expect(none.findings.map((x) => x.code)).toContain('dicom-series-not-matched')
    const bone = scans.variants.two_series!.series!.find((s) => s.series === 'b')!
    const chosen = (await inspectCase({ op: 'inspect', input: input('two_series', { dicomSeriesUid: bone.uid }), want: 'report' })).report
    expect(chosen.status, JSON.stringify(chosen.findings)).not.toBe('error')
    expect(chosen.geometry?.size).toEqual([512, 512, 20])
  })

  it('a DICOM case claims its decoded size from the run’s memory budget before it is read (its index made once)', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const files = new CaseFiles()
    const claim = await caseClaim(join(images, 'uncompressed'), [], files, true)
    const voxels = 512 * 512 * 20
    expect(claim).toEqual({ bytes: voxels * 8 + 2 * voxels, largest: join(images, 'uncompressed') })
    expect(files.dicomIndex?.series).toHaveLength(1)
    await files.close()
  })

  it('the Preview shows a DICOM case on its true grid with its mask', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const r = await inspectCase({ op: 'inspect', input: input('uncompressed'), want: 'preview' })
    expect(r.report.status, JSON.stringify(r.report.findings)).toBe('ok')
    const ref = scans.variants.uncompressed!.series![0]!.geometry!
    expect(r.report.geometry!.size).toEqual(ref.size)
    r.report.geometry!.origin.forEach((v, i) => expect(v).toBeCloseTo(ref.origin[i]!, 4))
    expect(r.report.voxelCounts.body).toBeGreaterThan(100_000)
    expect(r.imageNii!.byteLength).toBeGreaterThan(512 * 512 * 20)
  })
})
