// The header reader and payload check on real files: where each format keeps its voxels (what a
// later writer needs to carry a compressed payload across), byte and line skips read the way ITK
// reads them, and NaN/infinity counted on the stored bytes in every float layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Image } from 'itk-wasm'
import { imageIo, TOTALSEG } from '../helpers/guideFolders'
import { readVolumeHeader } from '../../electron/imaging/volumeHeader'
import { NonFiniteCounter, verifyPayload } from '../../electron/imaging/payload'
import { readVolume } from '../../electron/imaging/volume'
import { expectSameArray } from '../helpers/sameArray'

const CT = join(TOTALSEG, 'ct_small', 'ct.nii.gz')
const VOXELS = 122 * 101 * 30
let dir: string
let ct: Image

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'volume-header-'))
  ct = await (await imageIo()).readImageNode(CT)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function itk(name: string, img: Image, useCompression = false): Promise<string> {
  const path = join(dir, name)
  await (await imageIo()).writeImageNode({ ...img, metadata: new Map() }, path, { useCompression })
  return path
}

describe('where the payload is', () => {
  it('a .nii.gz: the whole file is gzip, the voxels start at vox_offset inside it', async () => {
    const h = await readVolumeHeader(CT)
    expect(h).toMatchObject({ format: 'nifti1', sizes: [122, 101, 30], typeName: 'int16', littleEndian: true, float: false })
    expect(h.payload).toEqual({ file: CT, offset: 0, encoding: 'gzip', skip: 352, bytes: VOXELS * 2, trailingAllowed: true })
    expect(await verifyPayload(h)).toMatchObject({ verified: true, decodedBytes: 352 + VOXELS * 2, nan: 0, infinite: 0 })
  })

  it('an uncompressed NIfTI named .nii.gz is read as it is (as gzread reads it for ITK)', async () => {
    const plain = await itk('plain.nii', ct)
    await writeFile(join(dir, 'plain-named.nii.gz'), await readFile(plain))
    const v = await readVolume(join(dir, 'plain-named.nii.gz'))
    expect(v.header.payload).toMatchObject({ encoding: 'raw', offset: 352, bytes: VOXELS * 2 })
    expectSameArray(v.data, ct.data!, 'voxels')
  })

  it('a gzip .nrrd: the gzip stream starts after the blank line', async () => {
    const path = await itk('gz.nrrd', ct, true)
    const bytes = await readFile(path)
    const h = await readVolumeHeader(path)
    expect(h.payload).toEqual({ file: path, offset: bytes.indexOf('\n\n') + 2, encoding: 'gzip', skip: 0, bytes: VOXELS * 2, trailingAllowed: false })
    expect(bytes[h.payload.offset]).toBe(0x1f)
  })

  it('a compressed .mha: a zlib stream after the ElementDataFile line', async () => {
    const path = await itk('z.mha', ct, true)
    const bytes = await readFile(path)
    const h = await readVolumeHeader(path)
    expect(h.payload).toMatchObject({ file: path, offset: bytes.indexOf('LOCAL\n') + 6, encoding: 'zlib', bytes: VOXELS * 2 })
    expect((await verifyPayload(h)).decodedBytes).toBe(VOXELS * 2)
  })

  it('NRRD line skip and byte skip, and MetaImage HeaderSize -1, are read as ITK reads them', async () => {
    const raw = Buffer.from((ct.data as Int16Array).buffer)
    await writeFile(join(dir, 'skip.raw'), Buffer.concat([Buffer.from('first line\nsecond line\n'), Buffer.from('JUNK'), raw]))
    const header = (await readFile(await itk('plain.nhdr', ct), 'latin1')).replace(/^data file: .*$/m, 'line skip: 2\nbyte skip: 4\ndata file: skip.raw')
    await writeFile(join(dir, 'skip.nhdr'), header, 'latin1')
    const nhdr = await readVolume(join(dir, 'skip.nhdr'))
    expect(nhdr.header.payload).toMatchObject({ file: join(dir, 'skip.raw'), offset: 23 + 4, encoding: 'raw' })
    expectSameArray(nhdr.data, ct.data!, 'voxels')

    await writeFile(join(dir, 'tail.raw'), Buffer.concat([Buffer.alloc(100, 9), raw]))
    const mhd = (await readFile(await itk('plain.mhd', ct), 'latin1')).replace(/^ElementDataFile = .*$/m, 'HeaderSize = -1\nElementDataFile = tail.raw')
    await writeFile(join(dir, 'tail.mhd'), mhd, 'latin1')
    const meta = await readVolume(join(dir, 'tail.mhd'))
    expect(meta.header.payload).toMatchObject({ file: join(dir, 'tail.raw'), offset: 100 })
    expectSameArray(meta.data, ct.data!, 'voxels')
  })
})

