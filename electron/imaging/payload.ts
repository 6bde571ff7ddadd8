// Every voxel payload verified against its header before a reader trusts it. ITK's readers fill a
// short payload with zeros, and ITK's NIfTI reader (nifti_clib's nifti_read_buffer) replaces NaN
// and infinity by 0, so neither a truncated file nor a NaN can be seen in what they return. Here
// the payload is streamed from disk with native zlib (async, bounded memory): raw payloads must
// have the bytes the header claims; compressed ones must inflate completely to that size with
// matching checksums (zlib checks each gzip member's CRC-32 and length, and a zlib stream's
// Adler-32); float values are counted as stored.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { endianness } from 'node:os'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createUnzip, gunzipSync, unzipSync } from 'node:zlib'
import { describeFsError, formatByteCount, VolumeReadError } from './volumeError'
import type { VolumeHeader } from './volumeHeader'

export interface PayloadCheck {
  /** False for text encodings (NRRD ascii/hex), which ITK parses and counts itself. */
  verified: boolean
  /** Decoded bytes from the payload's start to its end (skip + voxels + trailing bytes). */
  decodedBytes: number
  /** Float values stored as NaN / as +-infinity (0 for integer types). */
  nan: number
  infinite: number
  /** With `keep`: the voxel bytes (the header's `bytes`, after any skip), decoded. */
  voxels?: Uint8Array
}

/** Deflate cannot expand more than about 1032:1; a claimed size beyond that is not in the file. */
const MAX_INFLATE_RATIO = 1032

function where(h: VolumeHeader): string {
  return h.payload.file === h.file ? 'the file' : `its data file ${h.payload.file}`
}

function describeSizes(h: VolumeHeader): string {
  const comps = h.components > 1 ? ` x ${h.components} components` : ''
  return `${h.sizes.join('x')}${comps} ${h.typeName} = ${formatByteCount(h.payload.bytes)}`
}

