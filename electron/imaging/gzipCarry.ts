// Gzip plumbing for carrying an input's compressed voxels into a .nii.gz without inflating and
// deflating them again. A gzip member is header + raw deflate blocks + CRC-32 and length of what
// they inflate to. A deflate stream may start with a stored (uncompressed) block, and the input's
// blocks never refer back before their own start, so "stored block holding the NIfTI header" +
// "the input's deflate blocks, unchanged" inflates to header + voxels; the trailer's CRC-32 of
// that whole is combined from the two parts' CRCs by zlib's crc32_combine rule.
import * as zlib from 'node:zlib'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { SourceFile } from '../files/sourceFile'
import { pipeline } from 'node:stream/promises'
import { tempPathFor } from '../files/writeAtomic'
import { faultPoint } from '../files/fault'
import { NonFiniteCounter } from './payload'

/** zlib.crc32 arrived in Node 20.15 / 22.2; without it the carry path is not offered. */
const crc32: ((data: Uint8Array, value?: number) => number) | undefined = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

export function crc32Available(): boolean {
  return crc32 !== undefined
}

export function crc32Of(data: Uint8Array, value = 0): number {
  if (!crc32) throw new Error('This Node has no zlib.crc32.')
  return crc32(data, value) >>> 0
}

// ---------------------------------------------------------------- crc32_combine (zlib 1.2.12+)
const POLY = 0xedb88320

/** a(x) * b(x) modulo p(x), both reflected (bit 31 is x^0), as zlib's multmodp. */
function multmodp(a: number, b: number): number {
  let m = 0x80000000
  let p = 0
  for (;;) {
    if (a & m) {
      p ^= b
      if ((a & (m - 1)) === 0) break
    }
    m >>>= 1
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1
  }
  return p >>> 0
}

/** x^(2^k) modulo p(x), k = 0..31. */
const X2N: number[] = (() => {
  const t: number[] = []
  let p = 0x40000000 // x^1
  t.push(p)
  for (let k = 1; k < 32; k++) t.push((p = multmodp(p, p)))
  return t
})()

/** x^(n * 2^k) modulo p(x); n may exceed 2^32 (a plain number, halved without bit operators). */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000 // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31]!, p)
    n = Math.floor(n / 2)
    k++
  }
  return p
}

/** CRC-32 of A followed by B, from crc(A), crc(B) and B's length. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0
}

// ---------------------------------------------------------------- gzip members
/**
 * Where the deflate data of the gzip member starting at `at` in `head` begins (RFC 1952: the
 * optional extra field, name, comment and header CRC are skipped). Null when `head` does not hold
 * a whole gzip header there, or one this code does not know (reserved flag bits).
 */
export function gzipDeflateStart(head: Uint8Array, at = 0): number | null {
  if (head.length < at + 10 || head[at] !== 0x1f || head[at + 1] !== 0x8b || head[at + 2] !== 8) return null
  const flags = head[at + 3]!
  if (flags & 0xe0) return null
  let p = at + 10
  if (flags & 4) {
    if (head.length < p + 2) return null
    p += 2 + (head[p]! | (head[p + 1]! << 8))
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue
    const end = head.indexOf(0, p)
    if (end < 0) return null
    p = end + 1
  }
  if (flags & 2) p += 2
  return p <= head.length ? p : null
}

export interface GzipMember {
  file: string
  /** The member's raw deflate data: [deflateStart, deflateEnd) of `file`; its 8-byte trailer follows. */
  deflateStart: number
  deflateEnd: number
  /** CRC-32 and length of what the deflate data inflates to (checked, not only read). */
  crc: number
  length: number
}

export interface MemberScan {
  /** The member when `file` from `deflateStart` is one deflate stream followed by its trailer and nothing else, with that trailer right. */
  member: GzipMember | null
  /** Why not, for the report (the payload check says the rest, in its own words). */
  reason?: string
  /** Inflated bytes seen. */
  length: number
  nan: number
  infinite: number
  /** The first `keepHead` inflated bytes. */
  head: Buffer
  /** The member's 8-byte trailer as read (with `member`). */
  trailer?: Buffer
}

export interface ScanOptions {
  /** The inflated byte range whose float values are counted (NaN, infinity), with their width and byte order. */
  floats?: { start: number; end: number; width: number; littleEndian: boolean }
  /** How many leading inflated bytes to keep (a NIfTI header to compare). */
  keepHead?: number
  /**
   * Sees every compressed chunk, in order, before it is inflated (a hash, a carried copy being
   * written); the read waits for a returned promise, so a slow disk slows the scan, not memory.
   */
  onCompressed?: (chunk: Buffer) => void | Promise<void>
  signal?: AbortSignal
}

/**
 * Inflates `file` from `deflateStart` to 8 bytes before its end with native zlib (streamed, bounded
 * memory), computing the CRC-32 of what comes out; the member is carried only when the deflate
 * stream ends exactly at the trailer and the trailer's CRC-32 and length match. Anything else (a
 * second member, garbage after the stream, a truncated or corrupt stream) returns `member: null`
 * with a reason; the caller's ordinary payload check then names what is wrong.
 */
export async function scanGzipMember(source: string | SourceFile, deflateStart: number, fileSize: number, opts: ScanOptions = {}): Promise<MemberScan> {
  if (typeof source !== 'string') return scanOpen(source, deflateStart, fileSize, opts)
  const src = await SourceFile.open(source)
  try {
    return await scanOpen(src, deflateStart, fileSize, opts)
  } finally {
    await src.close()
  }
}

