// Carrying an image's compressed voxels across into its .nii.gz. The image never changes between
// input and output, only its name and header do, so where the input's gzip payload already holds
// exactly the voxel bytes the output needs, the output is written from those compressed bytes
// (gzipCarry.ts) instead of decoding and deflating them again. ITK reads only the header
// (geometry and pixel type, exactly as today's path sees them); the payload is still inflated
// completely once, with native zlib, to check its size and CRC and count NaN/infinity.
// Everything else takes today's path (tryCarry says why), which also names what is wrong with a
// damaged input: nothing is refused here that today's path would accept.
import { createHash } from 'node:crypto'
import { constants as zlibConstants, inflateRawSync } from 'node:zlib'
import { SourceFileError, SourceSet, type SourceFile } from '../files/sourceFile'
import { VolumeReadError } from './volumeError'
import type { Geometry } from '../../shared/api'
import { readVolumeHeader, type VolumeHeader } from './volumeHeader'
import { checkPayloadLayout } from './payload'
import { checkEntry, MAX_READ_BYTES, type Volume } from './volume'
import { niftiDatatype, niftiHeader, VOX_OFFSET } from './niftiWriter'
import { CarriedGzipWriter, crc32Available, gzipDeflateStart, scanGzipMember, type GzipMember } from './gzipCarry'

export interface CarriedImage {
  /** The image as today's path would see it, without voxels (data null); stored NaN/infinity counted. */
  volume: Volume
  member: GzipMember
  /** The NIfTI header to put before the carried voxels (NRRD), or null when the member already starts with it (.nii.gz). */
  prefix: Uint8Array | null
  /**
   * With `writeTo`: the output being finished (trailer, sync, rename; resolves to its bytes) from
   * the very bytes that were checked, and the input file's fingerprint from that same read.
   * Absent when the image holds NaN or infinity (it fails its checks: nothing is written).
   */
  writing?: Promise<number>
}

export type CarryAttempt = { carried: CarriedImage } | { reason: string }

/** Why a header alone rules the carry path out; null when it may apply. */
export function carryBlocker(h: VolumeHeader): string | null {
  const p = h.payload
  if (h.format === 'nifti2') return 'NIfTI-2 input'
  if (p.encoding === 'raw') return 'uncompressed input'
  if (h.format === 'metaimage') return p.encoding === 'zlib' ? 'MetaImage input (its compressed data is zlib, not gzip)' : `MetaImage ${p.encoding} input`
  if (p.encoding !== 'gzip') return `${p.encoding}-encoded input`
  if (p.file !== h.file) return 'detached header (.nhdr with a data file)'
  if (h.format === 'nrrd' && p.skip !== 0) return 'NRRD byte skip'
  if (h.components !== 1) return `${h.components} components per voxel`
  if (!h.littleEndian && h.componentBytes > 1) return 'big-endian voxels'
  if (p.bytes > MAX_READ_BYTES) return 'larger than this build reads'
  return null
}

/**
 * The geometry of a NIfTI header as prepare writes it (qform and sform alike), read from its sform,
 * for axis-aligned grids only: there ITK reads exactly these numbers too (each direction is 0 or
 * +-1 and each spacing is pixdim), so writing them again gives the same header bytes as today's path.
 */
function niftiGeometry(head: Buffer): Geometry | null {
  if (head.length < VOX_OFFSET || head.readInt32LE(0) !== 348 || head.readInt16LE(40) !== 3) return null
  const size = [0, 1, 2].map((i) => head.readInt16LE(42 + 2 * i))
  const spacing = [0, 1, 2].map((i) => head.readFloatLE(80 + 4 * i))
  const srow = (r: number, c: number) => head.readFloatLE(280 + 16 * r + 4 * c)
  const flip = [-1, -1, 1]
  const direction = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => flip[r]! * (srow(r, c) / spacing[c]!)))
  if (!spacing.every((s) => s > 0) || !direction.every((d) => d === 0 || d === 1 || d === -1)) return null
  return { size, spacing, origin: [0, 1, 2].map((r) => flip[r]! * srow(r, 3)), direction }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0

/**
 * Tries the carry path for an image. Any doubt returns a reason and the caller takes today's path
 * (full ITK read, checks, encode), which reports a damaged file in its own words.
 */
export async function tryCarry(path: string, opts: { signal?: AbortSignal; writeTo?: string; files?: SourceSet } = {}): Promise<CarryAttempt> {
  const own = opts.files ? null : new SourceSet()
  try {
    return await carryOpen(path, opts.files ?? own!, opts)
  } finally {
    await own?.close()
  }
}

