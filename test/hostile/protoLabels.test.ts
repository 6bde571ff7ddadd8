// Label names are the user's text, and dataset.json is keyed by them: "__proto__", "constructor",
// "toString" and "hasOwnProperty" are labels like any other. Before shared/dict.ts a label named
// __proto__ vanished from dataset.json (the assignment set the object's prototype) while its
// voxels were written.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { runPrepare } from '../../electron/dataset'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { dict } from '../../shared/dict'
import { request, testContext } from '../dataset/support'
import { sourceSpec } from '../../shared/schema'
import { datasetJsonMsd, datasetJsonV2, prepareRequest, splitSpec, surfaceMetricsRequest } from '../../shared/schema'
import { analyzeRegions, describeRegions } from '../../shared/regions'
import { validateSources } from '../../electron/dataset/validate'

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty']
const metadata = { channelNames: ['CT'], description: '', reference: '', licence: '', release: '' }

let tmp: string
let guide: GuideFolders
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'proto-labels-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 2 })
}, 60_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('labels named like Object.prototype members', () => {
  it('dict() keeps them as own keys and finds nothing it was not given', () => {
    const d = dict(NAMES.map((n, i) => [n, i + 1]))
    expect(Object.keys(d)).toEqual(NAMES)
    expect(JSON.parse(JSON.stringify(d))).toEqual(Object.fromEntries(NAMES.map((n, i) => [n, i + 1])))
    expect(dict<number>()['toString']).toBeUndefined()
  })

  it('dataset.json (v2 and MSD) lists every one of them with its value', () => {
    const input = { name: 'Proto', labels: NAMES, metadata: metadata as never, cases: [] }
    const v2 = JSON.parse(JSON.stringify(buildDatasetJsonV2(input)))
    expect(Object.entries(v2.labels)).toEqual([['background', 0], ...NAMES.map((n, i) => [n, i + 1])])
    const msd = JSON.parse(JSON.stringify(buildDatasetJsonMsd(input)))
    expect(msd.labels).toEqual({ 0: 'background', 1: '__proto__', 2: 'constructor', 3: 'toString', 4: 'hasOwnProperty' })
  })

  it('prepare writes dataset.json with labels __proto__ and constructor, and their voxels', async () => {
    const out = join(tmp, 'out')
    const spec = sourceSpec.parse({ imagesDir: guide.images, labels: [{ name: '__proto__', dir: guide.organ }, { name: 'constructor', dir: guide.tumor }] })
    const summary = await runPrepare(request(spec, { outDir: out, id: 9, name: 'Proto', split: { testCount: 0, seed: 0 } }), testContext())
    const json = JSON.parse(await readFile(join(summary.datasetDir, 'dataset.json'), 'utf8'))
    expect(Object.entries(json.labels)).toEqual([['background', 0], ['__proto__', 1], ['constructor', 2]])
  })

  it('the contract keeps every name when it parses: dataset.json labels, patient groups, tolerances', () => {
    const text = '{"background": 0, "__proto__": [1, 2], "constructor": 2, "toString": 3}'
    const v2 = datasetJsonV2.parse({ channel_names: { 0: 'CT' }, labels: JSON.parse(text), numTraining: 1, file_ending: '.nii.gz' })
    expect(Object.entries(v2.labels)).toEqual([['background', 0], ['__proto__', [1, 2]], ['constructor', 2], ['toString', 3]])
    const msd = datasetJsonMsd.parse({ name: 'x', description: '', reference: '', licence: '', release: '', tensorImageSize: '3D', modality: { 0: 'CT' }, labels: JSON.parse('{"0": "background", "__proto__": "odd"}'), numTraining: 0, numTest: 0, training: [], test: [] })
    expect(Object.keys(msd.labels)).toEqual(['0', '__proto__'])
    const split = splitSpec.parse({ groups: JSON.parse('{"__proto__": "p1", "case2": "p1"}') })
    expect(Object.entries(split.groups!)).toEqual([['__proto__', 'p1'], ['case2', 'p1']])
    // A case or label not listed finds nothing (a plain object would answer Object.prototype.constructor).
    expect(split.groups!['constructor']).toBeUndefined()
    const tol = surfaceMetricsRequest.parse({ datasetId: 1, configuration: '3d_fullres', tolerances: JSON.parse('{"__proto__": 2}') })
    expect(tol.tolerances!['__proto__']).toBe(2)
    expect(tol.tolerances!['toString']).toBeUndefined()
    // A value out of range is still refused, naming the key.
    expect(() => datasetJsonV2.parse({ channel_names: {}, labels: JSON.parse('{"__proto__": "one"}'), numTraining: 1, file_ending: '.nii.gz' })).toThrow(/__proto__/)
  })

  it('regions keyed by these names: counts from JSON, and the region labels keep __proto__', () => {
    // Counts as they reach the page (JSON): "toString" has none listed, so it must count as 0, not as a function.
    const cases = [JSON.parse('{"rawVoxelCounts": {"__proto__": 1000, "constructor": 100}, "overlapPairs": [{"a": "__proto__", "b": "constructor", "voxels": 100}]}')]
    const a = analyzeRegions(['__proto__', 'constructor', 'toString'], cases)
    expect(a.refusal).toBeUndefined()
    expect(a.nested).toEqual([{ inner: 'constructor', outer: '__proto__', inside: 100, total: 100 }])
    expect(Object.entries(a.labels!)).toEqual([['background', 0], ['__proto__', [1, 2]], ['constructor', 2], ['toString', 3]])
    expect(describeRegions(['__proto__', 'constructor', 'toString'], a)).toBe('__proto__ = __proto__ + constructor; constructor; toString')
  })

  it('Check counts a __proto__ mask, and prepare --regions writes __proto__, constructor and toString with their values', { timeout: 180_000 }, async () => {
    const aorta = await makeGuideFolders(join(tmp, 'aorta'), { cases: 1, source: 'aorta' })
    const names = ['__proto__', 'constructor', 'toString']
    const spec = sourceSpec.parse({ imagesDir: aorta.images, labels: [{ name: '__proto__', dir: aorta.organ }, { name: 'constructor', dir: aorta.tumor }] })
    const report = await validateSources(spec, testContext())
    expect(report.cases[0]!.rawVoxelCounts).toEqual(Object.assign(dict(), JSON.parse('{"__proto__": 72810, "constructor": 36170}')))
    expect(Object.keys(report.cases[0]!.rawVoxelCounts!)).toEqual(['__proto__', 'constructor'])
    const summary = await runPrepare(prepareRequest.parse({ sources: spec, output: { outDir: join(tmp, 'regions'), id: 10, name: 'ProtoRegions', regions: true } }), testContext())
    const json = datasetJsonV2.parse(JSON.parse(await readFile(join(summary.datasetDir, 'dataset.json'), 'utf8')))
    expect(Object.entries(json.labels)).toEqual([['background', 0], ['__proto__', [1, 2]], ['constructor', 2]])
    expect(json.regions_class_order).toEqual([1, 2])
    // All three without regions: each with its value (toString: a copy of the organ masks, a later label).
    const third = join(tmp, 'third')
    await cp(guide.organ, third, { recursive: true })
    const three = sourceSpec.parse({ imagesDir: guide.images, labels: names.map((n, i) => ({ name: n, dir: [guide.organ, guide.tumor, third][i]! })) })
    const plain = await runPrepare(request(three, { outDir: join(tmp, 'three'), id: 11, name: 'ProtoThree', split: { testCount: 0, seed: 0 } }), testContext())
    const written = datasetJsonV2.parse(JSON.parse(await readFile(join(plain.datasetDir, 'dataset.json'), 'utf8')))
    expect(Object.entries(written.labels)).toEqual([['background', 0], ['__proto__', 1], ['constructor', 2], ['toString', 3]])
  })
})

