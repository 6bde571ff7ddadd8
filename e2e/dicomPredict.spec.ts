// Predict on a folder of DICOM cases, then "Write them back as DICOM" (issue 20 item 5), in browser
// mode against the real server and the real nnU-Net v2: the trained 2-fold model of the cached
// fixture (test/results/trainedFixture.ts, a private copy) predicts a DICOM case folder of the real
// CT (test/dicom/makeDicom.py's plain series, cut to SLICES neighbouring slices picked by their
// position along the normal: nnU-Net on the CPU takes seconds per slice) from the Predict step, and
// the Predict step's DICOM button writes a DICOM-SEG and an RTSTRUCT for it.
// What was written is read back by the references in their own venv (test/dicom/exportCases.py):
// highdicom's SEG read-back must equal nnU-Net's prediction voxel for voxel on the series' slices,
// rt-utils must read the RTSTRUCT's ROIs, and both must reference the case's study, series, frame
// of reference and instances, with the patient copied and the model recorded. A 2-epoch model finds
// little that is anatomy; what matters here is that what it wrote comes back exactly as DICOM.
// Needs the pinned nnU-Net venv and the reference venv; skipped with the reason without them.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dicomScans, type DicomScans } from '../test/dicom/dicomScans'
import { nnunetPython, REPO_ROOT } from '../test/helpers/python'
import { referencePython } from '../test/helpers/referencePython'
import { readImage } from '../test/helpers/nifti'
import { FIXTURE_DATASET, FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from '../test/results/trainedFixture'
import { defaultLabelColor } from '../shared/labelColors'
import { expect, startWizardServerOn, test, type WizardServer } from './support/server'
import { shot } from './support/wizardHelpers'

const CASES = ['plain']
/** Neighbouring slices of the 20 kept: a real, evenly spaced series, small enough to predict on a CPU. */
const SLICES = 4
const NAMES: Record<number, string> = { 1: 'liver', 2: 'spleen' }
const py = nnunetPython('v2')
const run = promisify(execFile)

/** What exportCases.py `check` prints (the fields this spec reads). */
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
    segments: { label: string; rgb: number[]; algorithmType: string; algorithmName: string; parameters: string }[]
  }
  rtstruct: {
    for: string
    study: string
    series: string
    contourImages: string[]
    patientId: string
    rois: { name: string; dice: number; voxels: number; readBack: number; contours: number; contourImagesInSeries: boolean; algorithm: string }[]
  }
}

let root: string
let fx: TrainedFixture
let scans: DicomScans | undefined
let server: WizardServer | undefined
let missing = ''

test.beforeAll(async () => {
  test.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  // The fixture is built by the "fixtures" setup project (or here, with --no-deps on a cold cache).
  test.setTimeout(3_600_000)
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  root = await mkdtemp(join(tmpdir(), 'dicom-predict-e2e-'))
  fx = await trainedFixture(join(root, 'fixture'), py.python!)
  // A DICOM input folder as a hospital hands it out: one sub-folder of DICOM files per case.
  const ref = referencePython()
  if (!ref.python) {
    missing = ref.reason
    return
  }
  for (const c of CASES) {
    await mkdir(join(root, 'dicom-in', c), { recursive: true })
    for (const f of await middleSlices(ref.python, join(scans.cases, c), SLICES)) await cp(join(scans.cases, c, f), join(root, 'dicom-in', c, f))
  }
  server = await startWizardServerOn(fx.dataDir, { folders: fx.settings.folders, pythonPath: py.python })
})