describe('what is refused', () => {
  it('a gzip NRRD that inflates to more than its header says', async () => {
    const bytes = await readFile(await itk('gz.nrrd', ct, true))
    const head = bytes.subarray(0, bytes.indexOf('\n\n') + 2)
    const longer = Buffer.concat([head, gzipSync(Buffer.concat([Buffer.from((ct.data as Int16Array).buffer), Buffer.alloc(4096)]))])
    await writeFile(join(dir, 'longer.nrrd'), longer)
    await expect(readVolume(join(dir, 'longer.nrrd'))).rejects.toThrow(/inflates to more than the 122x101x30 short = .* its header describes/)
  })

  it('a gzip file named .nii', async () => {
    await writeFile(join(dir, 'named.nii'), await readFile(CT))
    await expect(readVolume(join(dir, 'named.nii'))).rejects.toThrow('the file is gzip-compressed but named .nii')
  })
})

describe('NaN and infinity as stored', () => {
  const values = [1, NaN, -Infinity, 2, Infinity, NaN, 0, -0]

  it('float32 and float64, little- and big-endian, in chunks cut anywhere', () => {
    for (const width of [4, 8]) {
      for (const le of [true, false]) {
        const bytes = Buffer.alloc(values.length * width)
        values.forEach((v, i) => (width === 4 ? (le ? bytes.writeFloatLE(v, i * 4) : bytes.writeFloatBE(v, i * 4)) : le ? bytes.writeDoubleLE(v, i * 8) : bytes.writeDoubleBE(v, i * 8)))
        // 5 bytes before the values (a header to skip), 3 after (trailing bytes), in 3-byte chunks.
        const stream = Buffer.concat([Buffer.alloc(5, 0xff), bytes, Buffer.alloc(3, 0xff)])
        const counter = new NonFiniteCounter(5, 5 + bytes.length, width, le)
        for (let i = 0; i < stream.length; i += 3) counter.push(stream.subarray(i, i + 3))
        expect({ width, le, nan: counter.nan, infinite: counter.infinite }).toEqual({ width, le, nan: 2, infinite: 2 })
      }
    }
  })

  it('in a big-endian float NRRD and a gzip float64 NRRD', async () => {
    const be = Buffer.alloc(values.length * 4)
    values.forEach((v, i) => be.writeFloatBE(v, i * 4))
    await writeFile(join(dir, 'be.nrrd'), Buffer.concat([Buffer.from('NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nendian: big\nencoding: raw\n\n'), be]))
    const v = await readVolume(join(dir, 'be.nrrd'))
    expect(v.stored).toEqual({ nan: 2, infinite: 2 })
    expect(Array.from(v.data as Float32Array)).toEqual(values)

    const le = Buffer.from(Float64Array.from(values).buffer)
    await writeFile(join(dir, 'f64.nrrd'), Buffer.concat([Buffer.from('NRRD0004\ntype: double\ndimension: 3\nsizes: 2 2 2\nendian: little\nencoding: gzip\n\n'), gzipSync(le)]))
    expect((await readVolume(join(dir, 'f64.nrrd'))).stored).toEqual({ nan: 2, infinite: 2 })
  })
})

// Text headers are looked for in the first 64 KiB, then in the first 1 MiB: a long header (a
// comment block) still parses, and one that never ends is named with the limit.
describe('text headers past the first read', () => {
  const nrrd = (extra: string, body: Buffer) => Buffer.concat([Buffer.from(`NRRD0004\n${extra}type: unsigned char\ndimension: 3\nsizes: 2 2 2\nencoding: raw\nendian: little\n\n`), body])
  it('a NRRD header of 100 kB is read whole, its voxels found after it', async () => {
    const comments = Array.from({ length: 2000 }, (_, i) => `# comment line ${i} ${'x'.repeat(30)}\n`).join('')
    const path = join(dir, 'long-header.nrrd')
    const bytes = nrrd(comments, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))
    await writeFile(path, bytes)
    expect(bytes.length - 8).toBeGreaterThan(64 << 10)
    const h = await readVolumeHeader(path)
    expect(h.sizes).toEqual([2, 2, 2])
    expect(h.payload).toMatchObject({ offset: bytes.length - 8, bytes: 8, encoding: 'raw' })
  })
  it('a header with no end within 1 MiB is refused, naming the limit', async () => {
    const path = join(dir, 'endless.nrrd')
    await writeFile(path, Buffer.concat([Buffer.from('NRRD0004\ntype: unsigned char\n'), Buffer.alloc(2 << 20, 0x41)]))
    await expect(readVolumeHeader(path)).rejects.toThrow(/does not end within the first 1048576 bytes/)
  })
})
