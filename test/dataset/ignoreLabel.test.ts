// The ignore label: the rules (last, one, v2 only, the reserved name), and a real prepare on the
// TotalSegmentator aorta scan where the folder marked ignore is merged last, wins over the other
// masks, gets the highest value and is named "ignore" in dataset.json; the MSD layout refuses it.
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { labelTable } from '../../electron/dataset/preview'
import { buildDatasetJsonV2 } from '../../shared/datasetJson'
import { IGNORE_COLOR, ignoreLabelFindings } from '../../shared/ignoreLabel'
import { prepareRequest, sourceSpec } from '../../shared/schema'
import { imageIo, makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'
import { recordingContext } from '../nnunet/fixture'

describe('ignore label rules', () => {
  const codes = (labels: { name: string; ignore?: boolean }[], layout: 'nnunet-v2' | 'msd' = 'nnunet-v2', regions = false) => ignoreLabelFindings(labels, layout, regions).map((f) => f.code)
  it('accepts one ignore label merged last in the v2 layout, and names it "ignore" in dataset.json', () => {
    expect(codes([{ name: 'liver' }, { name: 'todo', ignore: true }])).toEqual([])
    const json = buildDatasetJsonV2({ name: 'X', labels: ['liver', 'todo'], ignoreLast: true, metadata: { description: '', reference: '', licence: '', release: '1', channelNames: ['CT'] }, cases: [] })
    expect(json.labels).toEqual({ background: 0, liver: 1, ignore: 2 })
  })
  it('refuses it elsewhere than last, twice, alone, in the MSD layout (v1), with regions, and the reserved name on a structure', () => {
    expect(codes([{ name: 'todo', ignore: true }, { name: 'liver' }])).toEqual(['ignore-not-last'])
    expect(codes([{ name: 'a', ignore: true }, { name: 'b', ignore: true }])).toEqual(['ignore-twice', 'ignore-only'])
    expect(codes([{ name: 'liver' }, { name: 'todo', ignore: true }], 'msd')).toEqual(['ignore-needs-v2'])
    expect(ignoreLabelFindings([{ name: 'liver' }, { name: 'todo', ignore: true }], 'msd')[0]!.text).toMatch(/nnU-Net v1 \(the Decathlon\/MSD layout\) has none/)
    expect(codes([{ name: 'liver' }, { name: 'todo', ignore: true }], 'nnunet-v2', true)).toEqual(['ignore-with-regions'])
    expect(codes([{ name: 'liver' }, { name: 'ignore' }])).toEqual(['ignore-name-reserved'])
  })
})

describe('ignore label on real masks', () => {
  let tmp: string
  let guide: GuideFolders
  let slab: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-ignore-'))
    guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 1, source: 'aorta' })
    // The slices z < 40 were "not annotated": the aorta and its false lumen run through them.
    const io = await imageIo()
    const organ = await io.readImageNode(join(guide.organ, 'image-1.nrrd'))
    const [nx, ny] = organ.size as [number, number, number]
    const data = new Uint8Array(organ.data!.length)
    data.fill(1, 0, nx * ny * 40)
    slab = join(tmp, 'unannotated')
    await mkdir(slab)
    await io.writeImageNode({ ...organ, data }, join(slab, 'image-1.nrrd'))
  }, 120_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const sources = (ignoreFirst = false) => {
    const ignore = { name: 'unannotated', dir: slab, ignore: true }
    const rest = [{ name: 'aorta', dir: guide.organ }, { name: 'false_lumen', dir: guide.tumor }]
    return { imagesDir: guide.images, labels: ignoreFirst ? [ignore, ...rest] : [...rest, ignore] }
  }

  it('merges the ignore folder last with the highest value, wins over the other masks, and is drawn grey', { timeout: 120_000 }, async () => {
    const req = prepareRequest.parse({ sources: sources(), output: { outDir: join(tmp, 'out'), id: 33, name: 'Ignore' } })
    const summary = await runPrepare(req, recordingContext())
    expect(JSON.parse(readFileSync(join(summary.datasetDir, 'dataset.json'), 'utf8')).labels).toEqual({ background: 0, aorta: 1, false_lumen: 2, ignore: 3 })
    const files = await readdir(join(summary.datasetDir, 'labelsTr'))
    expect(files).toHaveLength(1)
    const label = await readImage(join(summary.datasetDir, 'labelsTr', files[0]!))
    const [nx, ny] = label.size as [number, number, number]
    const values = label.data as Uint8Array
    const slabVoxels = nx * ny * 40
    let ignored = 0
    for (let i = 0; i < values.length; i++) if (values[i] === 3) ignored++
    expect(ignored).toBe(slabVoxels)
    // Above the slab the aorta and lumen are as before.
    expect(values.subarray(slabVoxels).some((v) => v === 1)).toBe(true)
    expect(values.subarray(slabVoxels).some((v) => v === 2)).toBe(true)
    expect(labelTable(sourceSpec.parse(sources())).at(-1)).toEqual({ name: 'unannotated', value: 3, color: IGNORE_COLOR, ignore: true })
  })

  it('refuses an ignore folder that is not last, and the MSD layout, before writing anything', { timeout: 120_000 }, async () => {
    await expect(runPrepare(prepareRequest.parse({ sources: sources(true), output: { outDir: join(tmp, 'first'), id: 34, name: 'First' } }), recordingContext())).rejects.toThrow(/must be merged last, with the highest value/)
    await expect(runPrepare(prepareRequest.parse({ sources: sources(), output: { layout: 'msd', outDir: join(tmp, 'msd'), id: 35, name: 'Msd' } }), recordingContext())).rejects.toThrow(/ignore label is an nnU-Net v2 feature/)
  })
})
