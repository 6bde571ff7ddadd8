// prepare flags a mask that leaves the body, as the Check does (issue 19.12: the CLI's prepare
// wrote a flipped mask without a word). Real CT: five aorta cases, case-3's mask reversed along x
// (test/helpers/outlierCases.ts); the same warning text as the Check's, on that case alone.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare, validateSources } from '../../electron/dataset'
import { sourceSpec } from '../../shared/schema'
import { makeOutlierCases, type OutlierCases } from '../helpers/outlierCases'
import { recordingContext } from '../nnunet/fixture'
import { request, testContext } from './support'

let tmp: string
let data: OutlierCases

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-body-'))
  data = await makeOutlierCases(tmp)
}, 120_000)
afterAll(() => rm(tmp, { recursive: true, force: true }))

describe('prepare and a mask outside the body', () => {
  it('warns on the flipped case with the Check\'s text, in the log and the summary', { timeout: 240_000 }, async () => {
    const spec = sourceSpec.parse({ imagesDir: data.images, labels: [{ name: 'aorta', dir: data.aorta }] })
    const check = (await validateSources(spec, testContext())).outliers!.filter((o) => o.kind === 'outside-body')
    expect(check.map((o) => o.caseKey)).toEqual([data.flipped])

    const ctx = recordingContext()
    const summary = await runPrepare(request(spec, { outDir: join(tmp, 'out'), id: 13, name: 'Body', split: { testCount: 0, seed: 0 } }), ctx)
    expect(summary.written).toBe(5)
    const warned = summary.cases.filter((c) => c.findings.some((f) => f.code === 'outlier-outside-body'))
    expect(warned.map((c) => c.caseKey)).toEqual([data.flipped])
    expect(warned[0]!.findings.find((f) => f.code === 'outlier-outside-body')!.text).toBe(check[0]!.text)
    expect(ctx.lines.filter((l) => l.includes('lies in the body'))).toEqual([`warning: ${check[0]!.text} ${check[0]!.hint}`])
    expect(summary.warnings).toBeGreaterThanOrEqual(1)
  })
})
