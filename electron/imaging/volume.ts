// Reading volumes with itk-wasm. Its Node readers run WebAssembly synchronously and block the
// calling thread for the whole read, so call readVolume from the worker pool, never the main thread.
import { basename, dirname, join, resolve } from 'node:path'
import { endianness, tmpdir } from 'node:os'
import { lstat, mkdtemp, readlink, rm, stat } from 'node:fs/promises'
import { entryKind, SourceFileError, SourceSet } from '../files/sourceFile'
import type { Geometry } from '../../shared/api'
import { describeFsError, formatByteCount, VolumeReadError } from './volumeError'
import { readVolumeHeader, type VolumeHeader } from './volumeHeader'
import { checkPayloadLayout, verifyPayload, type FilePrint } from './payload'

export type VoxelArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array

export interface Volume extends Geometry {
  dimension: number
  /** itk-wasm component type: uint8, int16, float32, ... */
  componentType: string
  /** Scalar, RGB, Vector, ... */
  pixelType: string
  components: number
  /** Null when only the header was read. */
  data: VoxelArray | null
  /**
   * NaN and infinite float values as stored in the file, counted on its bytes: ITK's NIfTI reader
   * returns them as 0. Null when not counted (header only, NRRD text encodings).
   */
  stored: { nan: number; infinite: number } | null
  /** The header as read here: format, payload location, encoding and size. */
  header: VolumeHeader
  /** Every file read for it (the header, then a detached data file), as read: size, mtime, SHA-256. Empty when not read here. */
  sources: FilePrint[]
}

type ImageIo = typeof import('@itk-wasm/image-io')
let io: Promise<ImageIo> | undefined
function imageIo(): Promise<ImageIo> {
  io ??= import('@itk-wasm/image-io')
  return io
}

/** The extensions nnU-Net Wizard reads, longest first so .nii.gz wins over .gz. */
export const VOLUME_EXTENSIONS = ['.nii.gz', '.nrrd', '.nhdr', '.nii', '.mha', '.mhd'] as const

export function volumeExtension(fileName: string): string | null {
  const lower = fileName.toLowerCase()
  return VOLUME_EXTENSIONS.find((e) => lower.endsWith(e)) ?? null
}

export { VolumeReadError }

/**
 * itk-wasm 1.x cannot read a volume of 2^31 bytes or more (measured: 2^31 - 2^20 bytes reads,
 * 2^31 fails with a bare WebAssembly exception), so larger ones are refused with their size.
 */
export const MAX_READ_BYTES = 2 ** 31 - 1

export interface ReadVolumeOptions {
  /** Decode simple volumes here from the checked bytes instead of asking ITK (see decodesNatively). */
  native?: boolean
  signal?: AbortSignal
  /** The files this read opens, when the caller opened some already (carry.ts); closed by the caller then. */
  files?: SourceSet
  /** Test hook: runs after each file is opened (a test moves another file over it there). */
  afterOpen?: (path: string) => Promise<void>
}

/**
 * Reads a volume and returns LPS geometry as ITK reports it. Every file of it (header, detached
 * data file) is opened once and read once through that descriptor (files/sourceFile.ts): the bytes
 * that are checked (payload.ts: a truncated, corrupt or oversized file is refused with what is
 * wrong, NaN/infinity counted as stored) are the bytes hashed into `sources` and the bytes decoded,
 * here or by ITK from a private copy written during that same read. A file that changed meanwhile
 * is refused ("changed while being read").
 */
/** Bytes of memory reading a volume with this header takes: the voxels once decoded here, twice through ITK (its heap and the copy it returns). */
export function readClaim(h: VolumeHeader, native: boolean): number {
  return h.payload.bytes * (native && decodesNatively(h) ? 1 : 2)
}

