// DICOM scans (issue 20, items 1-3): the real CT series in the variants a hospital export has
// (makeDicom.py), indexed, chosen and read by the app, against SimpleITK's ImageSeriesReader (GDCM)
// reading the same files: voxel for voxel, geometry within 1e-4, slices in the same order. The
// tilted, gapped and ambiguous cases are refused by name.
import { basename, join, relative } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseSeries, indexDicomFolder, readDicomSeries } from '../../electron/imaging/dicom'
import type { DicomSeriesInfo } from '../../shared/api/dicom'
import { readVolume } from '../../electron/imaging/volume'
import { dicomScans, type DicomScans } from './dicomScans'

let scans: DicomScans | undefined
let missing = ''
beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) missing = got.missing
  else scans = got
}, 300_000)

function closeTo(a: number[], b: number[], tol = 1e-4): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol)
}

async function readAndCompare(caseName: string, pattern?: string, seriesKey?: string, type = 'int16'): Promise<DicomSeriesInfo> {
  const s = scans!
  const index = await indexDicomFolder(join(s.cases, caseName))
  expect(index.unreadable).toEqual([])
  const choice = chooseSeries(index, { pattern })
  if (!choice.ok) throw new Error(choice.problem.text)
  const entry = s.variants[caseName]!.series!.find((x) => (seriesKey ? x.series === seriesKey : true))!
  expect(choice.series.seriesInstanceUid).toBe(entry.uid)
  const ours = await readDicomSeries(choice.series)
  const refEntry = entry.sameAs ? s.variants[entry.sameAs]!.series![0]! : entry
  expect(refEntry.expected, refEntry.sitkError).toBeTruthy()
  const ref = await readVolume(join(s.expected, refEntry.expected!))
  expect(ours.size).toEqual(ref.size)
  expect(closeTo(ours.spacing, ref.spacing), `spacing ${ours.spacing} vs ${ref.spacing}`).toBe(true)
  expect(closeTo(ours.origin, ref.origin), `origin ${ours.origin} vs ${ref.origin}`).toBe(true)
  expect(closeTo(ours.direction, ref.direction), `direction ${ours.direction} vs ${ref.direction}`).toBe(true)
  expect(ours.componentType).toBe(type)
  const a = ours.data as ArrayLike<number>
  const b = ref.data as ArrayLike<number>
  expect(a.length).toBe(b.length)
  let diff = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++
  expect(diff, `${diff} voxels differ from SimpleITK`).toBe(0)
  // Same slice order as GDCM's own sort (SimpleITK's GetGDCMSeriesFileNames), whatever the file names.
  if (!entry.sameAs) expect(choice.series.files.map((f) => relative(join(s.cases, caseName), f))).toEqual((entry as { files?: string[] }).files)
  return choice.series
}

describe('DICOM scans against SimpleITK', () => {
  const readable: [string, string?, string?][] = [['plain'], ['shuffled'], ['reversed'], ['rotated'], ['uncompressed'], ['rle'], ['jpegls'], ['two_series', 'SOFT', 'a'], ['two_series', '^ct bone$', 'b']]
  for (const [name, pattern, key] of readable) {
    it(`${name}${pattern ? ` --series ${pattern}` : ''}: voxel-exact, geometry within 1e-4`, async (ctx) => {
      if (!scans) return ctx.skip(missing)
      const s = await readAndCompare(name, pattern, key)
      expect(s.problems).toEqual([])
      expect(new Set(s.slices.map((x) => x.sopInstanceUid)).size).toBe(20)
    })
  }

  it('unsigned storage with RescaleIntercept -1024: applied, and int16 because that holds every value exactly', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const s = await readAndCompare('unsigned')
    expect(s.pixelRepresentation).toBe(0)
  })

  it('RescaleSlope 0.5: half-HU values, float32 (SimpleITK reads float64: the same values)', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const s = await readAndCompare('halves', undefined, undefined, 'float32')
    expect(s.rescaleSlope).toBe(0.5)
  })

  it('the transfer syntaxes are named in the index', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const names = await Promise.all(['plain', 'uncompressed', 'rle', 'jpegls'].map(async (c) => (await indexDicomFolder(join(scans!.cases, c))).series[0]!.transferSyntax))
    expect(names).toEqual(['JPEG 2000 Lossless', 'Explicit VR Little Endian', 'RLE Lossless', 'JPEG-LS Lossless'])
  })

  it('plain: the index knows the JPEG 2000 transfer syntax, the UIDs and each slice position', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const index = await indexDicomFolder(join(scans.cases, 'plain'))
    const s = index.series[0]!
    expect(s.transferSyntax).toBe('JPEG 2000 Lossless')
    expect(s.studyInstanceUid).toMatch(/^1\.2\.826\./)
    expect(s.frameOfReferenceUid).toMatch(/^1\.2\.826\./)
    expect(s.modality).toBe('CT')
    // Ascending along the normal, 2 mm apart, the first one at the origin.
    const along = s.slices.map((x) => x.along)
    along.slice(1).forEach((z, i) => expect(z - along[i]!).toBeCloseTo(2, 6))
    expect(s.slices[0]!.position).toEqual(s.origin)
  })

  it('enhanced (Legacy Converted Enhanced CT, one multi-frame file): the same voxels and geometry as the single-frame series', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    if (scans.variants.enhanced?.skipped) return ctx.skip(`highdicom could not make it: ${scans.variants.enhanced.skipped}`)
    const s = await readAndCompare('enhanced')
    expect(s.multiFrame).toBe(true)
    expect(s.files).toHaveLength(1)
  })
})

