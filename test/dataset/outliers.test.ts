// Check's outlier rules on the real aorta CT: a flipped mask, a case with other spacing and one
// with other axes are flagged, the plain copies are not; raw and final voxel counts differ by the
// overlap the later label took.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateSources } from '../../electron/dataset'
import { findOutliers } from '../../electron/dataset/outliers'
import { inBodyShares } from '../../electron/dataset/bodyOverlap'
import { axisCodes } from '../../shared/orientation'
import { sourceSpec } from '../../shared/schema'
import type { CaseReport, ValidationReport } from '../../shared/api'
import { makeOutlierCases, type OutlierCases } from '../helpers/outlierCases'
import { testContext } from './support'

let tmp: string
let data: OutlierCases
let report: ValidationReport

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'outliers-'))
  data = await makeOutlierCases(tmp)
  const spec = sourceSpec.parse({ imagesDir: data.images, labels: [{ name: 'aorta', dir: data.aorta }, { name: 'false lumen', dir: data.lumen }] })
  report = await validateSources(spec, testContext())
}, 120_000)
afterAll(() => rm(tmp, { recursive: true, force: true }))

const flagged = (kind: string) => (report.outliers ?? []).filter((o) => o.kind === kind).map((o) => o.caseKey)

describe('outliers on real CT', () => {
  it('flags the flipped mask, and only it, as outside the body', () => {
    expect(flagged('outside-body')).toEqual([data.flipped])
    const o = report.outliers!.find((x) => x.kind === 'outside-body')!
    expect(o.text).toContain('"aorta"')
    expect(o.text).toMatch(/Only 8\d% of "aorta"/)
    const shares = report.cases.map((c) => c.inBody?.aorta)
    expect(shares.filter((s) => s === 1)).toHaveLength(4)
  })

  it('flags the case with other spacing and the case with other axes', () => {
    expect(flagged('spacing')).toEqual([data.spacing])
    expect(flagged('direction')).toEqual([data.direction])
    expect(report.outliers!.find((x) => x.kind === 'direction')!.text).toContain('oriented RAS, while 4 of 5 cases are LPS')
  })

  it('reports raw counts per mask and final counts after the overlap is resolved', () => {
    const c = report.cases.find((x) => x.caseKey === 'case-1')!
    expect(c.rawVoxelCounts).toEqual({ aorta: 72810, 'false lumen': 36170 })
    // The false lumen lies inside the aorta and is later, so it keeps all its voxels.
    expect(c.voxelCounts['false lumen']).toBe(36170)
    expect(c.voxelCounts.aorta).toBe(72810 - c.overlapVoxels)
    expect(c.overlapVoxels).toBeGreaterThan(0)
  })

  it('keeps the outliers out of the case status (they do not stop a write)', () => {
    expect(report.counts).toEqual({ ok: 5, warning: 0, error: 0 })
  })
})

describe('outlier rules', () => {
  const base = (caseKey: string, inBody?: Record<string, number>): CaseReport => ({ caseKey, status: 'ok', findings: [], voxelCounts: {}, overlapVoxels: 0, geometry: { size: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, ...(inBody && { inBody }) })

  it('does not flag a label that lies in air in every case (lungs)', () => {
    const cases = ['a', 'b', 'c'].map((k, i) => base(k, { lung: 0.02 + i * 0.01 }))
    expect(findOutliers(cases)).toEqual([])
  })

  it('needs a majority to call a direction an outlier', () => {
    const a = base('a')
    const b = { ...base('b'), geometry: { ...base('b').geometry!, direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] } }
    expect(findOutliers([a, b])).toEqual([])
  })

  it('measures nothing on an image without air (not CT in HU)', () => {
    expect(inBodyShares(Float32Array.from([0, 100, 200]), Uint8Array.from([0, 1, 1]), 1)).toBeNull()
    expect(inBodyShares(Int16Array.from([-1000, 100, -800]), Uint8Array.from([0, 1, 1]), 1)).toEqual([0.5])
  })

  it('names axes as Slicer does', () => {
    expect(axisCodes([1, 0, 0, 0, 1, 0, 0, 0, 1])).toBe('LPS')
    expect(axisCodes([-1, 0, 0, 0, -1, 0, 0, 0, 1])).toBe('RAS')
    expect(axisCodes([1, 0, 0, 0, 0, 1, 0, -1, 0])).toBe('LIP')
  })
})