export async function readVolume(path: string, opts: ReadVolumeOptions = {}): Promise<Volume> {
  await checkEntry(path)
  const files = opts.files ?? new SourceSet(opts.afterOpen)
  let dir: string | null = null
  try {
    const header = await readVolumeHeader(path, files)
    await checkPayloadLayout(header, files)
    if (header.payload.bytes > MAX_READ_BYTES) {
      throw new VolumeReadError(path, `the volume is too large for this build: its voxel data is ${header.sizes.join('x')}${header.components > 1 ? ` x ${header.components}` : ''} ${header.typeName} = ${formatByteCount(header.payload.bytes)}, and this build reads volumes of at most ${formatByteCount(MAX_READ_BYTES)} (the limit of its WebAssembly reader). Crop it to the region of interest or resample it before preparing.`)
    }
    if (header.format === 'nifti2') {
      // itk-wasm 1.x's NIfTI reader takes NIfTI-1 only (measured: a nibabel Nifti2Image fails).
      throw new VolumeReadError(path, 'it is a NIfTI-2 file, which this build cannot read (its reader takes NIfTI-1). Save it as NIfTI-1 (e.g. nibabel.Nifti1Image, or SimpleITK / 3D Slicer, which write NIfTI-1).')
    }
    const native = (opts.native ?? false) && decodesNatively(header)
    let copyTo: { header: string; data?: string } | undefined
    if (!native) {
      // ITK reads by path: it gets a private copy of exactly the bytes checked here, never the source.
      dir = await mkdtemp(join(tmpdir(), 'nnunet-wizard-read-'))
      const ext = volumeExtension(basename(path)) ?? '.nii.gz'
      const detached = header.payload.file !== header.file
      copyTo = { header: join(dir, `volume${ext}`), ...(detached && { data: join(dir, `data${/\.(raw|zraw|img|dat)(\.gz)?$/i.exec(header.payload.file)?.[0] ?? '.raw'}`) }) }
    }
    const check = await verifyPayload(header, opts.signal, { keep: native, files, copyTo })
    await files.verifyUnchanged()
    const stored = check.verified ? { nan: check.nan, infinite: check.infinite } : null
    if (native && check.voxels) return { ...nativeVolume(header, check.voxels, stored), sources: check.prints }
    const { readImageNode } = await imageIo()
    let img
    try {
      img = await readImageNode(copyTo!.header)
    } catch (err) {
      throw new VolumeReadError(path, explainReadFailure(path, err, header))
    }
    const volume: Volume = {
      dimension: img.imageType.dimension,
      componentType: String(img.imageType.componentType),
      pixelType: String(img.imageType.pixelType),
      components: img.imageType.components,
      size: [...img.size],
      spacing: [...img.spacing],
      origin: [...img.origin],
      direction: Array.from(img.direction as ArrayLike<number>, Number),
      data: (img.data as VoxelArray | null) ?? null,
      stored,
      header,
      sources: check.prints,
    }
    checkGeometryFinite(path, volume)
    return volume
  } catch (err) {
    if (err instanceof SourceFileError) throw new VolumeReadError(path, err.file === path ? `${err.reason}` : `its data file ${err.file}: ${err.reason}`)
    throw err
  } finally {
    if (!opts.files) await files.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  }
}

/** What ITK returned is checked too: a spacing or position it computed as NaN, 0 or infinite is refused, not written. */
function checkGeometryFinite(path: string, v: Volume): void {
  const bad = v.spacing.some((s) => !Number.isFinite(s) || s === 0) || !v.origin.every(Number.isFinite) || !v.direction.every(Number.isFinite)
  if (bad) throw new VolumeReadError(path, `its geometry is not usable: spacing ${v.spacing.join(' x ')}, origin ${v.origin.join(', ')}, direction ${v.direction.join(', ')}. nnU-Net Wizard does not invent a voxel size or position; re-export it with its real spacing from the program that made it.`)
}

/**
 * Volumes whose stored bytes are exactly what ITK would return and whose geometry the header
 * reader computes as ITK does (volumeHeader.ts): scalar NRRD, raw or gzip, in this machine's byte
 * order. The payload check inflates them anyway, so keeping its bytes saves ITK a second decode.
 */
