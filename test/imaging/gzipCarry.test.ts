// The gzip plumbing of the carry path on real files: crc32_combine against zlib's CRC of the
// concatenation, gzip headers with every optional field, one member told apart from two members
// or trailing bytes, and a carried file that gunzip, zlib's CRC check and ISIZE all accept.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CarriedGzipWriter, crc32Combine, gzipDeflateStart, scanGzipMember, storedBlock } from '../../electron/imaging/gzipCarry'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-gzcarry-'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** A gzip member with every optional header field (extra, name, comment, header CRC). */
function fancyGzip(data: Buffer): Buffer {
  const plain = gzipSync(data, { level: 6 })
  const extra = Buffer.from([4, 0, 0x41, 0x42, 0, 0]) // XLEN 4: subfield "AB", length 0
  const header = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 1, 2, 3, 4, 0, 3]), extra, Buffer.from('scan.nrrd\0comment\0')])
  const hcrc = Buffer.alloc(2)
  hcrc.writeUInt16LE(crc32(header) & 0xffff)
  return Buffer.concat([header, hcrc, plain.subarray(10)])
}

/** CT-like int16 noise: compresses about as badly as a real scan. */
function noisyVoxels(n: number): Buffer {
  const a = new Int16Array(n)
  for (let i = 0; i < n; i++) a[i] = 40 + Math.round((Math.random() - 0.5) * 60)
  return Buffer.from(a.buffer)
}

describe('crc32Combine', () => {
  it('equals the CRC-32 of the concatenation for lengths from 0 to beyond 4 GiB patterns', () => {
    for (const [la, lb] of [[0, 0], [1, 0], [0, 7], [352, 83886080 % 100003], [352, 65536], [1000, 1]] as const) {
      const a = randomBytes(la)
      const b = randomBytes(lb)
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])))
    }
    // A length past 2^32 exercises the halving without 32-bit operators: combining zeros twice equals once with the sum.
    const z = crc32(Buffer.alloc(0))
    const big = 2 ** 32 + 5
    expect(crc32Combine(crc32Combine(123456789, z, big - 5), z, 5)).toBe(crc32Combine(123456789, z, big))
  })
})

describe('gzipDeflateStart', () => {
  it('skips extra field, name, comment and header CRC; refuses what is not gzip', () => {
    const data = Buffer.from('hello voxels')
    const g = fancyGzip(data)
    const start = gzipDeflateStart(g)!
    expect(start).toBe(10 + 6 + 'scan.nrrd\0comment\0'.length + 2)
    expect(gunzipSync(g)).toEqual(data)
    expect(gzipDeflateStart(gzipSync(data))).toBe(10)
    expect(gzipDeflateStart(Buffer.from('NRRD0004'))).toBeNull()
    expect(gzipDeflateStart(g.subarray(0, 14))).toBeNull()
  })
})

describe('scanGzipMember and CarriedGzipWriter', () => {
  it('carries one member behind a stored NIfTI-sized prefix: gunzip checks the combined CRC and length', async () => {
    const voxels = noisyVoxels(300_000)
    const file = join(tmp, 'one.gz')
    await writeFile(file, fancyGzip(voxels))
    const start = gzipDeflateStart(await readFile(file))!
    const size = (await readFile(file)).length
    const scan = await scanGzipMember(file, start, size, { keepHead: 352 })
    expect(scan.reason).toBeUndefined()
    expect(scan.member).toMatchObject({ deflateStart: start, deflateEnd: size - 8, crc: crc32(voxels), length: voxels.length })
    expect(scan.head).toEqual(voxels.subarray(0, 352))
    const prefix = randomBytes(352)
    const out = join(tmp, 'out.nii.gz')
    // As prepare carries an image (electron/imaging/carry.ts): the member's deflate bytes, fed in
    // chunks while they are read, behind the stored prefix.
    const writer = await CarriedGzipWriter.open(out, prefix)
    const deflate = (await readFile(file)).subarray(start, size - 8)
    for (let pos = 0; pos < deflate.length; pos += 65_536) await writer.write(deflate.subarray(pos, pos + 65_536))
    const written = await writer.finish(scan.member!)
    const bytes = await readFile(out)
    expect(written).toBe(bytes.length)
    expect(bytes.length).toBe(10 + 5 + 352 + (size - 8 - start) + 8)
    // gunzipSync verifies the trailer's CRC-32 and ISIZE: a wrong combination throws here.
    expect(gunzipSync(bytes).equals(Buffer.concat([prefix, voxels]))).toBe(true)
    expect(bytes.readUInt32LE(bytes.length - 8)).toBe(crc32(Buffer.concat([prefix, voxels])))
  })

  it('tells one member apart from two members, trailing bytes, a wrong CRC and a truncated stream', async () => {
    const voxels = noisyVoxels(100_000)
    const half = voxels.length / 2
    const cases: [string, Buffer, RegExp][] = [
      ['two members', Buffer.concat([gzipSync(voxels.subarray(0, half)), gzipSync(voxels.subarray(half))]), /more than one member/],
      ['empty first member', Buffer.concat([gzipSync(Buffer.alloc(0)), gzipSync(voxels)]), /more than one member/],
      ['trailing bytes', Buffer.concat([gzipSync(voxels), Buffer.from('garbage!')]), /more than one member|trailer/],
      ['wrong CRC', (() => { const g = gzipSync(voxels); g.writeUInt32LE((g.readUInt32LE(g.length - 8) ^ 1) >>> 0, g.length - 8); return g })(), /trailer does not match/],
      ['truncated', gzipSync(voxels).subarray(0, 5000), /does not inflate as one member/],
    ]
    for (const [name, bytes, why] of cases) {
      const file = join(tmp, `${name}.gz`)
      await writeFile(file, bytes)
      const scan = await scanGzipMember(file, 10, bytes.length)
      expect(scan.member, name).toBeNull()
      expect(scan.reason, name).toMatch(why)
    }
  })

  it('a stored block is what zlib reads as one: raw inflate of block + final empty block gives the data back', () => {
    const data = randomBytes(352)
    const final = deflateRawSync(Buffer.alloc(0)) // a final empty block
    expect(Buffer.from(inflateRawSync(Buffer.concat([storedBlock(data), final]))).equals(data)).toBe(true)
  })
})
