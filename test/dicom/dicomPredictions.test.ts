// The Predict side of DICOM out (issue 20 item 5), without nnU-Net: a folder of DICOM cases is
// converted for nnU-Net on each case's own grid (stageDicomInput, what predictAndScore does before
// nnUNetv2_predict), and the dicomPredictions job writes one SEG and one RTSTRUCT per prediction,
// each referencing its case's series, named from dataset.json and recording the model from the
// prediction record. The predictions are label maps computed on the real CT (exportCases.py); a
// case whose DICOM folder is missing is named, the others are still written.
import { readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import dcmjs from 'dcmjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { createResults } from '../../electron/results'
import { PREDICTION_ORIGIN_FILE } from '../../electron/results/predictionOrigin'
import { stageDicomInput } from '../../electron/service/dicomPredictInput'
import { readVolume } from '../../electron/imaging/volume'
import type { DicomPredictionsResult } from '../../shared/api'
import * as s from '../../shared/schema'
import { dicomScans, type DicomScans } from './dicomScans'
import { exportLabels } from './exportLabels'

let scans: DicomScans | undefined
let missing = ''
let labelsDir = ''
let root = ''

beforeAll(async () => {
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  // The same cached label maps as dicomExport.test.ts.
  labelsDir = await exportLabels(got)
  root = await mkdtemp(join(tmpdir(), 'nnunet-wizard-dicom-predict-'))
  // A DICOM input folder as a hospital hands it out: one sub-folder per case, named as the case.
  for (const v of ['plain', 'rotated']) await cp(join(got.cases, v), join(root, 'dicom-in', v), { recursive: true })
}, 300_000)

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

function ctx() {
  const lines: string[] = []
  return { lines, ctx: { signal: new AbortController().signal, log: (t: string) => lines.push(t), progress: () => undefined, metrics: () => undefined } as never }
}

describe('predict on DICOM cases', () => {
  it('converts each DICOM case folder to CASE_0000.nii.gz on the grid its prediction must lie on; an ordinary folder is left alone', async (t) => {
    if (!scans) return t.skip(missing)
    const c = ctx()
    const staged = await stageDicomInput(join(root, 'dicom-in'), join(root, 'pred'), join(root, 'staging'), c.ctx)
    expect(staged?.cases).toEqual(['plain', 'rotated'])
    expect((await readdir(staged!.staging)).sort()).toEqual(['plain_0000.nii.gz', 'rotated_0000.nii.gz'])
    for (const v of ['plain', 'rotated']) {
      const scan = await readVolume(join(staged!.staging, `${v}_0000.nii.gz`))
      const labels = await readVolume(join(labelsDir, v, 'labels.nii.gz'))
      expect(scan.size).toEqual(labels.size)
      for (let i = 0; i < 3; i++) expect(scan.origin[i]).toBeCloseTo(labels.origin[i]!, 3)
      for (let i = 0; i < 9; i++) expect(scan.direction[i]).toBeCloseTo(labels.direction[i]!, 6)
    }
    // The output inside the DICOM folder is refused; a folder of volume files is not DICOM input.
    await expect(stageDicomInput(join(root, 'dicom-in'), join(root, 'dicom-in', 'out'), join(root, 'staging'), c.ctx)).rejects.toThrow(/inside the DICOM input folder/)
    expect(await stageDicomInput(staged!.staging, join(root, 'pred2'), join(root, 'staging'), c.ctx)).toBeNull()
    // A tilted case is refused by name (never resampled), and no staging folder is left behind.
    await cp(join(scans.cases, 'tilted'), join(root, 'dicom-tilted', 'tilted'), { recursive: true })
    const before = await readdir(join(root, 'staging'))
    await expect(stageDicomInput(join(root, 'dicom-tilted'), join(root, 'pred3'), join(root, 'staging'), c.ctx)).rejects.toThrow(/Case tilted: .*tilted/)
    expect(await readdir(join(root, 'staging'))).toEqual(before)
  }, 60_000)

  it('dicomPredictions writes a SEG and an RTSTRUCT per case on its own series, names a case without a DICOM folder', async (t) => {
    if (!scans) return t.skip(missing)
    const f = { raw: join(root, 'raw'), preprocessed: join(root, 'pre'), results: join(root, 'res') }
    const settings = s.settings.parse({ nnunetVersion: 'v2', folders: f })
    await mkdir(join(f.raw, 'Dataset042_Body'), { recursive: true })
    await cp(join(labelsDir, 'plain', 'dataset.json'), join(f.raw, 'Dataset042_Body', 'dataset.json'))
    const pred = join(root, 'pred')
    await mkdir(pred, { recursive: true })
    for (const v of ['plain', 'rotated', 'lost']) await cp(join(labelsDir, v === 'lost' ? 'plain' : v, 'labels.nii.gz'), join(pred, `${v}.nii.gz`))
    // The record predictAndScore writes after a prediction: the model and the DICOM input.
    await writeFile(join(pred, PREDICTION_ORIGIN_FILE), JSON.stringify({ model: { datasetId: 42, configuration: '3d_fullres', trainer: 'nnUNetTrainer', plans: 'nnUNetPlans', folds: [0, 1, 2, 3, 4], checkpoint: 'checkpoint_final.pth' }, input: join(root, 'dicom-in'), probabilities: false, predictedAt: new Date().toISOString() }))
    const jobs = new JobManager(join(root, 'jobs'))
    const results = createResults({ jobs, dataDir: join(root, 'data'), settings: async () => settings })
    const info = await jobs.wait((await results.dicomPredictions({ datasetId: 42, folder: pred, format: 'both' })).jobId)
    // 'lost' has no DICOM folder: the job fails naming it, after writing the others.
    expect(info.state).toBe('failed')
    expect(info.error).toMatch(/1 of 3 cases could not be exported as DICOM: lost \(there is no DICOM case folder .*lost for the prediction lost\.nii\.gz/)
    const out = join(pred, 'dicom')
    expect((await readdir(out)).sort()).toEqual(['plain_rtstruct.dcm', 'plain_seg.dcm', 'rotated_rtstruct.dcm', 'rotated_seg.dcm'])
    for (const v of ['plain', 'rotated']) {
      const uid = scans.variants[v]!.series![0]!.uid
      const seg = read(join(out, `${v}_seg.dcm`))
      expect(seg.Modality).toBe('SEG')
      expect((seg.ReferencedSeriesSequence as { SeriesInstanceUID: string }[])[0]!.SeriesInstanceUID).toBe(uid)
      const segments = seg.SegmentSequence as { SegmentLabel: string; SegmentationAlgorithmIdentificationSequence: { AlgorithmParameters: string }[] }[]
      expect(segments.map((x) => x.SegmentLabel)).toEqual(['body', 'bone_rim', 'ring'])
      expect(segments[0]!.SegmentationAlgorithmIdentificationSequence[0]!.AlgorithmParameters).toBe('dataset=Dataset042_Body; configuration=3d_fullres; trainer=nnUNetTrainer; plans=nnUNetPlans; folds=0,1,2,3,4; checkpoint=checkpoint_final.pth')
      const rt = read(join(out, `${v}_rtstruct.dcm`))
      expect(rt.Modality).toBe('RTSTRUCT')
      const fr = (rt.ReferencedFrameOfReferenceSequence as { RTReferencedStudySequence: { RTReferencedSeriesSequence: { SeriesInstanceUID: string }[] }[] }[])[0]!
      expect(fr.RTReferencedStudySequence[0]!.RTReferencedSeriesSequence[0]!.SeriesInstanceUID).toBe(uid)
      expect((rt.StructureSetROISequence as { ROIName: string }[]).map((x) => x.ROIName)).toEqual(['body', 'bone_rim', 'ring'])
    }
    // With every case present the job is done and lists the files.
    await rm(join(pred, 'lost.nii.gz'))
    const ok = await jobs.wait((await results.dicomPredictions({ datasetId: 42, folder: pred, format: 'seg', out: join(root, 'seg-only') })).jobId)
    expect(ok.state, ok.error).toBe('done')
    expect((ok.result as DicomPredictionsResult).files.sort()).toEqual([join(root, 'seg-only', 'plain_seg.dcm'), join(root, 'seg-only', 'rotated_seg.dcm')])
  }, 120_000)
})

/** A written DICOM file, naturalized by dcmjs. */
function read(file: string): Record<string, unknown> {
  const bytes = readFileSync(file)
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(ab).dict)
}
