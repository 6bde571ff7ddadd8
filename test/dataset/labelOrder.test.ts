// Check tells the truth about the label order and the nesting: a tumor drawn wholly inside the
// liver but ordered before it ends with 0 voxels in the merged map, which is a warning on the
// case naming the order (it showed "tumor 8 / 0" as ok); and a case that failed its check (a mask
// on another grid) is left out of the nesting figures (its tumor voxels were counted without its
// overlap, so "tumor 100 % inside liver" read 83 % and regions were refused).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateSources } from '../../electron/dataset/validate'
import { analyzeRegions, describeNesting } from '../../shared/regions'
import { sourceSpec } from '../../shared/schema'
import { niftiFile } from '../helpers/niftiBytes'
import { recordingContext } from '../nnunet/fixture'

const SIZE = [8, 8, 4]
const N = SIZE[0]! * SIZE[1]! * SIZE[2]!
const at = (x: number, y: number, z: number) => x + SIZE[0]! * (y + SIZE[1]! * z)

function block(x0: number, x1: number, y0: number, y1: number, z0: number, z1: number): Uint8Array {
  const m = new Uint8Array(N)
  for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[at(x, y, z)] = 1
  return m
}

const mask = (data: Uint8Array, spacing = [1, 1, 1]) => niftiFile({ version: 1, sizes: SIZE, datatype: 2, bitpix: 8, spacing, data })
const image = () => niftiFile({ version: 1, sizes: SIZE, datatype: 4, bitpix: 16, data: new Uint8Array(N * 2).map((_, i) => i % 7) })

describe('label order and nesting in the Check', () => {
  let tmp: string
  const dirs = { images: '', liver: '', tumor: '' }
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-label-order-'))
    for (const k of Object.keys(dirs) as (keyof typeof dirs)[]) {
      dirs[k] = join(tmp, k)
      await mkdir(dirs[k])
    }
    const liver = block(1, 6, 1, 6, 0, 3) // 75 voxels
    const tumor = block(2, 4, 2, 4, 1, 3) // 8 voxels, all inside the liver
    for (const c of ['case01', 'case02', 'case03']) {
      await writeFile(join(dirs.images, `${c}.nii`), image())
      await writeFile(join(dirs.liver, `${c}.nii`), mask(liver))
      // case03's tumor is on another grid (spacing 2 mm): the case fails its check.
      await writeFile(join(dirs.tumor, `${c}.nii`), mask(tumor, c === 'case03' ? [2, 2, 2] : [1, 1, 1]))
    }
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const spec = (order: ('liver' | 'tumor')[]) => sourceSpec.parse({ imagesDir: dirs.images, labels: order.map((n) => ({ name: n, dir: dirs[n] })) })

  it('tumor before liver: each good case is a warning naming the order that hid the tumor', async () => {
    const report = await validateSources(spec(['tumor', 'liver']), recordingContext())
    const c1 = report.cases.find((c) => c.caseKey === 'case01')!
    expect(c1.rawVoxelCounts).toEqual({ tumor: 8, liver: 75 })
    expect(c1.voxelCounts).toEqual({ tumor: 0, liver: 75 })
    expect(c1.status).toBe('warning')
    const w = c1.findings.find((f) => f.code === 'label-hidden-by-order')!
    expect(w.severity).toBe('warning')
    expect(w.text).toBe('"tumor" has 8 voxels in its mask but none in the merged label map: "liver" comes later in the label order (tumor < liver; later wins) and covers all of it.')
    expect(w.hint).toMatch(/^Move "tumor" after "liver" in the Labels step/)
    expect(report.counts).toEqual({ ok: 0, warning: 2, error: 1 })
  })

  it('liver before tumor: no warning, and the failed case is left out of the nesting (100 %, regions possible)', async () => {
    const report = await validateSources(spec(['liver', 'tumor']), recordingContext())
    expect(report.counts).toEqual({ ok: 2, warning: 0, error: 1 })
    expect(report.cases.flatMap((c) => c.findings).some((f) => f.code === 'label-hidden-by-order')).toBe(false)
    // The failed case still counted its tumor's 8 voxels (it is read before the grid check fails).
    expect(report.cases.find((c) => c.caseKey === 'case03')!.rawVoxelCounts?.tumor).toBe(8)
    const a = analyzeRegions(['liver', 'tumor'], report.cases)
    expect(a.nested).toEqual([{ inner: 'tumor', outer: 'liver', inside: 16, total: 16 }])
    expect(describeNesting(a.nested[0]!)).toBe('tumor lies wholly inside liver: 16 of its 16 voxels (100.0 %).')
    expect(a.refusal).toBeUndefined()
    expect(a.labels).toEqual({ background: 0, liver: [1, 2], tumor: 2 })
  })
})