/** The payload file's size, opened for reading so that a file this user may not read is named now. */
async function encodedSize(h: VolumeHeader): Promise<number> {
  try {
    const fh = await open(h.payload.file, 'r')
    try {
      return (await fh.stat()).size
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw new VolumeReadError(h.file, describeFsError(err, h.payload.file, h.payload.file === h.file ? 'the file' : 'its data file'))
  }
}

/**
 * What can be told from sizes alone, without decoding: a raw payload holds exactly what the header
 * claims (NIfTI: at least), and a compressed one is not smaller than any deflate stream of the
 * claimed size could be. A header claiming 100000^3 voxels is refused here, before any reader
 * allocates for it.
 */
export async function checkPayloadLayout(h: VolumeHeader): Promise<void> {
  const p = h.payload
  if (p.encoding === 'text') return
  const size = await encodedSize(h)
  const available = size - p.offset
  if (p.encoding === 'raw') {
    if (available < p.bytes) {
      const start = p.offset > 0 ? ` from byte ${p.offset}` : ''
      const hint = available <= 0 && h.format.startsWith('nifti') ? ' (or its vox_offset is wrong)' : ''
      throw new VolumeReadError(h.file, `${where(h)} is truncated${hint}: its header describes ${describeSizes(h)} of voxel data${start}, but ${where(h)} holds only ${formatByteCount(Math.max(0, available))} there. Copy or export it again.`)
    }
    if (available > p.bytes && !p.trailingAllowed) {
      throw new VolumeReadError(h.file, `${where(h)} holds ${formatByteCount(available)} of voxel data but its header describes ${describeSizes(h)}: the header's sizes or type do not match the data. Re-export it from the program that made it.`)
    }
    return
  }
  if ((p.skip + p.bytes) / MAX_INFLATE_RATIO > available + 1024) {
    throw new VolumeReadError(h.file, `its header describes ${describeSizes(h)} of voxel data, but ${where(h)} holds only ${formatByteCount(Math.max(0, available))} of compressed data, which cannot inflate to that much: the header is wrong or the file is truncated. Re-export it from the program that made it.`)
  }
}

/**
 * Streams the payload once: sizes, checksums, NaN and infinity. Throws VolumeReadError. With
 * `keep`, the voxel bytes are kept as they stream by (volume.ts decodes simple volumes with them
 * instead of ITK).
 */
export async function verifyPayload(h: VolumeHeader, signal?: AbortSignal, opts: { keep?: boolean } = {}): Promise<PayloadCheck> {
  const p = h.payload
  if (p.encoding === 'text') return { verified: false, decodedBytes: 0, nan: 0, infinite: 0 }
  await checkPayloadLayout(h)
  const counter = h.float ? new NonFiniteCounter(p.skip, p.skip + p.bytes, h.componentBytes, h.littleEndian) : null
  const keeper = opts.keep ? new RangeKeeper(p.encoding === 'raw' ? 0 : p.skip, p.bytes) : null
  if (p.encoding === 'raw') {
    // Sizes are settled; only float values (or kept voxels) need reading.
    if ((counter || keeper) && p.bytes > 0) {
      await stream(h, createReadStream(p.file, { start: p.offset, end: p.offset + p.bytes - 1, highWaterMark: 1 << 20, signal }), null, counter, Infinity, keeper)
    }
    return { verified: true, decodedBytes: p.bytes, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, ...(keeper && { voxels: keeper.bytes }) }
  }
  const expected = p.skip + p.bytes
  const whole = opts.keep && !p.trailingAllowed ? await inflateWhole(h, expected) : null
  if (whole) {
    counter?.push(whole)
    return { verified: true, decodedBytes: expected, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, voxels: whole.subarray(p.skip, expected) }
  }
  const inflate = p.encoding === 'gzip' ? createGunzip({ chunkSize: 1 << 18 }) : createUnzip({ chunkSize: 1 << 18 })
  const decoded = await stream(h, createReadStream(p.file, { start: p.offset, highWaterMark: 1 << 20, signal }), inflate, counter, p.trailingAllowed ? Infinity : expected, keeper)
  if (decoded < expected) {
    throw new VolumeReadError(h.file, `${where(h)} is truncated or its header is wrong: its compressed data inflates completely (checksum correct) to ${formatByteCount(decoded)}, but its header describes ${describeSizes(h)}${p.skip ? ` after ${p.skip} bytes` : ''}. Copy or export it again.`)
  }
  if (decoded > expected && !p.trailingAllowed) {
    throw new VolumeReadError(h.file, `${where(h)} inflates to more than the ${describeSizes(h)} its header describes: the header's sizes or type do not match the data. Re-export it from the program that made it.`)
  }
  return { verified: true, decodedBytes: decoded, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, ...(keeper && { voxels: keeper.bytes }) }
}

/** Compressed payloads up to this size are inflated in one call when their voxels are kept. */
const WHOLE_INFLATE_MAX = 64 << 20

/**
 * The kept-voxels fast path: a small compressed payload (a mask: 42 MB of voxels in 150 kB) read
 * at once and inflated by one native call into one buffer of the expected size, which checks the
 * CRC/Adler and length as the stream does, without the stream's per-chunk work and copy. Null
 * when it does not apply or anything is off (wrong size, corrupt, truncated): the streaming check
 * then runs and names what is wrong in its own words.
 */
async function inflateWhole(h: VolumeHeader, expected: number): Promise<Buffer | null> {
  const p = h.payload
  let fh
  try {
    fh = await open(p.file, 'r')
  } catch {
    return null
  }
  try {
    const size = (await fh.stat()).size - p.offset
    if (size <= 0 || size > WHOLE_INFLATE_MAX) return null
    const input = Buffer.allocUnsafe(size)
    const { bytesRead } = await fh.read(input, 0, size, p.offset)
    if (bytesRead !== size) return null
    const zopts = { chunkSize: Math.max(1 << 16, expected), maxOutputLength: Math.max(1, expected) }
    const out = p.encoding === 'gzip' ? gunzipSync(input, zopts) : unzipSync(input, zopts)
    return out.length === expected && out.byteOffset % 8 === 0 ? out : null
  } catch {
    return null
  } finally {
    await fh.close()
  }
}

/** Copies the decoded byte range [start, start + length) of a stream of chunks into one buffer. */
class RangeKeeper {
  readonly bytes: Uint8Array
  private pos = 0
  constructor(
    private readonly start: number,
    length: number,
  ) {
    this.bytes = new Uint8Array(length)
  }

  push(chunk: Buffer): void {
    const from = Math.max(0, this.start - this.pos)
    const to = Math.min(chunk.length, this.start + this.bytes.length - this.pos)
    if (to > from) this.bytes.set(chunk.subarray(from, to), this.pos + from - this.start)
    this.pos += chunk.length
  }
}

/** Pipes the payload through `inflate` (if any) into the counter; returns the decoded byte count. Stops early past `limit`. */
async function stream(h: VolumeHeader, source: NodeJS.ReadableStream, inflate: NodeJS.ReadWriteStream | null, counter: NonFiniteCounter | null, limit = Infinity, keeper: RangeKeeper | null = null): Promise<number> {
  let decoded = 0
  let stopped = false
  const sink = async (chunks: AsyncIterable<string | Buffer>) => {
    for await (const c of chunks) {
      const chunk = typeof c === 'string' ? Buffer.from(c) : c
      counter?.push(chunk)
      keeper?.push(chunk)
      decoded += chunk.length
      if (decoded > limit) {
        stopped = true
        return
      }
    }
  }
  try {
    if (inflate) await pipeline(source, inflate, sink)
    else await pipeline(source, sink)
  } catch (err) {
    // Leaving the sink early ends the pipeline with an abort: that is the stop asked for.
    if (!stopped) throw explainStreamError(h, err)
  }
  return decoded
}

function explainStreamError(h: VolumeHeader, err: unknown): Error {
  if (err instanceof VolumeReadError) return err
  const e = err as NodeJS.ErrnoException
  if (e?.name === 'AbortError') return e
  const again = 'Copy or export it again.'
  const kind = h.payload.encoding === 'gzip' ? 'gzip' : 'zlib'
  switch (e?.code) {
    case 'Z_BUF_ERROR':
      return new VolumeReadError(h.file, `${where(h)} is truncated: its ${kind}-compressed voxel data ends early (a copy or download that did not finish?). ${again}`)
    case 'Z_DATA_ERROR':
      if (/incorrect (data|length) check/.test(e.message)) {
        return new VolumeReadError(h.file, `${where(h)} is damaged: its compressed voxel data inflates, but the ${kind === 'gzip' ? 'CRC-32 or length in the gzip trailer' : 'Adler-32 checksum'} does not match (${e.message}), so some voxels are wrong. ${again}`)
      }
      if (/header check|unknown compression method/.test(e.message)) {
        return new VolumeReadError(h.file, `${where(h)} is damaged or not compressed as its header says: its voxel data is not a ${kind} stream (${e.message}). ${again}`)
      }
      return new VolumeReadError(h.file, `${where(h)} is damaged: its compressed voxel data is corrupt (${e.message}). ${again}`)
    default:
      if (e?.code && /^E[A-Z]+$/.test(e.code)) return new VolumeReadError(h.file, describeFsError(e, h.payload.file))
      return new VolumeReadError(h.file, `${where(h)} could not be read (${e?.message ?? String(err)}).`)
  }
}

const HOST_LE = endianness() === 'LE'

/**
 * Counts NaN and infinite floats in the decoded byte range [start, end) of a stream of chunks.
 * IEEE-754: an all-ones exponent is infinity (zero mantissa) or NaN; tested on the raw bits so the
 * loop stays on one typed array.
 */
export class NonFiniteCounter {
  nan = 0
  infinite = 0
  private pos = 0
  private carry = Buffer.alloc(0)

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly width: number,
    private readonly littleEndian: boolean,
  ) {}

  push(chunk: Buffer): void {
    const from = Math.max(0, this.start - this.pos)
    const to = Math.min(chunk.length, this.end - this.pos)
    this.pos += chunk.length
    if (to <= from) return
    let data = chunk.subarray(from, to)
    if (this.carry.length) {
      data = Buffer.concat([this.carry, data])
      this.carry = Buffer.alloc(0)
    }
    const whole = data.length - (data.length % this.width)
    if (whole < data.length) this.carry = Buffer.from(data.subarray(whole))
    if (whole > 0) this.scan(data.subarray(0, whole))
  }

  private scan(bytes: Uint8Array): void {
    if (this.width !== 4 && this.width !== 8) return
    if (!HOST_LE || !this.littleEndian) return this.scanDataView(bytes)
    // Chunks from zlib start at offset 0; a sliced one may not be aligned for a typed-array view.
    if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes)
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    if (this.width === 4) {
      for (let i = 0; i < u.length; i++) {
        const v = u[i]!
        if ((v & 0x7f800000) === 0x7f800000) {
          if (v & 0x007fffff) this.nan++
          else this.infinite++
        }
      }
    } else {
      for (let i = 1; i < u.length; i += 2) {
        const hi = u[i]!
        if ((hi & 0x7ff00000) === 0x7ff00000) {
          if (hi & 0x000fffff || u[i - 1]) this.nan++
          else this.infinite++
        }
      }
    }
  }

  private scanDataView(bytes: Uint8Array): void {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let o = 0; o < bytes.byteLength; o += this.width) {
      const v = this.width === 4 ? dv.getFloat32(o, this.littleEndian) : dv.getFloat64(o, this.littleEndian)
      if (v !== v) this.nan++
      else if (v === Infinity || v === -Infinity) this.infinite++
    }
  }
}
