// Every voxel payload verified against its header before a reader trusts it. ITK's readers fill a
// short payload with zeros, and ITK's NIfTI reader (nifti_clib's nifti_read_buffer) replaces NaN
// and infinity by 0, so neither a truncated file nor a NaN can be seen in what they return. Here
// the payload is streamed from disk with native zlib (async, bounded memory): raw payloads must
// have the bytes the header claims; compressed ones must inflate completely to that size with
// matching checksums (zlib checks each gzip member's CRC-32 and length, and a zlib stream's
// Adler-32); float values are counted as stored.
import { open, writeFile, type FileHandle } from 'node:fs/promises'
import { basename } from 'node:path'
import { createHash, type Hash } from 'node:crypto'
import { endianness } from 'node:os'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CHANGED_WHILE_READ, SourceFileError, type SourceFile, SourceSet } from '../files/sourceFile'
import { createGunzip, createUnzip, gunzipSync, unzipSync } from 'node:zlib'
import { environmentCode } from '../files/environmentError'
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
  /** Every file read (a detached header first, then the payload's file), as read. */
  prints: FilePrint[]
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

/** The payload file's size, through its one descriptor, so that a file this user may not read is named now. */
async function encodedSize(h: VolumeHeader, files: SourceSet): Promise<number> {
  try {
    return (await files.open(h.payload.file)).size
  } catch (err) {
    if (err instanceof SourceFileError) throw new VolumeReadError(h.file, `${where(h)}: ${err.reason}.`)
    if (environmentCode(err)) throw err
    throw new VolumeReadError(h.file, describeFsError(err, h.payload.file, h.payload.file === h.file ? 'the file' : 'its data file'))
  }
}

/**
 * What can be told from sizes alone, without decoding: a raw payload holds exactly what the header
 * claims (NIfTI: at least), and a compressed one is not smaller than any deflate stream of the
 * claimed size could be. A header claiming 100000^3 voxels is refused here, before any reader
 * allocates for it.
 */
