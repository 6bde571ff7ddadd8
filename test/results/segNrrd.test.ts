// Predictions as 3D Slicer segmentations (.seg.nrrd): a real ct_small label map (liver 1, spleen 2,
// on its flipped-axis CT grid: the aorta scan has negative directions) written by the app's writer,
// read back by itk-wasm (voxels, geometry), by SimpleITK (the header fields) and by slicerio, 3D
// Slicer's own reader (segment names, colours, label values, layers, extents).
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVolume } from '../../electron/imaging/volume'
import { segNrrdHeader, valueExtents, writeSegNrrd } from '../../electron/imaging/segNrrdWriter'
import { referencePython } from '../helpers/referencePython'
import { createResults } from '../../electron/results'
import { JobManager } from '../../electron/jobs/jobManager'
import type { SlicerSegmentationsResult } from '../../shared/api'
import { makeSurfaceTree, SURFACE_DATASET_ID } from './surfaceTree'

const TOTALSEG = '/work/shared/data/totalseg'
const ref = referencePython()

describe('.seg.nrrd writer', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nnw-segnrrd-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const segments = [
    { name: 'aorta', value: 1, colour: [255, 0, 0] as const },
    { name: 'true lumen', value: 2, colour: [0, 128, 255] as const },
    { name: 'vertebra T12', value: 3, colour: [241, 214, 145] as const },
  ]

  async function labelMap() {
    const aorta = await readVolume(join(TOTALSEG, 'aorta/masks/aorta.nii.gz'))
    const lumen = await readVolume(join(TOTALSEG, 'aorta/masks/aorta_true_lumen.nii.gz'))
    const data = Uint8Array.from(aorta.data as Uint8Array, (v, i) => ((lumen.data as Uint8Array)[i] ? 2 : v ? 1 : 0))
    return { geom: aorta, data }
  }

  it('writes the voxels and geometry as they are (read back with itk-wasm), in Slicer’s header layout', async () => {
    const { geom, data } = await labelMap()
    const file = join(dir, 'case_001.seg.nrrd')
    await writeSegNrrd(file, geom, data, segments)
    const back = await readVolume(file)
    expect(back.size).toEqual(geom.size)
    expect([...back.data!].every((v, i) => v === data[i])).toBe(true)
    for (let i = 0; i < 3; i++) expect(back.spacing[i]).toBeCloseTo(geom.spacing[i]!, 6)
    for (let i = 0; i < 3; i++) expect(back.origin[i]).toBeCloseTo(geom.origin[i]!, 4)
    for (let i = 0; i < 9; i++) expect(back.direction[i]).toBeCloseTo(geom.direction[i]!, 6)
    // The header is text up to the blank line; the rest is one gzip stream of the voxels.
    const bytes = await readFile(file)
    const end = bytes.indexOf('\n\n')
    const head = bytes.subarray(0, end).toString('utf8')
    expect(head.startsWith('NRRD0004\n')).toBe(true)
    expect(head).toContain('space: left-posterior-superior')
    expect(head).toContain('Segment1_Name:=true lumen')
    expect(head).toContain('Segment0_Color:=1 0 0')
    expect(head).toContain('Segment2_Extent:=0 -1 0 -1 0 -1') // T12 is not in this map: an empty extent
    expect(gunzipSync(bytes.subarray(end + 2)).equals(Buffer.from(data))).toBe(true)
  })

  it('refuses a value no segment names, and a target that is not .seg.nrrd', async () => {
    const { geom, data } = await labelMap()
    await expect(writeSegNrrd(join(dir, 'x.seg.nrrd'), geom, data, segments.slice(0, 1))).rejects.toThrow(/holds value 2 that no label names/)
    await expect(writeSegNrrd(join(dir, 'x.nrrd'), geom, data, segments)).rejects.toThrow(/ends in \.seg\.nrrd/)
  })

  it('puts each value’s voxel extent in the header', () => {
    const data = new Uint8Array(4 * 3 * 2)
    data[1 + 4 * (2 + 3 * 1)] = 5 // x 1, y 2, z 1
    data[3] = 5 // x 3, y 0, z 0
    expect(valueExtents(data, [4, 3, 2]).get(5)).toEqual([1, 3, 0, 2, 0, 1])
    const h = segNrrdHeader({ size: [4, 3, 2], spacing: [1, 2, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, 'uint8', [{ name: 'a\nb', value: 5, colour: [0, 0, 0] }], valueExtents(data, [4, 3, 2]))
    expect(h).toContain('space directions: (1,0,0) (0,2,0) (0,0,3)')
    expect(h).toContain('Segment0_Name:=a b')
    expect(h).toContain('Segment0_Extent:=1 3 0 2 0 1')
  })

  it.skipIf(!ref.python)(`reads back in SimpleITK and in slicerio, 3D Slicer’s reader ${ref.python ? '' : `(skipped: ${ref.reason})`}`, async () => {
    const { geom, data } = await labelMap()
    const file = join(dir, 'case_002.seg.nrrd')
    await writeSegNrrd(file, geom, data, segments)
    const script = join(dir, 'read.py')
    await writeFile(
      script,
      `
import json, sys
import numpy as np, SimpleITK as sitk, slicerio
img = sitk.ReadImage(sys.argv[1])
arr = sitk.GetArrayFromImage(img)
keys = {k: img.GetMetaData(k) for k in img.GetMetaDataKeys() if k.startswith("Segment")}
seg = slicerio.read_segmentation(sys.argv[1])
out = {
  "keys": keys,
  "counts": {str(v): int((arr == v).sum()) for v in (1, 2, 3)},
  "spacing": list(img.GetSpacing()), "origin": list(img.GetOrigin()), "direction": list(img.GetDirection()),
  "segments": [{"name": s["name"], "color": s["color"], "labelValue": s["labelValue"], "layer": s["layer"], "extent": s.get("extent")} for s in seg["segments"]],
  "voxels": int((seg["voxels"] > 0).sum()),
}
print(json.dumps(out))
`,
    )
    const out = JSON.parse(execFileSync(ref.python!, [script, file], { encoding: 'utf8' })) as {
      keys: Record<string, string>
      counts: Record<string, number>
      spacing: number[]
      origin: number[]
      direction: number[]
      segments: { name: string; color: number[]; labelValue: number; layer: number; extent?: number[] }[]
      voxels: number
    }
    const count = (v: number) => data.reduce((n, x) => n + (x === v ? 1 : 0), 0)
    expect(out.counts).toEqual({ '1': count(1), '2': count(2), '3': 0 })
    expect(out.counts['2']).toBe(37595) // the README's aorta_true_lumen voxel count
    for (let i = 0; i < 3; i++) expect(out.spacing[i]).toBeCloseTo(geom.spacing[i]!, 6)
    for (let i = 0; i < 9; i++) expect(out.direction[i]).toBeCloseTo(geom.direction[i]!, 6)
    expect(out.keys.Segmentation_SourceRepresentation).toBe('Binary labelmap')
    expect(out.keys.Segment0_LabelValue).toBe('1')
    expect(out.keys.Segment1_Layer).toBe('0')
    expect(out.segments.map((s) => [s.name, s.labelValue, s.layer])).toEqual([
      ['aorta', 1, 0],
      ['true lumen', 2, 0],
      ['vertebra T12', 3, 0],
    ])
    expect(out.segments[1]!.color.map((c) => Math.round(c * 255))).toEqual([0, 128, 255])
    expect(out.segments[0]!.extent).toEqual([...valueExtents(data, geom.size).get(1)!])
    expect(out.voxels).toBe(count(1) + count(2))
  }, 120_000)
})

describe('slicerSegmentations job', () => {
  it('writes every prediction of a folder as FOLDER/slicer/CASE.seg.nrrd with dataset.json’s names and the given colours, in the worker pool', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nnw-slicer-job-'))
    try {
      const tree = await makeSurfaceTree(dir)
      const jobs = new JobManager(join(dir, 'jobs'))
      const results = createResults({ jobs, dataDir: join(dir, 'data'), settings: async () => tree.settings })
      const { jobId } = await results.slicerSegmentations({ datasetId: SURFACE_DATASET_ID, folder: tree.validationDir, colours: { spleen: [10, 20, 30] } })
      const info = await jobs.wait(jobId)
      expect(info.state, info.error).toBe('done')
      const r = info.result as SlicerSegmentationsResult
      expect(r.files).toEqual([join(tree.validationDir, 'slicer', 'surf_001.seg.nrrd')])
      const back = await readVolume(r.files[0]!)
      expect([...back.data!].every((v, i) => v === tree.shifted[i])).toBe(true)
      const head = (await readFile(r.files[0]!)).toString('latin1').split('\n\n')[0]!
      expect(head).toContain('Segment0_Name:=liver')
      expect(head).toContain('Segment0_Color:=1 0 0') // the default table's label 1
      expect(head).toContain('Segment1_Name:=spleen')
      expect(head).toContain(`Segment1_Color:=${[10, 20, 30].map((c) => +(c / 255).toFixed(6)).join(' ')}`)
      // Written again, the folder still lists only nnU-Net's prediction as a segmentation: slicer/ is skipped.
      const again = await jobs.wait((await results.slicerSegmentations({ datasetId: SURFACE_DATASET_ID, folder: tree.validationDir })).jobId)
      expect((again.result as SlicerSegmentationsResult).files).toHaveLength(1)
      const none = await jobs.wait((await results.slicerSegmentations({ datasetId: SURFACE_DATASET_ID, folder: join(dir, 'nowhere') })).jobId)
      expect(none.error).toMatch(/The prediction folder .*nowhere does not exist/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
