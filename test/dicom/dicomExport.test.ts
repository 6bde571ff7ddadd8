// Predictions back as DICOM (issue 20, item 5), through the built CLI as a user runs it:
// `nnunet-wizard dicom export` writes a DICOM-SEG and an RTSTRUCT of a label map computed on the
// real CT (makeDicom.py's series with valid UIDs: as scanned, and turned 180 degrees in plane),
// and the references read them back: highdicom's SEG by source instance must equal the label map
// voxel for voxel; rt-utils' RTSTRUCT masks must reach Dice >= 0.98 (body, ring with a hole) and
// >= 0.95 (a one-voxel bone rim). The UIDs referenced (study, series, frame of reference, every
// instance), the patient copied, the names and colours, and the refusal of a label map on another
// grid are checked too.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLabelColor } from '../../shared/labelColors'
import { readVolume } from '../../electron/imaging/volume'
import { readRtstruct } from '../../electron/imaging/dicom/rtstructRead'
import { writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'
import { referencePython } from '../helpers/referencePython'
import { dicomScans, type DicomScans } from './dicomScans'
import { EXPORT_VARIANTS, exportLabels } from './exportLabels'

const SCRIPT = join(REPO_ROOT, 'test', 'dicom', 'exportCases.py')
const VARIANTS = EXPORT_VARIANTS

let scans: DicomScans | undefined
let labelsDir = ''
let missing = ''
let out = ''

function run(file: string, args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO_ROOT, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const cli = (args: string[]) => {
  const [file, argv] = builtCli(['dicom', 'export', ...args])
  return run(file, argv)
}

beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  labelsDir = await exportLabels(got)
  out = await mkdtemp(join(tmpdir(), 'nnunet-wizard-dicom-export-'))
}, 300_000)

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true })
})

interface Check {
  series: { study: string; series: string; for: string; patientId: string; patientName: string }
  seriesInstances: string[]
  seg: {
    mismatched: number
    voxels: number
    frames: number
    nonEmptySlicesPerLabel: Record<string, number>
    study: string
    series: string
    for: string
    referencedInstances: string[]
    frameSourcesInSeries: boolean
    framePositionsMatchSources: boolean
    patientId: string
    patientName: string
    segmentationType: string
    segments: { number: number; label: string; rgb: number[]; algorithmType: string; algorithmName: string; algorithmVersion: string; parameters: string }[]
  }
  rtstruct: {
    for: string
    study: string
    studyInstanceUid: string
    series: string
    contourImages: string[]
    patientId: string
    rois: { name: string; colour: number[]; dice: number; voxels: number; readBack: number; contours: number; contourImagesInSeries: boolean; algorithm: string }[]
  }
}

const ALGORITHM = ['--nnunet-version', '2.6.2', '--configuration', '3d_fullres', '--trainer', 'nnUNetTrainer', '-f', '0', '-f', '1']

/** Exports `variant`'s label map as `format` with the built CLI, then reads it back with the reference. */
async function exportAndCheck(variant: string, format: 'seg' | 'rtstruct'): Promise<Check> {
  const series = join(scans!.cases, variant)
  const labels = join(labelsDir, variant, 'labels.nii.gz')
  const datasetJson = join(labelsDir, variant, 'dataset.json')
  const target = join(out, `${variant}.${format}.dcm`)
  const before = (await readdir(series)).sort()
  const r = await cli(['--labels', labels, '--reference', series, '--format', format, '--out', target, '--dataset-json', datasetJson, ...ALGORITHM])
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toContain(`Wrote ${target} (${format === 'seg' ? 'DICOM-SEG' : 'RTSTRUCT'}`)
  // The series folder is read, never written.
  expect((await readdir(series)).sort()).toEqual(before)
  const c = await run(referencePython().python!, [SCRIPT, 'check', series, labels, datasetJson, format === 'seg' ? target : '-', format === 'rtstruct' ? target : '-'])
  expect(c.code, c.stderr).toBe(0)
  return JSON.parse(c.stdout) as Check
}

