// A corrected DICOM case back to DICOM-SEG (issue 21 item 5), through the service functions the
// Review page calls: a prediction folder laid out as Predict writes it for a DICOM input (the real
// CT of makeDicom.py's plain series, one case folder; a label map computed on its grid by
// exportCases.py; dataset.json and the prediction record naming the DICOM input), a correction
// saved by saveLabelEdit (a run painted with label 2, some voxels of label 1 erased), then exportCorrectedDicom.
// highdicom reads the SEG back by source instance: it must equal the corrected label voxel for voxel
// (and differ from the prediction in exactly the voxels the correction changed), reference the
// case's series and say SEMIAUTOMATIC. The DICOM folder and the prediction are not written.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeChanges, saveLabelEdit, type ChangeRun } from '../../electron/dataset/labelEdit'
import { readVolume } from '../../electron/imaging/volume'
import { PREDICTION_ORIGIN_FILE } from '../../electron/results/predictionOrigin'
import { exportCorrectedDicom } from '../../electron/results/correctedDicom'
import { hashTree } from '../helpers/nifti'
import { REPO_ROOT } from '../helpers/python'
import { referencePython } from '../helpers/referencePython'
import { dicomScans, type DicomScans } from '../dicom/dicomScans'
import { exportLabels } from '../dicom/exportLabels'

const SCRIPT = join(REPO_ROOT, 'test', 'dicom', 'exportCases.py')
const run = promisify(execFile)

let scans: DicomScans | undefined
let missing = ''
let root = ''
let pred = ''
let dicomIn = ''

beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  const labels = await exportLabels(got)
  root = await mkdtemp(join(tmpdir(), 'nnunet-wizard-corrected-dicom-'))
  dicomIn = join(root, 'dicom-in')
  pred = join(root, 'pred')
  await cp(join(got.cases, 'plain'), join(dicomIn, 'plain'), { recursive: true })
  await mkdir(pred)
  await copyFile(join(labels, 'plain', 'labels.nii.gz'), join(pred, 'plain.nii.gz'))
  await copyFile(join(labels, 'plain', 'dataset.json'), join(pred, 'dataset.json'))
  await writeFile(
    join(pred, PREDICTION_ORIGIN_FILE),
    JSON.stringify({ model: { datasetId: 7, configuration: '3d_fullres', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', folds: [0] }, input: dicomIn, probabilities: false, predictedAt: new Date().toISOString() }),
  )
}, 300_000)

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

interface SegCheck {
  series: { series: string }
  seg: { mismatched: number; voxels: number; series: string; segments: { label: string; algorithmType: string; parameters: string }[] }
}

async function check(labelsFile: string, seg: string): Promise<SegCheck> {
  const { stdout } = await run(referencePython().python!, [SCRIPT, 'check', join(dicomIn, 'plain'), labelsFile, join(pred, 'dataset.json'), seg, '-'], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout) as SegCheck
}

describe('a corrected DICOM case as DICOM-SEG', () => {
  it('is refused by name before a correction is saved', async (t) => {
    if (!scans) return t.skip(missing)
    await expect(exportCorrectedDicom({ prediction: join(pred, 'plain.nii.gz') }, { sourceFolders: [] })).rejects.toThrow(/has no corrected copy yet/)
  })

  it('writes the corrected label as a SEG on its series; highdicom reads back the corrected voxels', async (t) => {
    if (!scans) return t.skip(missing)
    const prediction = join(pred, 'plain.nii.gz')
    const before = (await readVolume(prediction, { native: true })).data as Uint8Array
    // The correction: a run of 400 voxels painted label 2 from the middle, and the first 300 voxels of label 1 erased.
    const runs: ChangeRun[] = []
    const liverAt: number[] = []
    for (let i = 0; i < before.length && liverAt.length < 300; i++) if (before[i] === 1) liverAt.push(i)
    expect(liverAt.length).toBe(300)
    const mid = Math.floor(before.length / 2)
    const edits = new Map<number, number>()
    for (const i of liverAt) edits.set(i, 0)
    for (let i = mid; i < mid + 400; i++) edits.set(i, 2)
    for (const [at, value] of [...edits].sort((a, b) => a[0] - b[0])) {
      const last = runs[runs.length - 1]
      if (last && last.start + last.length === at && last.value === value) last.length++
      else runs.push({ start: at, length: 1, value })
    }
    const dicomBefore = await hashTree(dicomIn)
    const saved = await saveLabelEdit({ target: 'prediction', image: join(scans.expected, 'plain.nii.gz'), label: prediction, changes: encodeChanges(runs) }, { sourceFolders: [dicomIn] })
    expect(saved.changed).toBeGreaterThan(300)

    const r = await exportCorrectedDicom({ prediction }, { sourceFolders: [dicomIn], nnunetVersion: 'v2' })
    expect(r.out).toBe(join(pred, 'corrected', 'dicom', 'plain_seg.dcm'))
    expect(r.label).toBe(saved.path)
    expect(existsSync(r.out)).toBe(true)

    const corrected = await check(saved.path, r.out)
    expect(corrected.seg.mismatched, 'voxels where the SEG and the corrected label differ').toBe(0)
    expect(corrected.seg.series).toBe(corrected.series.series)
    expect(r.referencedSeriesUid).toBe(corrected.series.series)
    // Every label dataset.json names, in value order (as the prediction export writes them).
    const names = Object.entries(JSON.parse(await readFile(join(pred, 'dataset.json'), 'utf8')).labels as Record<string, number>).filter(([, v]) => v > 0).sort((a, b) => a[1] - b[1]).map(([n]) => n)
    expect(corrected.seg.segments.map((s) => s.label)).toEqual(names)
    expect(corrected.seg.segments.every((s) => s.algorithmType === 'SEMIAUTOMATIC')).toBe(true)
    expect(corrected.seg.segments[0]!.parameters).toContain('configuration=3d_fullres')
    // Against the prediction, the SEG differs in exactly the voxels the correction changed.
    const original = await check(prediction, r.out)
    expect(original.seg.mismatched).toBe(saved.changed)
    // Nothing written into the DICOM input; the prediction itself untouched.
    expect(await hashTree(dicomIn)).toEqual(dicomBefore)
    expect(Buffer.compare(Buffer.from((await readVolume(prediction, { native: true })).data as Uint8Array), Buffer.from(before))).toBe(0)
  })

  it('refuses an output inside a source folder, and a case without its DICOM folder', async (t) => {
    if (!scans) return t.skip(missing)
    await expect(exportCorrectedDicom({ prediction: join(pred, 'plain.nii.gz') }, { sourceFolders: [pred] })).rejects.toThrow(/never written into a source folder/)
    await expect(exportCorrectedDicom({ prediction: join(pred, 'plain.nii.gz'), dicomInput: join(root, 'elsewhere') }, { sourceFolders: [] })).rejects.toThrow(/no DICOM case folder/)
  })
})
