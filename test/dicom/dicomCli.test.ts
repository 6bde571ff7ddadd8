// DICOM through the built CLI (issue 20, items 1, 6, 7): `nnunet-wizard dicom list --json` on case
// folders of the real CT, and `prepare` of a folder of DICOM case folders ending in a dataset whose
// images equal SimpleITK's reads of the same series, with nothing from a DICOM tag (patient,
// dates, UIDs) or a source name in dataset.json, manifest.json or the file names.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DicomOverview } from '../../shared/api/dicom'
import { naturalCompare } from '../../shared/naturalSort'
import { readVolume } from '../../electron/imaging/volume'
import { builtCli } from '../helpers/builtCli'
import { cliEnv, prepareCli, treeOf } from '../dataset/prepareCli'
import { dicomScans, type DicomScans } from './dicomScans'

const run = promisify(execFile)
let scans: DicomScans | undefined
let missing = ''
let tmp: string

beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) missing = got.missing
  else scans = got
  tmp = await mkdtemp(join(tmpdir(), 'nnw-dicom-cli-'))
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

async function copyCases(names: string[], to: string): Promise<void> {
  await mkdir(to, { recursive: true })
  for (const n of names) await cp(join(scans!.cases, n), join(to, n), { recursive: true })
}

describe('nnunet-wizard dicom list', () => {
  it('--json: per case the series, the chosen one, and every problem by name', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const dir = join(tmp, 'list')
    await copyCases(['plain', 'two_series', 'tilted', 'missing'], dir)
    const [file, args] = builtCli(['dicom', 'list', dir, '--json'])
    const r = await run(file, args, { env: cliEnv(join(tmp, 'appdata')) }).catch((e: { code: number; stdout: string; stderr: string }) => e)
    expect((r as { code?: number }).code, r.stderr).toBe(1) // some case has a problem
    const o = JSON.parse(r.stdout) as DicomOverview
    expect(o.cases.map((c) => c.caseKey)).toEqual(['missing', 'plain', 'tilted', 'two_series'])
    const by = Object.fromEntries(o.cases.map((c) => [c.caseKey, c]))
    const plain = by.plain!
    expect(plain.problems).toEqual([])
    expect(plain.series).toHaveLength(1)
    expect(plain.chosenSeriesUid).toBe(plain.series[0]!.seriesInstanceUid)
    expect(plain.series[0]).toMatchObject({ modality: 'CT', seriesDescription: 'CT Body 3.0', transferSyntax: 'JPEG 2000 Lossless', size: [512, 512, 20], files: 20, orientation: [1, 0, 0, 0, 1, 0], referencedBy: [] })
    expect(plain.series[0]!.spacing[2]).toBeCloseTo(2, 6)
    expect(by.missing!.problems.map((p) => p.code)).toEqual(['missing-slices'])
    expect(by.tilted!.problems.map((p) => p.code)).toEqual(['gantry-tilt'])
    expect(by.two_series!.chosenSeriesUid).toBeNull()
    expect(by.two_series!.problems[0]!.code).toBe('ambiguous-series')
    expect(by.two_series!.series.map((s) => s.seriesDescription)).toEqual(['CT soft tissue', 'CT bone'])
    // --series picks one.
    const [f2, a2] = builtCli(['dicom', 'list', join(dir, 'two_series'), '--series', 'bone', '--json'])
    const r2 = await run(f2, a2, { env: cliEnv(join(tmp, 'appdata')) })
    const o2 = JSON.parse(r2.stdout) as DicomOverview
    expect(o2.cases).toHaveLength(1)
    expect(o2.cases[0]!.chosenSeriesUid).toBe(o2.cases[0]!.series.find((s) => s.seriesDescription === 'CT bone')!.seriesInstanceUid)
  }, 120_000)
})

describe('prepare from DICOM case folders', () => {
  // Five real 20-slice series (JPEG 2000 ones among them) decoded by GDCM in WebAssembly on a shared machine.
  it('writes images equal to SimpleITK’s reads, with no patient data or source names in the dataset', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const cases = ['plain', 'shuffled', 'reversed', 'rotated', 'uncompressed']
    const images = join(tmp, 'images')
    await copyCases(cases, images)
    const masks = join(tmp, 'body')
    await mkdir(masks)
    for (const c of cases) await cp(join(scans.masks, 'body', `${c}.nii.gz`), join(masks, `${c}.nii.gz`))
    const out = join(tmp, 'out')
    const r = await prepareCli(['--images', images, '--label', `body=${masks}`, '--out', out, '--id', '61', '--name', 'Dicom', '--no-source-paths'], cliEnv(join(tmp, 'appdata')))
    expect(r.code, r.stderr).toBe(0)
    const ds = join(out, 'Dataset061_Dicom')
    const written = (await readdir(join(ds, 'imagesTr'))).sort()
    expect(written).toHaveLength(5)
    // Case ids follow the case keys' natural order.
    const keys = [...cases].sort(naturalCompare)
    for (const [i, key] of keys.entries()) {
      const ours = await readVolume(join(ds, 'imagesTr', written[i]!))
      const ref = await readVolume(join(scans.expected, `${key}.nii.gz`))
      expect(ours.size).toEqual(ref.size)
      for (const f of ['spacing', 'origin', 'direction'] as const) ours[f].forEach((v, j) => expect(Math.abs(v - ref[f][j]!), `${key} ${f}`).toBeLessThan(1e-4))
      expect(ours.componentType).toBe('int16')
      const a = ours.data as Int16Array
      const b = ref.data as Int16Array
      let diff = 0
      for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) diff++
      expect(diff, `${key}: voxels differing from SimpleITK`).toBe(0)
      const label = await readVolume(join(ds, 'labelsTr', written[i]!.replace('_0000', '')))
      const mask = await readVolume(join(masks, `${key}.nii.gz`))
      expect(Buffer.compare(Buffer.from((label.data as Uint8Array).buffer), Buffer.from((mask.data as Uint8Array).buffer))).toBe(0)
    }
    // Patient data stays where it was: not in dataset.json, manifest.json or any name in the dataset.
    const tree = await treeOf(ds)
    const text = (await Promise.all(['dataset.json', 'manifest.json'].map((f) => readFile(join(ds, f), 'utf8')))).join('\n') + Object.keys(tree).join('\n')
    for (const secret of [scans.patient.PatientID, 'Doe', scans.patient.StudyDate, '1.2.826.0.1.3680043', 'CT.1.3.12', ...cases]) {
      expect(text.includes(secret), `the dataset holds "${secret}"`).toBe(false)
    }
    const manifest = JSON.parse(await readFile(join(ds, 'manifest.json'), 'utf8')) as { cases: Record<string, { sources: { role: string; sha256: string; path?: string }[] }> }
    // Every DICOM file read is fingerprinted (by content only), so a changed file is seen.
    for (const c of Object.values(manifest.cases)) {
      expect(c.sources.filter((s) => s.role === 'image')).toHaveLength(20)
      expect(c.sources.every((s) => s.path === undefined)).toBe(true)
    }
  }, 300_000)
})