test.afterAll(async () => {
  await server?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

test('predict DICOM cases, write them back as DICOM-SEG and RTSTRUCT; highdicom and rt-utils read back what nnU-Net wrote', async ({ page }) => {
  test.skip(missing !== '', missing)
  const ref = referencePython()
  test.setTimeout(900_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const input = join(root, 'dicom-in')
  const output = join(root, 'predicted')

  await page.goto(server!.url)
  await page.getByTestId('step-predict').click()
  await expect(page.getByTestId('predict-model')).toContainText(`Dataset${FIXTURE_ID}_Results · 2d · ${FIXTURE_TRAINER}`)
  await page.getByTestId('predict-input').fill(input)
  await page.getByTestId('predict-output').fill(output)
  await page.getByTestId('predict-fold-0').check()
  await page.getByTestId('predict-fold-1').uncheck()
  await page.getByTestId('start-predict').click()
  const job = page.getByTestId('job-predict')
  await expect
    .poll(
      async () => {
        const state = await job.getAttribute('data-state')
        if (state === 'failed') throw new Error(`prediction failed: ${await job.getByRole('alert').first().textContent()}`)
        return state
      },
      { timeout: 600_000, intervals: [1000] },
    )
    .toBe('done')
  // One prediction per DICOM case folder, named as the folder.
  expect((await readdir(output)).filter((f) => f.endsWith('.nii.gz')).sort()).toEqual(CASES.map((c) => `${c}.nii.gz`))

  // ---- The DICOM button: both formats
  const panel = page.getByTestId('dicom-export')
  await expect(panel).toBeVisible()
  await panel.getByTestId('dicom-export-format').selectOption('both')
  await panel.getByTestId('dicom-export-start').click()
  await expect(panel.getByTestId('dicom-export-done')).toContainText(`${CASES.length * 2} DICOM files in ${join(output, 'dicom')}`, { timeout: 240_000 })
  await panel.scrollIntoViewIfNeeded()
  await shot(page, 'dicom-predict-01-exported')
  expect((await readdir(join(output, 'dicom'))).sort()).toEqual(CASES.flatMap((c) => [`${c}_rtstruct.dcm`, `${c}_seg.dcm`]))
  // The DICOM input folder is only read.
  for (const c of CASES) expect(await readdir(join(input, c))).toHaveLength(SLICES)

  // ---- Read back by the references, case by case
  for (const c of CASES) {
    const prediction = join(output, `${c}.nii.gz`)
    const seg = (await readImage(prediction)).data as ArrayLike<number>
    const present = [1, 2].filter((v) => Array.prototype.some.call(seg, (x: number) => x === v))
    const { stdout } = await run(ref.python!, [join(REPO_ROOT, 'test', 'dicom', 'exportCases.py'), 'check', join(input, c), prediction, join(output, 'dataset.json'), join(output, 'dicom', `${c}_seg.dcm`), join(output, 'dicom', `${c}_rtstruct.dcm`)], { cwd: REPO_ROOT, timeout: 120_000, maxBuffer: 64 << 20 })
    const r = JSON.parse(stdout) as Check
    const rois = r.rtstruct.rois.map((x) => `${x.name}: ${x.voxels} voxels, ${x.contours} contours, Dice ${x.dice.toFixed(4)}`).join('; ')
    test.info().annotations.push({ type: `${c}`, description: `labels ${present.map((v) => NAMES[v]).join(', ') || 'none'}; SEG ${r.seg.frames} frames; RTSTRUCT ${rois}` })
    console.log(`${c}: labels present ${present.map((v) => NAMES[v]).join(', ') || 'none'}; SEG ${r.seg.frames} frames, ${r.seg.mismatched} mismatched; RTSTRUCT ${rois}`)
    expect(present.length, `${c}: the model wrote some foreground`).toBeGreaterThan(0)

    // SEG: highdicom's read-back equals nnU-Net's prediction voxel for voxel, one segment per label it holds.
    expect(r.seg.voxels).toBe(512 * 512 * SLICES)
    expect(r.seg.mismatched, `${c}: SEG voxels differing from the prediction`).toBe(0)
    expect(r.seg.segmentationType).toBe('BINARY')
    // Every label of dataset.json is a segment (frames only where the model wrote it), as the writer's empty-prediction test pins.
    expect(r.seg.segments.map((s) => s.label)).toEqual(Object.values(NAMES))
    expect(r.seg.segments.map((s) => s.rgb)).toEqual([1, 2].map((v) => defaultLabelColor(v)))
    expect(r.seg.frames).toBe(present.reduce((n, v) => n + r.seg.nonEmptySlicesPerLabel[NAMES[v]!]!, 0))
    for (const s of r.seg.segments) {
      expect([s.algorithmType, s.algorithmName]).toEqual(['AUTOMATIC', 'nnU-Net'])
      expect(s.parameters).toContain(`dataset=${FIXTURE_DATASET}; configuration=2d; trainer=${FIXTURE_TRAINER}`)
      expect(s.parameters).toMatch(/folds=0(;|$)/)
    }
    // ... on the case's own series: study, series, frame of reference, every instance, the patient.
    expect([r.seg.study, r.seg.series, r.seg.for]).toEqual([r.series.study, r.series.series, r.series.for])
    expect(r.seg.series).toBe(scans!.variants[c]!.series![0]!.uid)
    expect(r.seriesInstances).toHaveLength(SLICES)
    expect(r.seg.referencedInstances).toEqual(r.seriesInstances)
    expect(r.seg.frameSourcesInSeries && r.seg.framePositionsMatchSources).toBe(true)
    expect([r.seg.patientId, r.seg.patientName]).toEqual([r.series.patientId, r.series.patientName])

    // RTSTRUCT: one ROI per label of dataset.json (one the model did not find is an empty ROI, as
    // the writer's empty-prediction test pins); rt-utils reads each found one back on the series.
    expect(r.rtstruct.rois.map((x) => x.name)).toEqual(Object.values(NAMES))
    for (const roi of r.rtstruct.rois) {
      if (!present.some((v) => NAMES[v] === roi.name)) {
        expect([roi.contours, roi.readBack], `${c} ${roi.name}: not in the prediction, an empty ROI`).toEqual([0, 0])
        continue
      }
      expect(roi.readBack, `${c} ${roi.name}: rt-utils read voxels back`).toBeGreaterThan(0)
      // The floor for thin structures: a 2-epoch model's output is thousands of fragments.
      expect(roi.dice, `${c} ${roi.name}: Dice of rt-utils' read-back against the prediction`).toBeGreaterThanOrEqual(0.95)
      expect(roi.contourImagesInSeries && roi.algorithm === 'AUTOMATIC').toBe(true)
    }
    expect([r.rtstruct.study, r.rtstruct.series, r.rtstruct.for]).toEqual([r.series.study, r.series.series, r.series.for])
    expect(r.rtstruct.patientId).toBe(r.series.patientId)
  }
  expect(pageErrors, 'no uncaught errors in the page').toEqual([])
})

/** The file names of `count` neighbouring slices from the middle of a series, by position along its normal (pydicom). */
async function middleSlices(python: string, dir: string, count: number): Promise<string[]> {
  const script = `
import json, os, sys
import numpy as np, pydicom
d, n = sys.argv[1], int(sys.argv[2])
rows = []
for f in os.listdir(d):
    ds = pydicom.dcmread(os.path.join(d, f), stop_before_pixels=True)
    o = np.array(ds.ImageOrientationPatient, float)
    rows.append((float(np.dot(np.cross(o[:3], o[3:]), np.array(ds.ImagePositionPatient, float))), f))
rows.sort()
start = (len(rows) - n) // 2
print(json.dumps([f for _, f in rows[start:start + n]]))
`
  const { stdout } = await run(python, ['-c', script, dir, String(count)], { timeout: 60_000 })
  return JSON.parse(stdout) as string[]
}
