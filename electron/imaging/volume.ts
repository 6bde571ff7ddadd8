// Reading volumes with itk-wasm. Its Node readers run WebAssembly synchronously and block the
// calling thread for the whole read, so call readVolume from the worker pool, never the main thread.
import { basename, join } from 'node:path'
import { tmpdir } from 'node:os'
import { copyFile, mkdtemp, open, readFile, realpath, rm, stat } from 'node:fs/promises'
import { gunzip as gunzipCb } from 'node:zlib'
import { promisify } from 'node:util'
import type { Geometry } from '../../shared/api'

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

export class VolumeReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`Could not read ${file}: ${reason}`)
  }
}

/** Reads a volume (or only its header) and returns LPS geometry as ITK reports it. */
export async function readVolume(path: string, opts: { headerOnly?: boolean } = {}): Promise<Volume> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new VolumeReadError(path, err.code === 'ENOENT' ? 'the file does not exist (moved or deleted?).' : err.message)
  })
  if (!info.isFile()) throw new VolumeReadError(path, 'it is not a file.')
  if (info.size === 0) throw new VolumeReadError(path, 'the file is empty (0 bytes).')
  const { readImageNode } = await imageIo()
  let img
  try {
    img = await withReadablePath(path, (p) => readImageNode(p, { informationOnly: opts.headerOnly ?? false }))
  } catch (err) {
    throw new VolumeReadError(path, explainReadFailure(path, err))
  }
  if (!opts.headerOnly && path.toLowerCase().endsWith('.nii.gz') && img.data) {
    const voxOffset = Number(img.metadata.get('vox_offset') ?? 352)
    await checkGzipComplete(path, voxOffset + img.data.byteLength)
  }
  return {
    dimension: img.imageType.dimension,
    componentType: String(img.imageType.componentType),
    pixelType: String(img.imageType.pixelType),
    components: img.imageType.components,
    size: [...img.size],
    spacing: [...img.spacing],
    origin: [...img.origin],
    direction: Array.from(img.direction as ArrayLike<number>, Number),
    data: opts.headerOnly ? null : ((img.data as VoxelArray | null) ?? null),
  }
}

/**
 * itk-wasm mounts only the folder of the path it is given, so a symbolic link into another folder
 * (DVC, git-annex, shared data trees) points outside what it can see. Read the link's target
 * instead; when the target's name does not tell its format (content-addressed stores), read a
 * temporary copy under the link's own name.
 */
async function withReadablePath<T>(path: string, read: (p: string) => Promise<T>): Promise<T> {
  const target = await realpath(path)
  if (target === path) return read(path)
  if (volumeExtension(basename(target)) === volumeExtension(basename(path))) return read(target)
  const dir = await mkdtemp(join(tmpdir(), 'nnunet-wizard-link-'))
  try {
    const copy = join(dir, basename(path))
    await copyFile(target, copy)
    return await read(copy)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const gunzip = promisify(gunzipCb)

/**
 * ITK's NIfTI reader fills a truncated .nii.gz with zeros instead of failing, which would turn a
 * half-copied scan into a silently wrong training case. The gzip trailer holds the inflated size
 * (mod 2^32); when it disagrees, inflate the file to tell truncation from a multi-member gzip.
 */
async function checkGzipComplete(path: string, expectedBytes: number): Promise<void> {
  const fh = await open(path, 'r')
  let trailer: number
  try {
    const { size } = await fh.stat()
    const buf = Buffer.alloc(4)
    await fh.read(buf, 0, 4, Math.max(0, size - 4))
    trailer = buf.readUInt32LE(0)
  } finally {
    await fh.close()
  }
  if (trailer === expectedBytes % 2 ** 32) return
  try {
    await gunzip(await readFile(path))
  } catch {
    throw new VolumeReadError(path, 'the file is truncated or damaged (its compressed data ends early). Copy or export it again.')
  }
}

function explainReadFailure(path: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err)
  if (/ENOENT|no such file/i.test(raw)) return 'the file does not exist (moved or deleted?).'
  if (/EACCES|permission/i.test(raw)) return 'permission denied.'
  const kind = volumeExtension(basename(path)) ?? 'supported'
  // itk-wasm throws a bare number (a WebAssembly exception pointer) when ITK itself fails.
  if (/Could not find IO|Could not read/i.test(raw) || /^\d*$/.test(raw.trim())) {
    return `the file is damaged, truncated or not a valid ${kind} volume. Re-export it from the program that made it.`
  }
  return `${raw.split('\n')[0]} (the file may be damaged; re-export it).`
}
