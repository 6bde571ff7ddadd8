// A SEG label through the case check itself (issue 20, item 4): caseWork's inspect task, in
// process, on a real DICOM case folder and highdicom SEGs in a label folder: the Check's report
// (voxel counts, overlap by label order) and the Preview's label map equal highdicom's own read of
// the segments, merged as mask folders are merged; a SEG that lacks the segment fails the case by
// name unless cases may lack a mask.
import { cp, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectCase, type CaseInput } from '../../electron/dataset/caseWork'
import { CT_DICOM, expectedMask, structureWorkspace, type StructureData } from './structureData'

let data: StructureData | undefined
let missing = ''
let tmp: string

beforeAll(async () => {
  ;({ data, missing, tmp } = await structureWorkspace('nnw-structure-case-'))
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

function input(segDir: string, over: Partial<CaseInput> = {}): CaseInput {
  return {
    caseKey: 'caseA',
    image: join(data!.images, 'caseA'),
    masks: [segDir, segDir],
    labelNames: ['body', 'ring'],
    labelDirs: [segDir, segDir],
    allowMissingMask: false,
    structures: [
      { kind: 'seg', names: 'BODY' },
      { kind: 'seg', names: 'ring|annulus' },
    ],
    ...over,
  }
}

describe('SEG labels in the case check', () => {
  it('Check counts and Preview label map equal highdicom’s segments merged by label order (empty frames omitted)', async (ctx) => {
    if (!data) return ctx.skip(missing)
    const segDir = join(tmp, 'segs')
    await mkdir(join(segDir, 'a', 'b'), { recursive: true })
    await cp(join(data.seg, 'binary-omitted'), join(segDir, 'a', 'b', 'whatever'))
    const body = expectedMask(data, 'highdicom-binary-omitted-1.raw')
    const ring = expectedMask(data, 'highdicom-binary-omitted-3.raw')
    let ringOnly = 0
    let overlap = 0
    for (let i = 0; i < body.length; i++) {
      if (ring[i]) ringOnly++
      if (ring[i] && body[i]) overlap++
    }
    const { report } = await inspectCase({ op: 'inspect', input: input(segDir), want: 'report' })
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(report.voxelCounts).toEqual({ body: data.facts.highdicom['highdicom-binary-omitted-1.raw']! - overlap, ring: ringOnly })
    expect(report.overlapVoxels).toBe(overlap)

    const preview = await inspectCase({ op: 'inspect', input: input(segDir), want: 'preview' })
    // The preview's label map is an uncompressed NIfTI: its voxels after the 352-byte header.
    const label = preview.labelNii!.subarray(352)
    let diff = 0
    for (let i = 0; i < body.length; i++) if (label[i] !== (ring[i] ? 2 : body[i] ? 1 : 0)) diff++
    expect(diff).toBe(0)
  }, 120_000)

  it('a SEG without the segment fails the case by name, or leaves it empty when cases may lack a mask', async (ctx) => {
    if (!data) return ctx.skip(missing)
    const segDir = join(tmp, 'frac')
    await mkdir(segDir, { recursive: true })
    await cp(join(data.seg, 'fractional.dcm'), join(segDir, 'f'))
    const strict = await inspectCase({ op: 'inspect', input: input(segDir), want: 'report' })
    expect(strict.report.status).toBe('error')
    expect(strict.report.findings.map((f) => f.text).join('\n')).toMatch(/No "ring" for case "caseA": the DICOM-SEG file in .*frac that references this case's series \(f\) has no segment named "ring" or "annulus" \(segments there: Body\)/)
    const lenient = await inspectCase({ op: 'inspect', input: input(segDir, { allowMissingMask: true }), want: 'report' })
    expect(lenient.report.status).toBe('warning')
    expect(lenient.report.voxelCounts).toEqual({ body: data.facts.highdicom['highdicom-fractional-1.raw'], ring: 0 })
  }, 120_000)

  it('a case folder with two series uses the one its structure set (in the label folder) references; without one it is refused by name', async (ctx) => {
    if (!data) return ctx.skip(missing)
    // Case A's series and case B's series in one case folder; the RTSTRUCT of case B lies in the label folder.
    const both = join(tmp, 'two', 'both')
    await cp(join(data.images, 'caseA'), join(both, 'a'), { recursive: true })
    await cp(join(data.images, 'caseB'), join(both, 'b'), { recursive: true })
    const rs = join(tmp, 'rs-two')
    await mkdir(rs, { recursive: true })
    await cp(join(data.rtstruct, 'RS.caseB.dcm'), join(rs, 'any'))
    const two: CaseInput = { caseKey: 'both', image: both, masks: [rs], labelNames: ['ring'], labelDirs: [rs], allowMissingMask: false, structures: [{ kind: 'rtstruct', names: 'ring' }] }
    const { report } = await inspectCase({ op: 'inspect', input: two, want: 'report' })
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([])
    expect(report.voxelCounts).toEqual({ ring: data.facts.voxels.ring })
    // A label folder with no structure set on either series leaves the choice to the series rules: refused by name.
    const empty = join(tmp, 'rs-none')
    await mkdir(empty, { recursive: true })
    await cp(join(data.seg, 'fractional.dcm'), join(empty, 'seg'))
    const refused = await inspectCase({ op: 'inspect', input: { ...two, masks: [empty], labelDirs: [empty] }, want: 'report' })
    expect(refused.report.findings.map((f) => f.code)).toContain('dicom-ambiguous-series')
  }, 120_000)

  it('a structure label on a case that is not a DICOM folder is refused, saying why', async (ctx) => {
    if (!data) return ctx.skip(missing)
    const nifti = join(CT_DICOM, '..', 'ct_small', 'ct.nii.gz')
    const { report } = await inspectCase({ op: 'inspect', input: input(data.seg, { caseKey: 'ct', image: nifti }), want: 'report' })
    expect(report.status).toBe('error')
    expect(report.findings.find((f) => f.code === 'structure-needs-dicom')?.text).toMatch(/"body" comes from DICOM-SEG files, which are matched to a case by the DICOM series they reference; case "ct" is not a DICOM folder/)
  }, 60_000)
})