export async function checkPayloadLayout(h: VolumeHeader, files?: SourceSet): Promise<void> {
  const p = h.payload
  if (p.encoding === 'text') return
  const own = files ? null : new SourceSet()
  let size: number
  try {
    size = await encodedSize(h, files ?? own!)
  } finally {
    await own?.close()
  }
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

/** A source file as it was read: what the manifest records, so a resume sees it change. */
export interface FilePrint {
  path: string
  size: number
  mtimeMs: number
  sha256: string
}

export interface VerifyOptions {
  /** Keep the decoded voxel bytes (volume.ts decodes simple volumes with them instead of ITK). */
  keep?: boolean
  /** The volume's open files (volumeHeader.ts opened them); without it they are opened here. */
  files?: SourceSet
  /** Write every byte read to this file too (the private copy ITK reads): the header file, then a detached data file. */
  copyTo?: { header: string; data?: string }
}

/**
 * Reads every file of the volume once, through its one descriptor: each byte is hashed (the
 * fingerprint the manifest records), copied where asked, and the payload's bytes are checked as
 * they pass: sizes, checksums, NaN and infinity. Throws VolumeReadError.
 */
export async function verifyPayload(h: VolumeHeader, signal?: AbortSignal, opts: VerifyOptions = {}): Promise<PayloadCheck> {
  const own = opts.files ? null : new SourceSet()
  const files = opts.files ?? own!
  try {
    return await verifyOpen(h, files, signal, opts)
  } finally {
    await own?.close()
  }
}

async function verifyOpen(h: VolumeHeader, files: SourceSet, signal: AbortSignal | undefined, opts: VerifyOptions): Promise<PayloadCheck> {
  const p = h.payload
  await checkPayloadLayout(h, files)
  const prints: FilePrint[] = []
  const copy = opts.copyTo
  const fail = (err: unknown) => (err instanceof VolumeReadError ? err : explainStreamError(h, err))
  // A detached header first: it is small text, hashed and copied whole.
  if (p.file !== h.file) {
    const hf = await files.open(h.file)
    const text = await hf.read(0, hf.size).catch((err: unknown) => Promise.reject(fail(err)))
    if (text.length !== hf.size) throw fail(new SourceFileError(h.file, `${CHANGED_WHILE_READ}: it became shorter while it was read.`))
    prints.push({ path: h.file, size: hf.size, mtimeMs: hf.mtimeMs, sha256: createHash('sha256').update(text).digest('hex') })
    if (copy) await writeFile(copy.header, copy.data ? pointAt(h, text, basename(copy.data)) : text)
  }
  const src = await files.open(p.file)
  const hash = createHash('sha256')
  const out = copy ? await open(p.file === h.file ? copy.header : copy.data!, 'w') : null
  let pos = 0
  /** Every byte of the payload file in order, hashed and copied; yields the payload's part. */
  async function* payloadBytes(): AsyncGenerator<Buffer> {
    for await (const chunk of src.chunks(pos, src.size, 1 << 20, signal)) {
      const at = pos
      pos += chunk.length
      hash.update(chunk)
      if (out) await out.write(chunk)
      if (pos > p.offset) yield at >= p.offset ? chunk : chunk.subarray(p.offset - at)
    }
  }
  const finishFile = async () => {
    // Whatever the check did not need is still hashed (and copied): the print covers the whole file.
    for await (const _ of payloadBytes());
    await out?.close()
    prints.push({ path: p.file, size: src.size, mtimeMs: src.mtimeMs, sha256: hash.digest('hex') })
  }
  try {
    const check = await checkStream(h, src, payloadBytes, opts.keep ?? false, (n) => (pos = n), hash, out)
    await finishFile()
    return { ...check, prints }
  } catch (err) {
    await out?.close().catch(() => undefined)
    throw fail(err)
  }
}

/** The header text with its data file line pointing at `name` (the private copy's data file). */
function pointAt(h: VolumeHeader, text: Buffer, name: string): Buffer {
  const line = h.format === 'nrrd' ? /^data ?file:[^\r\n]*/im : /^[ \t]*ElementDataFile[ \t]*=[^\r\n]*/im
  return Buffer.from(text.toString('latin1').replace(line, h.format === 'nrrd' ? `data file: ${name}` : `ElementDataFile = ${name}`), 'latin1')
}

async function checkStream(
  h: VolumeHeader,
  src: SourceFile,
  payloadBytes: () => AsyncGenerator<Buffer>,
  keep: boolean,
  setPos: (n: number) => void,
  hash: Hash,
  out: FileHandle | null,
): Promise<Omit<PayloadCheck, 'prints'>> {
  const p = h.payload
  if (p.encoding === 'text') return { verified: false, decodedBytes: 0, nan: 0, infinite: 0 }
  const counter = h.float ? new NonFiniteCounter(p.skip, p.skip + p.bytes, h.componentBytes, h.littleEndian) : null
  if (p.encoding === 'raw') {
    // Sizes are settled (checkPayloadLayout), so the file can fill the kept buffer.
    const keeper = keep ? new RangeKeeper(0, p.bytes) : null
    await stream(h, Readable.from(payloadBytes()), null, counter, Infinity, keeper)
    return { verified: true, decodedBytes: p.bytes, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, ...(keeper && { voxels: keeper.bytes }) }
  }
  const expected = p.skip + p.bytes
  if (keep && !p.trailingAllowed && src.size - p.offset <= WHOLE_INFLATE_MAX) {
    // The kept-voxels fast path: a small compressed payload (a mask: 42 MB of voxels in 150 kB)
    // read at once and inflated by one native call, which checks the CRC/Adler and length as the
    // stream does, without the stream's per-chunk work.
    const whole = await src.read(0, src.size)
    if (whole.length !== src.size) throw new SourceFileError(src.path, `${CHANGED_WHILE_READ}: it became shorter while it was read.`, 'ECHANGED')
    hash.update(whole)
    if (out) await out.write(whole)
    setPos(src.size)
    const voxels = inflateBounded(h, whole.subarray(p.offset), expected)
    if (voxels) {
      counter?.push(voxels)
      return { verified: true, decodedBytes: expected, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, voxels: voxels.subarray(p.skip, expected) }
    }
    // Anything off: the streaming check below names it in its own words, from the same bytes.
    const decoded = await stream(h, Readable.from([whole.subarray(p.offset)]), inflater(p.encoding), counter, expected, null)
    throw sizeError(h, decoded, expected)
  }
  const keeper = keep ? new RangeKeeper(p.skip, p.bytes, true) : null
  const decoded = await stream(h, Readable.from(payloadBytes()), inflater(p.encoding), counter, p.trailingAllowed ? Infinity : expected, keeper)
  if (decoded !== expected && !(decoded > expected && p.trailingAllowed)) throw sizeError(h, decoded, expected)
  return { verified: true, decodedBytes: decoded, nan: counter?.nan ?? 0, infinite: counter?.infinite ?? 0, ...(keeper && { voxels: keeper.bytes }) }
}

function inflater(encoding: 'gzip' | 'zlib'): NodeJS.ReadWriteStream {
  return encoding === 'gzip' ? createGunzip({ chunkSize: 1 << 18 }) : createUnzip({ chunkSize: 1 << 18 })
}

function sizeError(h: VolumeHeader, decoded: number, expected: number): VolumeReadError {
  const p = h.payload
  if (decoded < expected) return new VolumeReadError(h.file, `${where(h)} is truncated or its header is wrong: its compressed data inflates completely (checksum correct) to ${formatByteCount(decoded)}, but its header describes ${describeSizes(h)}${p.skip ? ` after ${p.skip} bytes` : ''}. Copy or export it again.`)
  return new VolumeReadError(h.file, `${where(h)} inflates to more than the ${describeSizes(h)} its header describes: the header's sizes or type do not match the data. Re-export it from the program that made it.`)
}

/** Compressed payloads up to this size are inflated in one call when their voxels are kept. */
const WHOLE_INFLATE_MAX = 64 << 20

/**
 * Inflates `input` completely, output growing in 4 MiB chunks up to one byte past `expected` (so
 * nothing is allocated from the header's claim that the stream does not fill). Returns the
 * decoded bytes when they are exactly `expected` long with checksums right; null otherwise.
 */
function inflateBounded(h: VolumeHeader, input: Buffer, expected: number): Buffer | null {
  try {
    const zopts = { chunkSize: Math.min(Math.max(1 << 16, expected), 4 << 20), maxOutputLength: Math.max(1, expected + 1) }
    const out = h.payload.encoding === 'gzip' ? gunzipSync(input, zopts) : unzipSync(input, zopts)
    if (out.length !== expected) return null
    return out.byteOffset % 8 === 0 ? out : Buffer.from(out)
  } catch {
    return null
  }
}

/**
 * Copies the decoded byte range [start, start + length) of a stream of chunks. `grow`: the bytes
 * are gathered chunk by chunk and joined at the end, so a header's claim never allocates before
 * the stream has filled it; without it (raw payloads, whose size was checked) one buffer.
 */
class RangeKeeper {
  private buffer: Uint8Array | null
  private readonly parts: Buffer[] = []
  private pos = 0
  constructor(
    private readonly start: number,
    private readonly length: number,
    grow = false,
  ) {
    this.buffer = grow ? null : new Uint8Array(length)
  }

  get bytes(): Uint8Array {
    if (!this.buffer) {
      const joined = Buffer.concat(this.parts)
      this.parts.length = 0
      this.buffer = joined.byteOffset % 8 === 0 ? joined : new Uint8Array(joined)
    }
    return this.buffer
  }

  push(chunk: Buffer): void {
    const from = Math.max(0, this.start - this.pos)
    const to = Math.min(chunk.length, this.start + this.length - this.pos)
    if (to > from) {
      if (this.buffer) this.buffer.set(chunk.subarray(from, to), this.pos + from - this.start)
      else this.parts.push(Buffer.from(chunk.subarray(from, to)))
    }
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
  if (err instanceof SourceFileError) return new VolumeReadError(h.file, err.file === h.file ? err.reason : `its data file ${err.file}: ${err.reason}`)
  if (environmentCode(err)) return err as Error
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
