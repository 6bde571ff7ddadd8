// The Labels step's ROI mapping (issue 20, item 4): every ROI name found across the cases with how
// many cases have it, and the cases lacking a label's names, from real rt-utils structure sets
// matched to the cases by the series they reference (file names say nothing).
import { cp, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { structureNames } from '../../electron/dataset/structureNames'
import { casesLacking, countStructureNames } from '../../shared/structureSpec'
import { structureWorkspace, type StructureData } from './structureData'

let data: StructureData | undefined
let missing = ''
let tmp: string

beforeAll(async () => {
  ;({ data, missing, tmp } = await structureWorkspace('nnw-structure-names-'))
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('structure names across cases', () => {
  it('counts each ROI name (case folded) by the cases whose series a structure set references, and names the cases lacking one', async (ctx) => {
    if (!data) return ctx.skip(missing)
    const rs = join(tmp, 'rs')
    await mkdir(join(rs, 'deeper'), { recursive: true })
    await cp(join(data.rtstruct, 'deep', 'er', '0001'), join(rs, 'deeper', 'caseB'))
    await cp(join(data.rtstruct, 'RS.caseB.dcm'), join(rs, 'caseA'))
    // a SEG in the same folder is not an RTSTRUCT: not counted for rtstruct
    await cp(join(data.seg, 'binary-all.dcm'), join(rs, 'seg.dcm'))
    const found = await structureNames({ imagesDir: data.images, dir: rs, kind: 'rtstruct' })
    expect(found.perCase).toEqual([
      { caseKey: 'caseA', names: ['BODY', 'Bone_Rim', 'Ring'] },
      { caseKey: 'caseB', names: ['External', 'ring'] },
    ])
    expect(found.names).toEqual([
      { name: 'Ring', spellings: ['Ring', 'ring'], cases: 2 },
      { name: 'BODY', spellings: [], cases: 1 },
      { name: 'Bone_Rim', spellings: [], cases: 1 },
      { name: 'External', spellings: [], cases: 1 },
    ])
    expect(found.unmatchedFiles).toEqual([])
    expect(casesLacking(found, 'bone_rim')).toEqual(['caseB'])
    expect(casesLacking(found, 'body|External')).toEqual([])
    const segs = await structureNames({ imagesDir: data.images, dir: rs, kind: 'seg' })
    expect(segs.names.map((n) => [n.name, n.cases])).toEqual([['Body', 1], ['Bone rim', 1], ['Ring', 1]])
    expect(casesLacking(segs, 'Body')).toEqual(['caseB'])
  }, 120_000)

  it('a file referencing no case of the image folder is listed as unmatched', () => {
    const r = countStructureNames('seg', '/d', [{ caseKey: 'a', seriesUids: ['1.1'] }], [
      { kind: 'seg', file: '/d/x', referencedSeriesUid: '1.1', names: ['Liver'] },
      { kind: 'seg', file: '/d/y', referencedSeriesUid: '9.9', names: ['Liver'] },
      { kind: 'seg', file: '/d/z', referencedSeriesUid: null, names: ['Spleen'] },
    ])
    expect(r.names).toEqual([{ name: 'Liver', spellings: [], cases: 1 }])
    expect(r.unmatchedFiles).toEqual(['/d/y', '/d/z'])
  })
})