async function carryOpen(path: string, files: SourceSet, opts: { signal?: AbortSignal; writeTo?: string }): Promise<CarryAttempt> {
  const { signal, writeTo } = opts
  if (!crc32Available()) return { reason: 'this Node has no zlib.crc32' }
  let header: VolumeHeader
  let src: SourceFile
  try {
    // A pipe or device named like a volume would block the header read: today's path names it.
    await checkEntry(path)
    header = await readVolumeHeader(path, files)
    const blocker = carryBlocker(header)
    if (blocker) return { reason: blocker }
    await checkPayloadLayout(header, files)
    src = await files.open(header.payload.file)
  } catch {
    return { reason: 'its header or payload needs the full check' }
  }
  const componentType = header.componentType
  const dt = componentType && niftiDatatype(componentType)
  if (!componentType || !dt || dt.bitpix !== 8 * header.componentBytes) return { reason: `pixel type ${header.typeName} is re-encoded` }
  const nifti = header.format === 'nifti1'
  if (!nifti && !header.geometry) return { reason: 'its NRRD space is not LPS or RAS with three space directions and an origin' }
  if (nifti && header.sizes.length !== 3) return { reason: 'not a 3D NIfTI header' }

  const p = header.payload
  const start = await src.read(p.offset, 64 * 1024)
  const deflateStart = gzipDeflateStart(start)
  if (deflateStart === null) return { reason: 'its gzip header needs the full check' }
  // A .nii.gz keeps its bytes only when its header is the one prepare writes: told from the first
  // inflated bytes, before the whole member is inflated for nothing.
  if (nifti && !writtenHere(start.subarray(deflateStart), componentType)) return { reason: 'its NIfTI header differs from the one prepare writes' }
  const voxelsAt = nifti ? p.skip : 0
  const prefix = nifti ? null : niftiHeader(header.geometry!, componentType)
  // Writing while checking reads the input once for the check, the copy and the fingerprint; a
  // case that fails after all removes the unfinished file.
  const writer = writeTo ? await CarriedGzipWriter.open(writeTo, prefix) : null
  const hash = createHash('sha256').update(await src.read(0, p.offset + deflateStart))
  let scan
  try {
    scan = await scanGzipMember(src, p.offset + deflateStart, src.size, {
      keepHead: nifti ? VOX_OFFSET : 0,
      ...(header.float && { floats: { start: voxelsAt, end: voxelsAt + p.bytes, width: header.componentBytes, littleEndian: header.littleEndian } }),
      onCompressed: writer ? (chunk: Buffer) => (hash.update(chunk), writer.write(chunk)) : (chunk: Buffer) => void hash.update(chunk),
      signal,
    })
    // What was read is what the path holds now, unchanged since it was opened: else nothing is kept.
    await files.verifyUnchanged()
  } catch (err) {
    await writer?.abort()
    if (err instanceof SourceFileError) throw new VolumeReadError(path, err.reason)
    throw err
  }
  const print = scan.trailer ? { path: src.path, size: src.size, mtimeMs: src.mtimeMs, sha256: hash.update(scan.trailer).digest('hex') } : null
  const attempt = carriedFrom(header, componentType, prefix, scan, print ? [print] : [])
  if (!writer) return attempt
  if (!('carried' in attempt) || scan.nan + scan.infinite > 0) {
    await writer.abort()
    return attempt
  }
  const writing = writer.finish(attempt.carried.member)
  writing.catch(() => undefined) // the caller awaits it; a failure must not surface as unhandled first
  return { carried: { ...attempt.carried, writing } }
}

/** Whether deflate data starting with `deflate` inflates to a NIfTI header byte-identical to the one prepare writes. */
function writtenHere(deflate: Buffer, componentType: string): boolean {
  let head: Buffer
  try {
    // A few kB of deflate hold the header; Z_SYNC_FLUSH returns what they inflate to without the rest.
    head = inflateRawSync(deflate.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 8 << 20 })
  } catch {
    return true // unsure: the scan decides
  }
  if (head.length < VOX_OFFSET) return true
  const g = niftiGeometry(head.subarray(0, VOX_OFFSET))
  return !!g && sameBytes(head.subarray(0, VOX_OFFSET), niftiHeader(g, componentType))
}

/** The carried image from a scanned member, or why its voxels cannot be carried. */
function carriedFrom(header: VolumeHeader, componentType: string, prefix: Uint8Array | null, scan: Awaited<ReturnType<typeof scanGzipMember>>, sources: Volume['sources']): CarryAttempt {
  const p = header.payload
  const nifti = header.format === 'nifti1'
  if (!scan.member) return { reason: scan.reason ?? 'its gzip data needs the full check' }
  let geometry: Geometry
  if (nifti) {
    // Only a header byte-identical to the one prepare writes today is kept (a file this tool wrote).
    const g = p.skip === VOX_OFFSET && scan.length === VOX_OFFSET + p.bytes ? niftiGeometry(scan.head) : null
    if (!g || !sameBytes(scan.head, niftiHeader(g, componentType))) return { reason: 'its NIfTI header differs from the one prepare writes' }
    geometry = g
  } else {
    if (scan.length !== p.bytes) return { reason: 'its gzip data does not inflate to the size its header gives' }
    geometry = header.geometry!
  }
  const volume: Volume = { dimension: 3, componentType, pixelType: 'Scalar', components: 1, ...geometry, data: null, stored: { nan: scan.nan, infinite: scan.infinite }, header, sources }
  return { carried: { volume, member: scan.member, prefix } }
}