describe('dicom export: SEG and RTSTRUCT read back by highdicom and rt-utils', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: the SEG equals the label map voxel for voxel (highdicom), with its references, names, colours, algorithm`, async (ctx) => {
      if (!scans) return ctx.skip(missing)
      const c = await exportAndCheck(variant, 'seg')
      expect(c.seg.mismatched).toBe(0)
      expect(c.seg.voxels).toBe(512 * 512 * 20)
      expect(c.seg.segmentationType).toBe('BINARY')
      // Empty frames omitted: one frame per label and slice that holds it (the ring is on 12 of 20).
      expect(c.seg.frames).toBe(Object.values(c.seg.nonEmptySlicesPerLabel).reduce((x, y) => x + y, 0))
      expect(c.seg.nonEmptySlicesPerLabel.ring).toBe(12)
      expect(c.seg.study).toBe(c.series.study)
      expect(c.seg.series).toBe(c.series.series)
      expect(c.seg.for).toBe(c.series.for)
      expect(c.seg.referencedInstances).toEqual(c.seriesInstances)
      expect(c.seg.frameSourcesInSeries).toBe(true)
      expect(c.seg.framePositionsMatchSources).toBe(true)
      expect([c.seg.patientId, c.seg.patientName]).toEqual([c.series.patientId, c.series.patientName])
      expect(c.seg.segments.map((s) => s.label)).toEqual(['body', 'bone_rim', 'ring'])
      // CIELab as highdicom converts it back: the app's colours of labels 1, 2, 3.
      expect(c.seg.segments.map((s) => s.rgb)).toEqual([1, 2, 3].map((v) => defaultLabelColor(v)))
      for (const s of c.seg.segments) {
        expect(s.algorithmType).toBe('AUTOMATIC')
        expect([s.algorithmName, s.algorithmVersion]).toEqual(['nnU-Net', '2.6.2'])
        expect(s.parameters).toBe('configuration=3d_fullres; trainer=nnUNetTrainer; folds=0,1')
      }
    }, 60_000)

    it(`${variant}: the RTSTRUCT read back by rt-utils reaches Dice >= 0.98 (body, ring) and >= 0.95 (bone rim), with its references`, async (ctx) => {
      if (!scans) return ctx.skip(missing)
      const c = await exportAndCheck(variant, 'rtstruct')
      const dice = Object.fromEntries(c.rtstruct.rois.map((x) => [x.name, x.dice]))
      console.log(`${variant} RTSTRUCT Dice (rt-utils): ${c.rtstruct.rois.map((x) => `${x.name} ${x.dice.toFixed(4)} (${x.voxels} voxels, ${x.contours} contours)`).join(', ')}`)
      expect(c.rtstruct.rois.map((x) => x.name)).toEqual(['body', 'bone_rim', 'ring'])
      expect(dice.body).toBeGreaterThanOrEqual(0.98)
      expect(dice.ring).toBeGreaterThanOrEqual(0.98)
      expect(dice.bone_rim).toBeGreaterThanOrEqual(0.95)
      expect(c.rtstruct.rois.map((x) => x.colour)).toEqual([1, 2, 3].map((v) => defaultLabelColor(v)))
      expect(c.rtstruct.rois.every((x) => x.contourImagesInSeries && x.algorithm === 'AUTOMATIC')).toBe(true)
      expect(c.rtstruct.for).toBe(c.series.for)
      expect(c.rtstruct.study).toBe(c.series.study)
      expect(c.rtstruct.studyInstanceUid).toBe(c.series.study)
      expect(c.rtstruct.series).toBe(c.series.series)
      expect(c.rtstruct.contourImages).toEqual(c.seriesInstances)
      expect(c.rtstruct.patientId).toBe(c.series.patientId)
    }, 60_000)
  }

  it('enhanced multi-frame series: each SEG frame references its source frame (ReferencedFrameNumber); voxel-exact by source frame', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    // The enhanced case holds the plain case's 20 slices in one file: the same grid, so the same label map.
    const series = join(scans.cases, 'enhanced')
    const target = join(out, 'enhanced.seg.dcm')
    const r = await cli(['--labels', join(labelsDir, 'plain', 'labels.nii.gz'), '--reference', series, '--format', 'seg', '--out', target, '--dataset-json', join(labelsDir, 'plain', 'dataset.json')])
    expect(r.code, r.stderr).toBe(0)
    const [file] = await readdir(series)
    const c = await run(referencePython().python!, [SCRIPT, 'check-frames', join(series, file!), join(labelsDir, 'plain', 'labels.nii.gz'), target])
    expect(c.code, c.stderr).toBe(0)
    const got = JSON.parse(c.stdout) as { mismatched: number; voxels: number; frames: number; sourceInstance: string; referencedInstances: string[]; referencedFrames: number[] }
    expect(got.mismatched).toBe(0)
    expect(got.voxels).toBe(512 * 512 * 20)
    expect(got.referencedInstances).toEqual([got.sourceInstance])
    expect(got.referencedFrames).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  }, 60_000)

  it('a prediction that found nothing: a SEG with one empty frame and an RTSTRUCT with empty ROIs, both read back empty', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const grid = await readVolume(join(labelsDir, 'plain', 'labels.nii.gz'))
    const empty = join(out, 'empty.nii.gz')
    await writeNiftiGz(empty, grid, new Uint8Array(grid.data!.length))
    const series = join(scans.cases, 'plain')
    const datasetJson = join(labelsDir, 'plain', 'dataset.json')
    for (const format of ['seg', 'rtstruct']) {
      const r = await cli(['--labels', empty, '--reference', series, '--format', format, '--out', join(out, `empty.${format}.dcm`), '--dataset-json', datasetJson])
      expect(r.code, r.stderr).toBe(0)
    }
    const r = await run(referencePython().python!, [SCRIPT, 'check', series, empty, datasetJson, join(out, 'empty.seg.dcm'), join(out, 'empty.rtstruct.dcm')])
    expect(r.code, r.stderr).toBe(0)
    const c = JSON.parse(r.stdout) as Check
    expect([c.seg.mismatched, c.seg.frames]).toEqual([0, 1])
    expect(c.seg.segments.map((x) => x.label)).toEqual(['body', 'bone_rim', 'ring'])
    expect(c.rtstruct.rois.map((x) => [x.name, x.contours, x.readBack])).toEqual([
      ['body', 0, 0],
      ['bone_rim', 0, 0],
      ['ring', 0, 0],
    ])
  }, 60_000)

  it('a contour of thousands of points (a ragged prediction): ContourData over 64 KB, read back by rt-utils and by our reader', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    // One region on slice 10 whose border is a comb: a tooth every second voxel on all four sides.
    const grid = await readVolume(join(labelsDir, 'plain', 'labels.nii.gz'))
    const [nx, ny] = grid.size as [number, number, number]
    const mask = new Uint8Array(grid.data!.length)
    const z = 10
    const set = (x: number, y: number) => (mask[z * nx * ny + y * nx + x] = 1)
    for (let y = 20; y < 490; y++) for (let x = 20; x < 490; x++) set(x, y)
    for (let i = 20; i < 490; i += 2) {
      for (let d = 1; d <= 3; d++) {
        set(i, 20 - d)
        set(i, 489 + d)
        set(20 - d, i)
        set(489 + d, i)
      }
    }
    const ragged = join(out, 'ragged.nii.gz')
    await writeNiftiGz(ragged, grid, mask)
    const series = join(scans.cases, 'plain')
    const datasetJson = join(labelsDir, 'plain', 'dataset.json')
    const target = join(out, 'ragged.rtstruct.dcm')
    const r = await cli(['--labels', ragged, '--reference', series, '--format', 'rtstruct', '--out', target, '--dataset-json', datasetJson])
    expect(r.code, r.stderr).toBe(0)
    // The case this test is about: one contour whose decimal strings pass a 16-bit length.
    const read = await readRtstruct(target)
    // ContourData as the file holds it: the writer's decimal strings joined by backslashes.
    const longest = Math.max(...read.rois.flatMap((roi) => roi.contours.map((c) => c.points.map(String).join('\\').length)))
    expect(longest).toBeGreaterThan(65_534)
    const c = await run(referencePython().python!, [SCRIPT, 'check', series, ragged, datasetJson, '-', target])
    expect(c.code, c.stderr).toBe(0)
    const got = JSON.parse(c.stdout) as Check
    expect(got.rtstruct.rois.find((x) => x.name === 'body')?.dice).toBeGreaterThanOrEqual(0.98)
  }, 60_000)

  it('refuses a label map on another grid by name, and writes nothing', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const target = join(out, 'wrong.seg.dcm')
    const wrong = join(labelsDir, 'plain', 'wrong_grid.nii.gz')
    const r = await cli(['--labels', wrong, '--reference', join(scans.cases, 'plain'), '--format', 'seg', '--out', target])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`The label map ${wrong} is not on the grid of the reference series`)
    expect(r.stderr).toMatch(/the spacing differs.*256x256x10 voxels.*512x512x20 voxels/)
    expect(r.stderr).toContain('never resampled')
    expect(existsSync(target)).toBe(false)
    expect((await readdir(out)).filter((n) => n.includes('nnunet-wizard-tmp'))).toEqual([])
  }, 60_000)

  it('refuses to write into the reference series folder and an unknown format; --help is the subcommand’s', async (ctx) => {
    if (!scans) return ctx.skip(missing)
    const series = join(scans.cases, 'plain')
    const inside = await cli(['--labels', join(labelsDir, 'plain', 'labels.nii.gz'), '--reference', series, '--format', 'rtstruct', '--out', join(series, 'x.dcm')])
    expect(inside.code).toBe(1)
    expect(inside.stderr).toContain('is inside the reference series folder')
    expect(existsSync(join(series, 'x.dcm'))).toBe(false)
    const bad = await cli(['--labels', 'l.nii.gz', '--reference', series, '--format', 'nifti', '--out', join(out, 'x.dcm')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--format is seg or rtstruct')
    // --help after the subcommand is the subcommand's help, not the dicom command's list.
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: nnunet-wizard dicom export --labels FILE --reference DIR --format seg|rtstruct --out FILE')
  }, 60_000)
})