/** scanGzipMember on an open file: every byte comes through its one descriptor. */
async function scanOpen(src: SourceFile, deflateStart: number, fileSize: number, opts: ScanOptions): Promise<MemberScan> {
  const file = src.path
  const keep = opts.keepHead ?? 0
  const counter = opts.floats ? new NonFiniteCounter(opts.floats.start, opts.floats.end, opts.floats.width, opts.floats.littleEndian) : null
  const heads: Buffer[] = []
  let kept = 0
  let length = 0
  let crc = 0
  const result = (reason: string, member: GzipMember | null = null): MemberScan => ({ member, reason: member ? undefined : reason, length, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, head: Buffer.concat(heads) })
  const deflateEnd = fileSize - 8
  if (!crc32) return result('this Node has no zlib.crc32')
  if (deflateEnd <= deflateStart) return result('the gzip data is too short')
  const inflate = zlib.createInflateRaw({ chunkSize: 1 << 20 })
  let ended = false
  inflate.on('end', () => (ended = true))
  const source = Readable.from(src.chunks(deflateStart, deflateEnd, 1 << 20, opts.signal))
  const sink = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      if (kept < keep) {
        heads.push(chunk.subarray(0, keep - kept))
        kept += Math.min(chunk.length, keep - kept)
      }
      crc = crc32(chunk, crc)
      counter?.push(chunk)
      length += chunk.length
    }
  }
  // A failing onCompressed (the disk is full) is its own error, not a fault of the input.
  let teeError: unknown = null
  const seen = opts.onCompressed
  const tee =
    seen &&
    new Transform({
      transform: (chunk: Buffer, _enc, done) =>
        void Promise.resolve()
          .then(() => seen(chunk))
          .then(
            () => done(null, chunk),
            (err: unknown) => done((teeError = err) as Error),
          ),
    })
  try {
    await (tee ? pipeline(source, tee, inflate, sink) : pipeline(source, inflate, sink))
  } catch (err) {
    if (opts.signal?.aborted) throw err
    if (teeError) throw teeError
    // The deflate stream ended before the input did (the pipeline reports an abort or a premature
    // close): more follows the first member.
    if (ended || inflate.bytesWritten < deflateEnd - deflateStart) return result('its gzip data has more than one member (or bytes after the first)')
    return result(`its gzip data does not inflate as one member (${(err as Error).message})`)
  }
  if (inflate.bytesWritten !== deflateEnd - deflateStart) return result('its gzip data has more than one member (or bytes after the first)')
  const trailer = await src.read(deflateEnd, 8)
  if (trailer.length !== 8) return result('its gzip trailer is cut short')
  crc >>>= 0
  if (trailer.readUInt32LE(0) !== crc || trailer.readUInt32LE(4) !== length % 2 ** 32) return result('its gzip trailer does not match its data')
  return { ...result('', { file, deflateStart, deflateEnd, crc, length }), trailer }
}

// ---------------------------------------------------------------- writing
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]) // no name, no time, OS unix

/** A non-final stored deflate block (at most 65535 bytes) holding `data`. */
export function storedBlock(data: Uint8Array): Buffer {
  if (data.length > 0xffff) throw new Error('A stored block holds at most 65535 bytes.')
  const b = Buffer.alloc(5 + data.length)
  b[0] = 0 // BFINAL 0, BTYPE 00; the rest of the byte is padding to the boundary
  b.writeUInt16LE(data.length, 1)
  b.writeUInt16LE(~data.length & 0xffff, 3)
  b.set(data, 5)
  return b
}

/**
 * One carried .nii.gz being written: gzip header, `prefix` in a stored block (when given), the
 * input member's deflate blocks as they arrive, then a trailer for the two together. Atomic like
 * writeFileAtomic (temporary name, synced, renamed). Fed by scanGzipMember's `onCompressed`, the
 * bytes written are exactly the bytes the scan checked, read once.
 */
export class CarriedGzipWriter {
  private written = 0
  private constructor(
    private readonly target: string,
    private readonly tmp: string,
    private readonly out: FileHandle,
    private readonly prefix: Uint8Array | null,
  ) {}

  static async open(target: string, prefix: Uint8Array | null): Promise<CarriedGzipWriter> {
    const tmp = tempPathFor(target)
    const out = await open(tmp, 'w')
    const writer = new CarriedGzipWriter(target, tmp, out, prefix)
    try {
      await writer.write(prefix ? Buffer.concat([GZIP_HEADER, storedBlock(prefix)]) : GZIP_HEADER)
    } catch (err) {
      await writer.abort()
      throw err
    }
    return writer
  }

  async write(chunk: Uint8Array): Promise<void> {
    let at = 0
    while (at < chunk.length) at += (await this.out.write(chunk, at, chunk.length - at)).bytesWritten
    this.written += chunk.length
  }

  /** Writes the trailer for `member` (whose deflate data was written in full), syncs and renames; returns the bytes written. */
  async finish(member: GzipMember): Promise<number> {
    const prefix = this.prefix
    const trailer = Buffer.alloc(8)
    trailer.writeUInt32LE(prefix ? crc32Combine(crc32Of(prefix), member.crc, member.length) : member.crc, 0)
    trailer.writeUInt32LE((member.length + (prefix?.length ?? 0)) % 2 ** 32, 4)
    try {
      await this.write(trailer)
      await this.out.sync()
      await this.out.close()
      faultPoint('temp-written')
      await rename(this.tmp, this.target)
    } catch (err) {
      await this.abort()
      throw err
    }
    return this.written
  }

  /** Closes and removes the temporary file; the target is untouched. */
  async abort(): Promise<void> {
    await this.out.close().catch(() => undefined)
    await rm(this.tmp, { force: true })
  }
}
