// RTSTRUCT structures through the built CLI (issue 20, item 4): `prepare --label NAME=rtstruct:DIR:ROI`
// on DICOM case folders of the real CT, with the structure sets (written by rt-utils from masks
// computed on that CT) under misleading names at any depth, so only the series they reference can
// match them. A case whose structure set lacks an ROI fails by name unless cases may lack a mask;
// the written label maps merge the ROIs by label order exactly as masks from folders are merged.
import { cp, mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVolume } from '../../electron/imaging/volume'
import { cliEnv, prepareCli } from '../dataset/prepareCli'
import { expectedMask, structureWorkspace, type StructureData } from './structureData'

let data: StructureData | undefined
let missing = ''
let tmp: string

beforeAll(async () => {
  ;({ data, missing, tmp } = await structureWorkspace('nnw-structure-cli-'))
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('prepare --label NAME=rtstruct:DIR:ROI', () => {
  it('matches structure sets by the series they reference (names shuffled), names the missing ROI, and writes the merged labels', async (ctx) => {
    if (!data) return ctx.skip(missing)
    const images = join(tmp, 'images')
    await cp(data.images, images, { recursive: true })
    // Names that point the wrong way: case A's structure set is called caseB, case B's lies deep as caseA.dcm.
    const rs = join(tmp, 'structures')
    await mkdir(join(rs, 'x', 'y'), { recursive: true })
    await cp(join(data.rtstruct, 'deep', 'er', '0001'), join(rs, 'caseB'))
    await cp(join(data.rtstruct, 'RS.caseB.dcm'), join(rs, 'x', 'y', 'caseA.dcm'))
    const labels = ['--label', `body=rtstruct:${rs}:Body|External`, '--label', `ring=rtstruct:${rs}:RING`, '--label', `bone=rtstruct:${rs}:bone_rim|bone`]
    const env = cliEnv(join(tmp, 'appdata'))

    // Case B has no bone ROI: said by name (the case fails without --allow-missing-mask: structureCase.test.ts);
    // with it both cases are written, case B without bone.
    const out = join(tmp, 'out2')
    const r = await prepareCli(['--images', images, ...labels, '--allow-missing-mask', '--out', out, '--id', '72', '--name', 'Rt'], env)
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(r.stdout + r.stderr).toMatch(/No "bone" for case "caseB": the structure set \(RTSTRUCT\) file in .*structures that references this case's series \(.*caseA\.dcm\) has no ROI named "bone_rim" or "bone" \(ROIs there: External, ring\)\. "bone" is left empty/)
    const ds = join(out, 'Dataset072_Rt')
    const written = (await readdir(join(ds, 'labelsTr'))).sort()
    expect(written).toHaveLength(2)
    const body = expectedMask(data, 'body.raw')
    const ring = expectedMask(data, 'ring.raw')
    const bone = expectedMask(data, 'bone.raw')
    // Later labels win where structures overlap, as masks from folders are merged (maskRules.mergeMasks).
    for (const [i, withBone] of [[0, true], [1, false]] as const) {
      const label = (await readVolume(join(ds, 'labelsTr', written[i]!))).data as Uint8Array
      let diff = 0
      for (let v = 0; v < label.length; v++) {
        const want = withBone && bone[v] ? 3 : ring[v] ? 2 : body[v] ? 1 : 0
        if (label[v] !== want) diff++
      }
      expect(diff, `${written[i]}: voxels differing from the masks the contours were made from`).toBe(0)
    }
  }, 300_000)

  it('refuses a structure source without its ROI part, before anything is written', async () => {
    const r = await prepareCli(['--images', tmp, '--label', `body=rtstruct:${tmp}`, '--out', join(tmp, 'out3'), '--id', '73', '--name', 'Rt'], cliEnv(join(tmp, 'appdata')))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--label ".*" needs rtstruct:DIR:ROI/)
  })
})