function decodesNatively(h: VolumeHeader): boolean {
  const p = h.payload
  return HOST_LE && !!h.geometry && !!h.componentType && h.components === 1 && (h.littleEndian || h.componentBytes === 1) && (p.encoding === 'raw' || p.encoding === 'gzip') && (p.encoding === 'raw' || p.skip === 0)
}

const HOST_LE = endianness() === 'LE'

const ARRAYS: Record<string, new (buffer: ArrayBuffer, offset: number, length: number) => VoxelArray> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
}

function nativeVolume(h: VolumeHeader, bytes: Uint8Array, stored: Volume['stored']): Omit<Volume, 'sources'> {
  const g = h.geometry!
  const TypedArray = ARRAYS[h.componentType!]!
  return {
    dimension: g.size.length,
    componentType: h.componentType!,
    pixelType: 'Scalar',
    components: 1,
    ...g,
    data: new TypedArray(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / h.componentBytes),
    stored,
    header: h,
  }
}

/** A 4D file with one volume (size 1 on the 4th axis) is a 3D scan in a 4D header: keep it as 3D. Null for any other non-3D volume. */
export function as3d(v: Volume): Volume | null {
  if (v.dimension === 3) return v
  if (v.dimension === 4 && v.size[3] === 1) {
    const keep = [0, 1, 2, 4, 5, 6, 8, 9, 10]
    return { ...v, dimension: 3, size: v.size.slice(0, 3), spacing: v.spacing.slice(0, 3), origin: v.origin.slice(0, 3), direction: keep.map((i) => v.direction[i]!) }
  }
  return null
}

/** The path itself: a regular, non-empty file, or a link that leads to one. Says which it is not. */
export async function checkEntry(path: string): Promise<void> {
  const entry = await lstat(path).catch((err: unknown) => {
    throw new VolumeReadError(path, describeFsError(err, path))
  })
  let info = entry
  if (entry.isSymbolicLink()) {
    const link = await readlink(path).catch(() => '?')
    info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        throw new VolumeReadError(path, `it is a symbolic link to ${resolve(dirname(path), link)}, which does not exist (a moved or deleted file, or a git-annex / DVC file that was not fetched). Restore the target or remove the link.`)
      }
      if (err.code === 'ELOOP') throw new VolumeReadError(path, `it is a symbolic link loop (it points to ${link}, which leads back to itself). Fix or remove the link.`)
      throw new VolumeReadError(path, describeFsError(err, path))
    })
  }
  if (info.isDirectory()) throw new VolumeReadError(path, 'it is a folder named like a volume, not a volume file. Put the volume files themselves in the folder, or rename this folder.')
  if (!info.isFile()) throw new VolumeReadError(path, `it is ${entryKind(info)}, not a regular file: nnU-Net Wizard reads volumes from regular files only.`)
  if (info.size === 0) throw new VolumeReadError(path, 'the file is empty (0 bytes): a copy or export that did not finish? Copy or export it again.')
}

/** ITK failed on a file whose header and payload passed the checks above: say so, with what ITK said. */
function explainReadFailure(path: string, err: unknown, header: VolumeHeader): string {
  const raw = err instanceof Error ? err.message : String(err)
  if (/ENOENT|no such file/i.test(raw)) return describeFsError({ code: 'ENOENT' }, path)
  if (/EACCES|permission/i.test(raw)) return describeFsError({ code: 'EACCES' }, path)
  if (err instanceof RangeError || /allocat|out of memory/i.test(raw)) {
    return `there is not enough memory to read it (${formatByteCount(header.payload.bytes)} of voxel data). Close other programs, or prepare with fewer cases at once.`
  }
  const kind = volumeExtension(basename(path)) ?? 'supported'
  // itk-wasm throws a bare number (a WebAssembly exception pointer) when ITK itself fails.
  const said = /^\d*$/.test(raw.trim()) ? '' : ` (ITK: ${raw.split('\n')[0]})`
  return `its header and voxel data are complete, but ITK cannot read it as a ${kind} volume${said}: the file uses a feature this build does not read, or is damaged. Re-export it from the program that made it.`
}