describe('DICOM geometry refused by name', () => {
  it('missing slice: the gap, its positions and files are named; reading refuses', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const index = await indexDicomFolder(join(scans.cases, 'missing'))
    const s = index.series[0]!
    const p = s.problems.find((x) => x.code === 'missing-slices')
    expect(p?.text).toMatch(/missing slices \(its step is 2 mm\): 1 slice between -792\.5 mm \(\S+\) and -788\.5 mm \(\S+\)/)
    expect(p!.files.map((f) => basename(f))).toHaveLength(2)
    expect(s.volumetric).toBe(false)
    const choice = chooseSeries(index)
    expect(choice.ok).toBe(true)
    await expect(readDicomSeries(s)).rejects.toThrow(/missing slices/)
  })

  it('tilted: refused as gantry tilt with its angle, never sheared', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const index = await indexDicomFolder(join(scans.cases, 'tilted'))
    const s = index.series[0]!
    expect(s.problems.map((p) => p.code)).toEqual(['gantry-tilt'])
    expect(s.problems[0]!.text).toMatch(/is tilted: .*\(15° from the slice normal; GantryDetectorTilt 15°/)
    await expect(readDicomSeries(s)).rejects.toThrow(/tilted/)
  })

  it('two series and nothing that says which: refused, listing both with number, description, slices, spacing', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const index = await indexDicomFolder(join(scans.cases, 'two_series'))
    expect(index.series.map((s) => s.seriesDescription)).toEqual(['CT soft tissue', 'CT bone'])
    const choice = chooseSeries(index)
    expect(choice.ok).toBe(false)
    if (choice.ok) return
    expect(choice.problem.code).toBe('ambiguous-series')
    expect(choice.problem.text).toContain('#2 "CT soft tissue" CT, 20 slices, 512x512, 0.977 x 0.977 x 2 mm')
    expect(choice.problem.text).toContain('#3 "CT bone" CT, 20 slices')
    expect(choice.problem.text).toMatch(/--series REGEX/)
    const none = chooseSeries(index, { pattern: 'lung' })
    expect(!none.ok && none.problem.text).toMatch(/No series .* matching \/lung\/i/)
    const both = chooseSeries(index, { pattern: '^CT' })
    expect(!both.ok && both.problem.text).toMatch(/2 series .* matching/)
  })

  it('a structure set that references a series picks it; one referencing a series not in the folder is refused', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const index = await indexDicomFolder(join(scans.cases, 'two_series'))
    const bone = index.series.find((s) => s.seriesDescription === 'CT bone')!
    const rt = { kind: 'rtstruct' as const, file: join(index.dir, 'rs.dcm'), sopInstanceUid: '1.2.3', seriesInstanceUid: '1.2.4', seriesDescription: 'contours', referencedSeriesUid: bone.seriesInstanceUid, frameOfReferenceUid: bone.frameOfReferenceUid, names: ['Body'] }
    const picked = chooseSeries({ ...index, structures: [rt] })
    expect(picked.ok && picked.why).toBe('referenced')
    expect(picked.ok && picked.series.seriesInstanceUid).toBe(bone.seriesInstanceUid)
    const elsewhere = chooseSeries({ ...index, structures: [{ ...rt, referencedSeriesUid: '1.2.999' }] })
    expect(!elsewhere.ok && elsewhere.problem.code).toBe('referenced-series-missing')
  })
})
