// The .seg.nrrd reader beside the writer (electron/imaging/segNrrdReader.ts) on a real ct_small
// label map written by the app: geometry as itk-wasm reads it, segments as written, the same file
// in RAS space, one cut short, one whose segment names a layer it lacks; and the two new --label
// forms (segnrrd:DIR:SEGMENT, labelmap:DIR:VALUE) as the CLI parses them.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVolume } from '../../electron/imaging/volume'
import { writeSegNrrd } from '../../electron/imaging/segNrrdWriter'
import { parseSegNrrdHeader, readSegNrrd, SegNrrdError, segmentMask } from '../../electron/imaging/segNrrdReader'
import { labelMapValues, parseStructureSource } from '../../shared/structureSpec'

const SMALL = '/work/shared/data/totalseg/ct_small/masks'
let tmp: string
let file: string
let liver: Uint8Array
let spleen: Uint8Array

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-segread-'))
  const l = await readVolume(join(SMALL, 'liver.nii.gz'))
  liver = l.data as Uint8Array
  spleen = (await readVolume(join(SMALL, 'spleen.nii.gz'))).data as Uint8Array
  file = join(tmp, 'case01.seg.nrrd')
  await writeSegNrrd(file, l, Uint8Array.from(liver, (v, i) => (spleen[i] ? 2 : v ? 1 : 0)), [
    { name: 'liver', value: 1, colour: [221, 130, 101] },
    { name: 'spleen', value: 2, colour: [157, 108, 162] },
  ])
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => (v ? 1 : 0) === (b[i] ? 1 : 0))

describe('segNrrdReader', () => {
  it('reads the segments and the grid the writer put there (geometry as itk-wasm reads the file)', async () => {
    const seg = await readSegNrrd(file)
    expect(seg.header.segments.map((s) => [s.name, s.labelValue, s.layer])).toEqual([
      ['liver', 1, 0],
      ['spleen', 2, 0],
    ])
    expect(seg.header.segments[0]!.color!.map((c) => Math.round(c * 255))).toEqual([221, 130, 101])
    const itk = await readVolume(file)
    const g = seg.header.geometry
    expect(g.size).toEqual(itk.size)
    for (let i = 0; i < 3; i++) expect(g.spacing[i]).toBeCloseTo(itk.spacing[i]!, 6)
    for (let i = 0; i < 3; i++) expect(g.origin[i]).toBeCloseTo(itk.origin[i]!, 4)
    for (let i = 0; i < 9; i++) expect(g.direction[i]).toBeCloseTo(itk.direction[i]!, 6)
    expect(same(segmentMask(seg, seg.header.segments[0]!, file), liver.map((v, i) => (v && !spleen[i] ? 1 : 0)))).toBe(true)
    expect(same(segmentMask(seg, seg.header.segments[1]!, file), spleen)).toBe(true)
  })

  it('turns a RAS header into LPS', async () => {
    const bytes = await readFile(file)
    const end = bytes.indexOf('\n\n')
    const lps = parseSegNrrdHeader(bytes, file).geometry
    // The same grid said in RAS: x and y of every vector and of the origin negated.
    const negXY = (v: string) => v.replace(/\(([^,]+),([^,]+),([^)]+)\)/g, (_, x: string, y: string, z: string) => `(${-Number(x)},${-Number(y)},${z})`)
    const head = bytes
      .subarray(0, end)
      .toString('utf8')
      .replace('space: left-posterior-superior', 'space: right-anterior-superior')
      .replace(/^(space directions: .*)$/m, negXY)
      .replace(/^(space origin: .*)$/m, negXY)
    const ras = parseSegNrrdHeader(Buffer.concat([Buffer.from(head), bytes.subarray(end)]), file).geometry
    for (let i = 0; i < 3; i++) expect(ras.origin[i]).toBeCloseTo(lps.origin[i]!, 6)
    for (let i = 0; i < 9; i++) expect(ras.direction[i]).toBeCloseTo(lps.direction[i]!, 9)
  })

  it('refuses a file cut short and a segment on a layer the file lacks, naming the file and what to do', async () => {
    const bytes = await readFile(file)
    const cut = join(tmp, 'cut.seg.nrrd')
    await writeFile(cut, bytes.subarray(0, bytes.length - 200))
    const seg = await readSegNrrd(cut)
    expect(() => segmentMask(seg, seg.header.segments[0]!, cut)).toThrow(SegNrrdError)
    expect(() => segmentMask(seg, seg.header.segments[0]!, cut)).toThrow(/cut\.seg\.nrrd: .*(cut short|damaged)/)
    const badLayer = Buffer.from(bytes.toString('latin1').replace('Segment1_Layer:=0', 'Segment1_Layer:=1'), 'latin1')
    expect(() => parseSegNrrdHeader(badLayer, 'x.seg.nrrd')).toThrow(/segment "spleen" is on layer 1, but the file has 1 layer/)
    await expect(readSegNrrd(join(SMALL, 'liver.nii.gz'))).rejects.toThrow(/not a NRRD file/)
  })
})

describe('--label segnrrd:DIR:SEGMENT / labelmap:DIR:VALUE', () => {
  it('parses both forms (a Windows path keeps its colon) and refuses a value table that is not numbers', () => {
    expect(parseStructureSource('segnrrd:C:\\slicer:Liver|liver_1')).toEqual({ dir: 'C:\\slicer', structure: { kind: 'segnrrd', names: 'Liver|liver_1' } })
    expect(parseStructureSource('labelmap:maps:3|4')).toEqual({ dir: 'maps', structure: { kind: 'labelmap', names: '3|4' } })
    expect(parseStructureSource('seg:maps:2')).toEqual({ dir: 'maps', structure: { kind: 'seg', names: '2' } })
    expect(parseStructureSource('labelmap:maps')).toEqual({ error: expect.stringMatching(/needs labelmap:DIR:VALUE/) })
    expect(parseStructureSource('labelmap:maps:0')).toEqual({ error: expect.stringMatching(/whole numbers 1\.\.65535/) })
    expect(labelMapValues(' 3 | 4 |3')).toEqual([3, 4])
    expect(labelMapValues('liver')).toEqual({ error: expect.stringMatching(/got "liver"/) })
  })
})
