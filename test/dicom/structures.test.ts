// RTSTRUCT and DICOM-SEG structures on the grid of the series they reference (issue 20, item 4),
// on real files: the CT series with valid UIDs, RTSTRUCTs written by rt-utils and SEGs by
// highdicom from masks computed on that CT (test/dicom/makeStructures.py). The grid is the one
// the DICOM import builds (indexDicomFolder), checked against SimpleITK's.
import { beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { indexDicomFolder } from '../../electron/imaging/dicom/headerIndex'
import type { DicomSeriesInfo } from '../../shared/api/dicom'
import { readRtstruct, rtstructMask } from '../../electron/imaging/dicom/rtstructRead'
import { readSeg, segMask } from '../../electron/imaging/dicom/segRead'
import { StructureFileError } from '../../electron/imaging/dicom/structureDataset'
import { dice, expectedMask, structureData, type StructureData } from './structureData'

let data: StructureData
let grid: DicomSeriesInfo
let missing = ''

beforeAll(async () => {
  const d = await structureData()
  if ('missing' in d) {
    missing = d.missing
    return
  }
  data = d
  const index = await indexDicomFolder(join(d.images, 'caseA'))
  grid = index.series[0]!
}, 300_000)

const needs = (t: () => unknown | Promise<unknown>) => async (ctx: { skip: (why: string) => void }) => {
  if (missing) return ctx.skip(missing)
  await t()
}

describe('structure grid', () => {
  it('the series the import builds is the grid SimpleITK reads', needs(() => {
    const sitk = data.facts.grids.caseA
    expect(grid.size).toEqual(sitk.size)
    grid.spacing.forEach((s, i) => expect(s).toBeCloseTo(sitk.spacing[i]!, 4))
    grid.origin.forEach((s, i) => expect(s).toBeCloseTo(sitk.origin[i]!, 4))
    grid.direction.forEach((s, i) => expect(s).toBeCloseTo(sitk.direction[i]!, 4))
    expect(grid.slices.map((s) => s.sopInstanceUid)).toEqual(sitk.sopInstanceUids)
  }))
})

describe('DICOM-SEG', () => {
  it('BINARY with empty frames omitted, and with all frames: voxel-exact to highdicom per segment', needs(async () => {
    for (const [file, frames] of [['binary-omitted', 50], ['binary-all.dcm', 60]] as const) {
      const seg = await readSeg(join(data.seg, file))
      expect(seg.type).toBe('BINARY')
      expect(seg.frames.length).toBe(frames)
      expect(data.facts.frames[file]).toBe(frames)
      for (const [n, names] of [[1, 'body'], [2, 'BONE RIM'], [3, 'nothing|Ring']] as const) {
        const { mask } = segMask(seg, names, grid)
        const ref = expectedMask(data, `highdicom-${file.replace('.dcm', '')}-${n}.raw`)
        expect(mask.length).toBe(ref.length)
        expect(Buffer.compare(Buffer.from(mask), Buffer.from(ref)), `${file} segment ${n}`).toBe(0)
        expect(mask.reduce((a, b) => a + b, 0)).toBe(data.facts.highdicom[`highdicom-${file.replace('.dcm', '')}-${n}.raw`])
      }
    }
  }))

  it('FRACTIONAL: foreground where value >= 0.5, voxel-exact to highdicom', needs(async () => {
    const seg = await readSeg(join(data.seg, 'fractional.dcm'))
    expect(seg.type).toBe('FRACTIONAL')
    const { mask } = segMask(seg, 'Body', grid)
    const ref = expectedMask(data, 'highdicom-fractional-1.raw')
    expect(Buffer.compare(Buffer.from(mask), Buffer.from(ref))).toBe(0)
    // The soft border decides: not the binary body
    expect(mask.reduce((a, b) => a + b, 0)).not.toBe(data.facts.voxels.body)
  }))

  it('segments by number; an unknown label is refused naming the file and the labels there', needs(async () => {
    const seg = await readSeg(join(data.seg, 'binary-all.dcm'))
    const byNumber = segMask(seg, '2', grid).mask
    expect(Buffer.compare(Buffer.from(byNumber), Buffer.from(expectedMask(data, 'highdicom-binary-all-2.raw')))).toBe(0)
    expect(() => segMask(seg, 'Liver|hepar', grid)).toThrow(/binary-all\.dcm: it has no segment labelled "Liver" or "hepar" \(its segments: 1 "Body", 2 "Bone rim", 3 "Ring"\)/)
  }))

  it('frames that reference instances the series does not have are an error naming the file', needs(async () => {
    const seg = await readSeg(join(data.seg, 'binary-omitted'))
    const other = { ...grid, slices: grid.slices.map((s, k) => (k === 7 ? { ...s, sopInstanceUid: '1.2.3.4' } : s)) }
    expect(() => segMask(seg, 'Body', other)).toThrow(StructureFileError)
    expect(() => segMask(seg, 'Body', other)).toThrow(/binary-omitted: frame \d+ references the instance [\d.]+, which the series does not have/)
  }))
})

describe('RTSTRUCT', () => {
  it('contours on the scan grid: Dice >= 0.98 for the body, >= 0.95 for the thin bone rim, the ring keeps its hole', needs(async () => {
    const rt = await readRtstruct(join(data.rtstruct, 'deep', 'er', '0001'))
    expect(rt.referencedSeriesUid).toBe(data.facts.grids.caseA.seriesInstanceUid)
    const figures: Record<string, number> = {}
    for (const [names, key, min] of [['body|external', 'body', 0.98], ['bone_rim', 'bone', 0.95], ['RING', 'ring', 0.98]] as const) {
      const { mask } = rtstructMask(rt, names, grid)
      figures[key] = dice(mask, expectedMask(data, `${key}.raw`))
      expect(figures[key], key).toBeGreaterThanOrEqual(min)
    }
    // The hole: the centre of the ring is empty on the ring's slices
    const ring = rtstructMask(rt, 'ring', grid).mask
    const ref = expectedMask(data, 'ring.raw')
    const [nx, ny] = grid.size
    let holeVoxels = 0
    let holeOurs = 0
    for (let k = 5; k < 15; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      const at = k * nx * ny + j * nx + i
      // inside the ring's outer extent but not in the reference: the hole
      if (!ref[at] && ring[at]) holeOurs++
      if (!ref[at]) holeVoxels++
    }
    expect(holeOurs).toBeLessThan(0.01 * data.facts.voxels.ring)
    expect(holeVoxels).toBeGreaterThan(0)
    console.log(`RTSTRUCT Dice vs the masks the contours were made from: ${Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`)
  }))

  it('an ROI that is not there is refused naming the file and the ROIs it has', needs(async () => {
    const rt = await readRtstruct(join(data.rtstruct, 'RS.caseB.dcm'))
    const gridB = (await indexDicomFolder(join(data.images, 'caseB'))).series[0]!
    expect(() => rtstructMask(rt, 'Bone_Rim|bone', gridB)).toThrow(/RS\.caseB\.dcm: it has no ROI named "Bone_Rim" or "bone" \(its ROIs: External, ring\)/)
    expect(dice(rtstructMask(rt, 'external', gridB).mask, expectedMask(data, 'body.raw'))).toBeGreaterThanOrEqual(0.98)
  }))

  it('a contour that lies on no slice is an error naming the file, the ROI and how far off it is', needs(async () => {
    const rt = await readRtstruct(join(data.rtstruct, 'deep', 'er', '0001'))
    // The same series' grid shifted by 1.5 mm (half a slice) along the normal: another reconstruction
    const shifted = { ...grid, origin: [grid.origin[0], grid.origin[1], grid.origin[2] + 1.5] as [number, number, number] }
    expect(() => rtstructMask(rt, 'BODY', shifted)).toThrow(/0001: ROI "BODY": a contour at \(.*\) mm lies on no slice of the series: it is 1\.5 mm along the slice normal/)
  }))

  it('a structure set on another frame of reference is refused', needs(async () => {
    const rt = await readRtstruct(join(data.rtstruct, 'deep', 'er', '0001'))
    expect(() => rtstructMask(rt, 'BODY', { ...grid, frameOfReferenceUid: '1.2.3' })).toThrow(/frame of reference/)
  }))
})

describe('an in-plane rotated series (ImageOrientationPatient -1,0,0,0,-1,0)', () => {
  it('RTSTRUCT contours land by the direction: Dice against the masks computed on the rotated CT; SEG voxel-exact to highdicom', needs(async () => {
    const rotated = (await indexDicomFolder(join(data.dir, 'rotated', 'series'))).series[0]!
    expect(rotated.orientation).toEqual([-1, 0, 0, 0, -1, 0])
    const rt = await readRtstruct(join(data.dir, 'rotated-rtstruct'))
    const figures: Record<string, number> = {}
    for (const [names, key, min] of [['body', 'body', 0.98], ['bone', 'bone', 0.95], ['ring', 'ring', 0.98]] as const) {
      figures[key] = dice(rtstructMask(rt, names, rotated).mask, expectedMask(data, `rotated-${key}.raw`))
      expect(figures[key], key).toBeGreaterThanOrEqual(min)
    }
    console.log(`RTSTRUCT Dice on the rotated series: ${Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`)
    const seg = await readSeg(join(data.dir, 'rotated-seg'))
    for (const n of [1, 2]) {
      const { mask } = segMask(seg, String(n), rotated)
      expect(Buffer.compare(Buffer.from(mask), Buffer.from(expectedMask(data, `highdicom-rotated-${n}.raw`))), `segment ${n}`).toBe(0)
    }
    // The unrotated grid is not the SEG's: refused, not placed upside down.
    expect(() => segMask(seg, 'Body', { ...rotated, direction: grid.direction, origin: grid.origin })).toThrow(/oriented/)
  }))
})
