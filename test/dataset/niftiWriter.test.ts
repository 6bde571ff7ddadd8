// The NIfTI writer against itk-wasm's reader: whatever geometry goes in (rotations, flipped and
// left-handed grids) must come back within float32 precision, with the label intent and dtype.
import { describe, expect, it, beforeAll, afterAll } from 'vitest'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { encodeNifti, niftiHeader, NIFTI_INTENT_LABEL, VOX_OFFSET, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { compareGeometry } from '../../electron/imaging/geometry'
import type { Geometry } from '../../shared/api'
import { readImage, readNiftiHeader } from '../helpers/nifti'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nifti-writer-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function rotation(ax: number, ay: number, az: number): number[] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)]
  const rx = [1, 0, 0, 0, ca, -sa, 0, sa, ca]
  const ry = [cb, 0, sb, 0, 1, 0, -sb, 0, cb]
  const rz = [cc, -sc, 0, sc, cc, 0, 0, 0, 1]
  const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, k) => [0, 1, 2].reduce((s, j) => s + a[Math.floor(k / 3) * 3 + j]! * b[j * 3 + (k % 3)]!, 0))
  return mul(rz, mul(ry, rx))
}

const cases: [string, number[]][] = [
  ['identity', [1, 0, 0, 0, 1, 0, 0, 0, 1]],
  ['flipped x and z (left-handed)', [-1, 0, 0, 0, 1, 0, 0, 0, -1]],
  ['oblique rotation', rotation(0.3, -0.2, 1.1)],
  ['oblique, left-handed', rotation(0.7, 0.1, -2.5).map((v, i) => (i % 3 === 1 ? -v : v))],
  ['axes permuted', [0, 0, 1, 1, 0, 0, 0, 1, 0]],
  ['180 degrees about x', [1, 0, 0, 0, -1, 0, 0, 0, -1]],
]

describe('niftiWriter', () => {
  it.each(cases)('round-trips geometry: %s', async (name, direction) => {
    const geom: Geometry = { size: [7, 5, 3], spacing: [0.8, 1.25, 3], origin: [-120.5, 33.25, 540.2], direction }
    const data = Int16Array.from({ length: 105 }, (_, i) => i * 3 - 100)
    const path = join(dir, `${name.replace(/\W+/g, '_')}.nii.gz`)
    await writeNiftiGz(path, geom, data)
    const back = await readImage(path)
    const got: Geometry = { size: back.size, spacing: back.spacing, origin: back.origin, direction: Array.from(back.direction as Float64Array) }
    expect(compareGeometry(geom, got)).toEqual([])
    expect(Array.from(back.data as Int16Array)).toEqual(Array.from(data))
    const h = await readNiftiHeader(path)
    expect(h).toMatchObject({ sizeofHdr: 348, datatype: 4, bitpix: 16, voxOffset: VOX_OFFSET, qformCode: 1, sformCode: 1, magic: 'n+1', dims: [7, 5, 3] })
  })

  it('writes label maps as uint8 with NIFTI_INTENT_LABEL and leaves no temporary file', async () => {
    const geom: Geometry = { size: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
    const label = Uint8Array.from({ length: 64 }, (_, i) => i % 3)
    const path = join(dir, 'label.nii.gz')
    await writeNiftiGz(path, geom, label, { intentCode: NIFTI_INTENT_LABEL })
    const h = await readNiftiHeader(path)
    expect(h.datatype).toBe(2)
    expect(h.intentCode).toBe(1002)
    expect((await readdir(dir)).filter((n) => n.includes('tmp'))).toEqual([])
    expect(gunzipSync(readFileSync(path)).byteLength).toBe(VOX_OFFSET + 64)
  })

  it('encodes uncompressed previews and keeps float dtypes', () => {
    const geom: Geometry = { size: [2, 2, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
    const bytes = encodeNifti(geom, new Float32Array(8).fill(0.5))
    expect(bytes.byteLength).toBe(VOX_OFFSET + 32)
    expect(new DataView(bytes.buffer).getInt16(70, true)).toBe(16)
    expect(() => encodeNifti(geom, new Float32Array(7))).toThrow(/does not match/)
    expect(() => niftiHeader({ ...geom, size: [2, 2] }, 'uint8')).toThrow(/3D/)
  })
})
