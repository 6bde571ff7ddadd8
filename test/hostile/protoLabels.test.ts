// Label names are the user's text, and dataset.json is keyed by them: "__proto__", "constructor",
// "toString" and "hasOwnProperty" are labels like any other. Before shared/dict.ts a label named
// __proto__ vanished from dataset.json (the assignment set the object's prototype) while its
// voxels were written.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { runPrepare } from '../../electron/dataset'
import { buildDatasetJsonMsd, buildDatasetJsonV2 } from '../../shared/datasetJson'
import { dict } from '../../shared/dict'
import { request, testContext } from '../dataset/support'
import { sourceSpec } from '../../shared/schema'

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
})
