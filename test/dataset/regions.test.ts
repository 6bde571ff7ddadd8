// Nested regions: the per-pair overlap counts of the Check step on real TotalSegmentator masks
// (aorta + aorta_false_lumen: 33451 of the 36170 false-lumen voxels lie inside the aorta), the
// nesting analysis, and prepare --regions writing nnU-Net v2's region labels with
// regions_class_order while the label files stay byte for byte what they are without it.
import { readFileSync } from 'node:fs'
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { PrepareRefusedError } from '../../electron/dataset/prepare'
import { overlapPairs } from '../../electron/dataset/maskRules'
import { validateSources } from '../../electron/dataset/validate'
import { analyzeRegions, describeNesting, describePartial } from '../../shared/regions'
import { prepareRequest, sourceSpec } from '../../shared/schema'
import { TOTALSEG, imageIo, makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { recordingContext } from '../nnunet/fixture'

const names = ['organ', 'tumor']

describe('analyzeRegions', () => {
  it('nests a structure lying inside another within the tolerance, and builds region labels in label order', () => {
    const a = analyzeRegions(['liver', 'lesion', 'spleen'], [
      { rawVoxelCounts: { liver: 1000, lesion: 100, spleen: 300 }, overlapPairs: [{ a: 'liver', b: 'lesion', voxels: 100 }] },
      { rawVoxelCounts: { liver: 900, lesion: 50, spleen: 200 }, overlapPairs: [{ a: 'liver', b: 'lesion', voxels: 45 }] },
    ])
    expect(a.refusal).toBeUndefined()
    expect(a.nested).toEqual([{ inner: 'lesion', outer: 'liver', inside: 145, total: 150 }])
    expect(a.labels).toEqual({ background: 0, liver: [1, 2], lesion: 2, spleen: 3 })
    expect(Object.keys(a.labels!)).toEqual(['background', 'liver', 'lesion', 'spleen'])
    expect(a.regionsClassOrder).toEqual([1, 2, 3])
  })

  it('builds a chain organ > tumor > necrosis', () => {
    const a = analyzeRegions(['organ', 'tumor', 'necrosis'], [
      { rawVoxelCounts: { organ: 1000, tumor: 200, necrosis: 20 }, overlapPairs: [{ a: 'organ', b: 'tumor', voxels: 200 }, { a: 'organ', b: 'necrosis', voxels: 20 }, { a: 'tumor', b: 'necrosis', voxels: 20 }] },
    ])
    expect(a.labels).toEqual({ background: 0, organ: [1, 2, 3], tumor: [2, 3], necrosis: 3 })
  })

  it('refuses a partial overlap with the voxel counts, and an inner label ordered before its outer one', () => {
    const partial = analyzeRegions(names, [{ rawVoxelCounts: { organ: 1000, tumor: 400 }, overlapPairs: [{ a: 'organ', b: 'tumor', voxels: 200 }] }])
    expect(partial.labels).toBeUndefined()
    expect(partial.partial).toEqual([{ a: 'organ', b: 'tumor', voxels: 200, aTotal: 1000, bTotal: 400 }])
    expect(partial.refusal).toBe(
      'No mask lies inside another: organ and tumor overlap in 200 voxels (20.0 % of organ, 50.0 % of tumor), but neither lies inside the other: they cannot be a region pair (a voxel of the label map holds one value; there tumor wins as before).',
    )
    const reversed = analyzeRegions(['tumor', 'organ'], [{ rawVoxelCounts: { organ: 1000, tumor: 100 }, overlapPairs: [{ a: 'tumor', b: 'organ', voxels: 100 }] }])
    expect(reversed.misordered).toHaveLength(1)
    expect(reversed.refusal).toMatch(/^tumor lies inside organ but comes before it in the label order, so organ overwrites it .* move tumor after organ/)
    expect(analyzeRegions(names, [{ rawVoxelCounts: { organ: 10, tumor: 10 } }]).refusal).toMatch(/No masks overlap/)
  })

  it('counts pairs exactly, also for a voxel in three masks', () => {
    const m = (bits: number[]) => Uint8Array.from(bits)
    expect(overlapPairs(['a', 'b', 'c'], [m([1, 1, 1, 0]), m([0, 1, 1, 0]), m([0, 0, 1, 1])])).toEqual([
      { a: 'a', b: 'b', voxels: 2 },
      { a: 'a', b: 'c', voxels: 1 },
      { a: 'b', b: 'c', voxels: 1 },
    ])
    expect(overlapPairs(['a', 'b'], [m([1, 0]), null])).toEqual([])
  })
})

describe('real masks: aorta and its false lumen', () => {
  let tmp: string
  let guide: GuideFolders
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-regions-'))
    guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 1, source: 'aorta' })
  }, 120_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const spec = (regionsOrder = ['aorta', 'false_lumen']) =>
    sourceSpec.parse({ imagesDir: guide.images, labels: regionsOrder.map((n) => ({ name: n, dir: n === 'aorta' ? guide.organ : guide.tumor })) })

  it('the Check counts the pair and calls the false lumen nearly nested in the aorta', { timeout: 120_000 }, async () => {
    const report = await validateSources(spec(), recordingContext())
    const c = report.cases[0]!
    expect(c.rawVoxelCounts).toEqual({ aorta: 72810, false_lumen: 36170 })
    expect(c.overlapPairs).toEqual([{ a: 'aorta', b: 'false_lumen', voxels: 33451 }])
    const a = analyzeRegions(['aorta', 'false_lumen'], report.cases)
    expect(a.nested).toEqual([{ inner: 'false_lumen', outer: 'aorta', inside: 33451, total: 36170 }])
    expect(describeNesting(a.nested[0]!)).toBe(
      'false_lumen lies almost wholly inside aorta: 33451 of its 36170 voxels (92.5 %); 2719 lie outside it, and trained as nested regions they count as aorta too.',
    )
    // A stricter tolerance than the 7.5 % outside turns it into a partial overlap, refused with the counts.
    const strict = analyzeRegions(['aorta', 'false_lumen'], report.cases, 0.05)
    expect(strict.labels).toBeUndefined()
    expect(describePartial(strict.partial[0]!)).toMatch(/^aorta and false_lumen overlap in 33451 voxels \(45\.9 % of aorta, 92\.5 % of false_lumen\)/)
  })

  it('prepare --regions writes region labels and regions_class_order; the label file is the same as without', { timeout: 120_000 }, async () => {
    const out = (sub: string, regions: boolean, order?: string[]) =>
      prepareRequest.parse({ sources: spec(order), output: { outDir: join(tmp, sub), id: 31, name: 'Aorta', regions } })
    const plain = await runPrepare(out('plain', false), recordingContext())
    const ctx = recordingContext()
    const regional = await runPrepare(out('regions', true), ctx)
    const json = JSON.parse(readFileSync(join(regional.datasetDir, 'dataset.json'), 'utf8'))
    expect(json.labels).toEqual({ background: 0, aorta: [1, 2], false_lumen: 2 })
    expect(Object.keys(json.labels)).toEqual(['background', 'aorta', 'false_lumen'])
    expect(json.regions_class_order).toEqual([1, 2])
    expect(ctx.lines.join('\n')).toContain('false_lumen lies almost wholly inside aorta: 33451 of its 36170 voxels')
    const labels = await readdir(join(regional.datasetDir, 'labelsTr'))
    expect(labels).toEqual(await readdir(join(plain.datasetDir, 'labelsTr')))
    for (const f of labels) expect(readFileSync(join(regional.datasetDir, 'labelsTr', f)).equals(readFileSync(join(plain.datasetDir, 'labelsTr', f)))).toBe(true)

    // The false lumen first: the aorta would overwrite it. Refused before anything is written.
    const refused = runPrepare(out('reversed', true, ['false_lumen', 'aorta']), recordingContext())
    await expect(refused).rejects.toBeInstanceOf(PrepareRefusedError)
    await expect(refused).rejects.toThrow(/false_lumen lies inside aorta but comes before it in the label order/)
    expect(await readdir(join(tmp, 'reversed')).catch(() => [])).toEqual([])
  })

  it('prepare --regions refuses masks that only partly overlap, naming the voxel counts', { timeout: 120_000 }, async () => {
    // A "partial" mask: the false lumen plus the T12 vertebra, far from the aorta.
    const io = await imageIo()
    const lumen = await io.readImageNode(join(guide.tumor, 'image-1.nrrd'))
    // Case 1 of the guide folders is the scan as it is, so the original masks share its grid.
    const t12 = await io.readImageNode(join(TOTALSEG, 'aorta', 'masks', 'vertebrae_T12.nii.gz'))
    const data = new Uint8Array(lumen.data!.length)
    for (let i = 0; i < data.length; i++) data[i] = lumen.data![i] || t12.data![i] ? 1 : 0
    const dir = join(tmp, 'partial-mask')
    await mkdir(dir)
    await io.writeImageNode({ ...lumen, imageType: { ...lumen.imageType, componentType: 'uint8' }, data }, join(dir, 'image-1.nrrd'))
    const req = prepareRequest.parse({
      sources: { imagesDir: guide.images, labels: [{ name: 'aorta', dir: guide.organ }, { name: 'lumen_and_t12', dir }] },
      output: { outDir: join(tmp, 'partial'), id: 32, name: 'Partial', regions: true },
    })
    const refused = runPrepare(req, recordingContext())
    await expect(refused).rejects.toThrow(/Cannot train on nested regions: No mask lies inside another: aorta and lumen_and_t12 overlap in 33451 voxels \(45\.9 % of aorta, \d+\.\d % of lumen_and_t12\), but neither lies inside the other/)
  })
})
