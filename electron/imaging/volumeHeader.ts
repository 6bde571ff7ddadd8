// A small reader for the headers of the formats nnU-Net Wizard takes (NIfTI-1/2, NRRD/NHDR,
// MetaImage MHA/MHD) that says where the voxel payload is, how it is encoded and how many bytes it
// must hold. ITK's readers fill a short payload with zeros and read a claimed size before looking
// at the file, so every payload is measured against this before itk-wasm sees it (payload.ts). It
// also tells a later writer where a compressed payload starts, to carry it across unchanged.
import { realpath } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { dirname, isAbsolute, resolve } from 'node:path'
import { SourceFile, SourceFileError, SourceSet } from '../files/sourceFile'
import { isInside } from '../files/pathInside'
import { environmentCode } from '../files/environmentError'
import type { Geometry } from '../../shared/api'
import { describeFsError, VolumeReadError } from './volumeError'

export type VolumeFormat = 'nifti1' | 'nifti2' | 'nrrd' | 'metaimage' | 'dicom'

/**
 * raw: the bytes as stored. gzip: one or more gzip members from `offset` to the end of the file
 * (CRC-32 and length in each trailer). zlib: a zlib stream (Adler-32), or gzip, as MetaIO's
 * CompressedData reads either. text: ASCII or hex numbers (NRRD), parsed and counted by ITK.
 */
export type PayloadEncoding = 'raw' | 'gzip' | 'zlib' | 'text'

export interface Payload {
  /** The file holding the encoded voxels: the volume itself, or the data file a .nhdr/.mhd names. */
  file: string
  /** A detached data file as its header names it (relative to the header's folder, or absolute). */
  dataFileName?: string
  /** Where the encoded payload starts in `file` (after the header, line skip and raw byte skip). */
  offset: number
  encoding: PayloadEncoding
  /** Decoded bytes before the voxels: vox_offset inside a .nii.gz, NRRD's byte skip on gzip data. */
  skip: number
  /** Voxel bytes the header describes, decoded: voxels x components x bytes per component. */
  bytes: number
  /**
   * NIfTI only: bytes after the voxels are allowed, because nifti_clib (ITK), nibabel and
   * SimpleITK all read exactly the voxels they need and ignore the rest. For NRRD and MetaImage a
   * payload longer than the header says means the header's sizes or type are wrong, so it must
   * end exactly where the header says.
   */
  trailingAllowed: boolean
}

export interface VolumeHeader {
  format: VolumeFormat
  /** The header file (the path given). */
  file: string
  /** Voxels along each axis, as stored (NRRD: a component axis counts as an axis). */
  sizes: number[]
  /** Values per voxel (NIfTI RGB24: 3; MetaImage ElementNumberOfChannels). */
  components: number
  /** Bytes of one stored value (a component). */
  componentBytes: number
  /** Stored values are IEEE floats, so NaN and infinity are possible. */
  float: boolean
  littleEndian: boolean
  /** The stored type as the format names it, for messages: int16, float32, MET_SHORT, rgb24 ... */
  typeName: string
  /** The component type as itk-wasm names it (int16, uint8, float32 ...); NRRD and NIfTI-1 scalars only. */
  componentType?: string
  /**
   * LPS geometry exactly as ITK's reader computes it (same operations in double precision), where
   * this reader knows ITK's rule: 3D NRRD with an LPS or RAS space, three space direction vectors
   * and a space origin. Absent otherwise: ask ITK.
   */
  geometry?: Geometry
  payload: Payload
}

const NIFTI_TYPES: Record<number, { name: string; bytes: number; components: number; float: boolean }> = {
  2: { name: 'uint8', bytes: 1, components: 1, float: false },
  4: { name: 'int16', bytes: 2, components: 1, float: false },
  8: { name: 'int32', bytes: 4, components: 1, float: false },
  16: { name: 'float32', bytes: 4, components: 1, float: true },
  32: { name: 'complex64', bytes: 4, components: 2, float: true },
  64: { name: 'float64', bytes: 8, components: 1, float: true },
  128: { name: 'rgb24', bytes: 1, components: 3, float: false },
  256: { name: 'int8', bytes: 1, components: 1, float: false },
  512: { name: 'uint16', bytes: 2, components: 1, float: false },
  768: { name: 'uint32', bytes: 4, components: 1, float: false },
  1024: { name: 'int64', bytes: 8, components: 1, float: false },
  1280: { name: 'uint64', bytes: 8, components: 1, float: false },
  1792: { name: 'complex128', bytes: 8, components: 2, float: true },
  2304: { name: 'rgba32', bytes: 1, components: 4, float: false },
}

const NRRD_TYPES: [RegExp, number, boolean][] = [
  [/^(signed char|int8|int8_t|uchar|unsigned char|uint8|uint8_t)$/, 1, false],
  [/^(short|short int|signed short|signed short int|int16|int16_t|ushort|unsigned short|unsigned short int|uint16|uint16_t)$/, 2, false],
  [/^(int|signed int|int32|int32_t|uint|unsigned int|uint32|uint32_t)$/, 4, false],
  [/^(longlong|long long|long long int|signed long long|signed long long int|int64|int64_t|ulonglong|unsigned long long|unsigned long long int|uint64|uint64_t)$/, 8, false],
  [/^float$/, 4, true],
  [/^double$/, 8, true],
]

const META_TYPES: Record<string, [number, boolean]> = {
  MET_CHAR: [1, false],
  MET_UCHAR: [1, false],
  MET_SHORT: [2, false],
  MET_USHORT: [2, false],
  MET_INT: [4, false],
  MET_UINT: [4, false],
  MET_LONG: [4, false],
  MET_ULONG: [4, false],
  MET_LONG_LONG: [8, false],
  MET_ULONG_LONG: [8, false],
  MET_FLOAT: [4, true],
  MET_DOUBLE: [8, true],
}

/** NRRD and MetaImage headers are text; a real one is a few kB, so 1 MiB without an end is not a header. */
const MAX_TEXT_HEADER = 1 << 20
const FIRST_TEXT_READ = 64 << 10

/** Reads the header of `path` and locates its payload. Throws VolumeReadError naming what is wrong. */
export async function readVolumeHeader(path: string, files?: SourceSet): Promise<VolumeHeader> {
  const own = files ? null : new SourceSet()
  const set = files ?? own!
  try {
    const lower = path.toLowerCase()
    if (lower.endsWith('.nii.gz') || lower.endsWith('.nii')) return await readNifti(path, lower.endsWith('.gz'), set)
    if (lower.endsWith('.nrrd') || lower.endsWith('.nhdr')) return await readNrrd(path, set)
    if (lower.endsWith('.mha') || lower.endsWith('.mhd')) return await readMeta(path, set)
    throw new VolumeReadError(path, 'this is not a volume format nnU-Net Wizard reads (.nii.gz, .nii, .nrrd, .nhdr, .mha, .mhd).')
  } finally {
    await own?.close()
  }
}

/** A file system error or a refused entry (a pipe, a device), as a VolumeReadError about `header`. */
function sourceError(err: unknown, file: string, header: string, what?: string): Error {
  if (err instanceof VolumeReadError) return err
  // A failing disk is the machine's problem, not this file's: it stops the run (environmentError.ts).
  if (environmentCode(err)) return err as Error
  if (err instanceof SourceFileError) return new VolumeReadError(header, file === header ? `${err.reason}.` : `${what ?? 'its data file'} ${file}: ${err.reason}.`)
  if ((err as NodeJS.ErrnoException)?.code === 'EISDIR') return new VolumeReadError(header, `${file} is a folder, not a file.`)
  return new VolumeReadError(header, describeFsError(err, file, what))
}

async function openFile(files: SourceSet, file: string, header: string): Promise<SourceFile> {
  try {
    return await files.open(file)
  } catch (err) {
    throw sourceError(err, file, header)
  }
}

/**
 * A detached data file must lie, after symbolic links, inside the folder of its header (as named,
 * or as its link leads): a header is text anyone can write, and "data file: /etc/passwd" or
 * "../../secret" would otherwise carry any file the user may read into a dataset made to be shared.
 */
async function checkDataFileInside(dataFile: string, header: string, line: string): Promise<void> {
  const real = await realpath(dataFile).catch(() => null)
  if (real === null) return // a missing file is named by the open that follows
  const folders = new Set([await realpath(dirname(header)).catch(() => dirname(header)), dirname(await realpath(header).catch(() => header))])
  if (![...folders].some((f) => isInside(real, f))) {
    throw new VolumeReadError(header, `its data file ${dataFile}${real !== dataFile ? ` (which leads to ${real})` : ''} lies outside the folder of the header ("${line}"). A header may only name a data file in its own folder: move the data file next to the header and name it there.`)
  }
}

/** Opens a detached data file; a missing one is named with the header line that names it. */
async function openDataFile(files: SourceSet, dataFile: string, header: string, line: string): Promise<SourceFile> {
  await checkDataFileInside(dataFile, header, line)
  try {
    return await files.open(dataFile)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VolumeReadError(header, `its data file ${dataFile} does not exist (the header names it in its "${line}" line, relative to the header's folder). Put the data file there, or correct that line.`)
    }
    if (err instanceof SourceFileError) throw new VolumeReadError(header, `its data file ${dataFile} (named in its "${line}" line) is refused: ${err.reason}.`)
    throw sourceError(err, dataFile, header, 'its data file')
  }
}

/** The first `max` bytes of a file (fewer when it is shorter), through its one descriptor. */
async function head(file: SourceFile, max: number, header = file.path): Promise<Buffer> {
  try {
    return await file.read(0, max)
  } catch (err) {
    throw sourceError(err, file.path, header)
  }
}

const GZIP_MAGIC = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b

/** The first `max` inflated bytes of a gzip file, without inflating the rest. */
function gunzipHead(file: SourceFile, max: number): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = []
    let got = 0
    const src = Readable.from(file.chunks(0, file.size, 64 * 1024))
    const gz = createGunzip()
    const finish = () => {
      src.destroy()
      gz.destroy()
      resolvePromise(Buffer.concat(chunks).subarray(0, max))
    }
    gz.on('data', (c: Buffer) => {
      chunks.push(c)
      got += c.length
      if (got >= max) finish()
    })
    gz.on('end', finish)
    gz.on('error', (err: NodeJS.ErrnoException) => {
      src.destroy()
      // A header cut short is reported by the payload check with the full story; here, say what broke.
      if (err.code === 'Z_BUF_ERROR') finish()
      else reject(new VolumeReadError(file.path, `the gzip data is corrupt at its start (${err.message}): the file is damaged. Copy or export it again.`))
    })
    src.on('error', (err) => reject(sourceError(err, file.path, file.path)))
    src.pipe(gz)
  })
}

function product(sizes: number[]): number {
  return sizes.reduce((a, b) => a * b, 1)
}

async function readNifti(path: string, gzName: boolean, files: SourceSet): Promise<VolumeHeader> {
  const file = await openFile(files, path, path)
  const start = await head(file, 540)
  if (!gzName && GZIP_MAGIC(start)) {
    throw new VolumeReadError(path, 'the file is gzip-compressed but named .nii, so no NIfTI reader will inflate it. Rename it to .nii.gz.')
  }
  // zlib's gzread, which ITK's NIfTI reader uses, reads an uncompressed file named .nii.gz as it is.
  const gz = gzName && GZIP_MAGIC(start)
  const hdr = gz ? await gunzipHead(file, 540) : start
  const damaged = (what: string) => new VolumeReadError(path, `${what}: the file is damaged or not a NIfTI volume. Re-export it from the program that made it.`)
  if (hdr.length < 348) {
    throw new VolumeReadError(path, `the file ${gz ? 'inflates to' : 'holds'} only ${hdr.length} bytes, less than a NIfTI header (348 bytes): it is truncated or not a NIfTI volume. Copy or export it again.`)
  }
  let le: boolean
  let v2: boolean
  if (hdr.readInt32LE(0) === 348) [le, v2] = [true, false]
  else if (hdr.readInt32BE(0) === 348) [le, v2] = [false, false]
  else if (hdr.readInt32LE(0) === 540) [le, v2] = [true, true]
  else if (hdr.readInt32BE(0) === 540) [le, v2] = [false, true]
  else throw damaged('its first four bytes are not a NIfTI header size (348 or 540)')
  if (v2 && hdr.length < 540) throw new VolumeReadError(path, `the file ends inside its NIfTI-2 header (${hdr.length} of 540 bytes): it is truncated. Copy or export it again.`)
  const i16 = (o: number) => (le ? hdr.readInt16LE(o) : hdr.readInt16BE(o))
  const i64 = (o: number) => Number(le ? hdr.readBigInt64LE(o) : hdr.readBigInt64BE(o))
  const magic = v2 ? hdr.toString('latin1', 4, 7) : hdr.toString('latin1', 344, 347)
  if (magic === (v2 ? 'ni2' : 'ni1')) {
    throw new VolumeReadError(path, 'this is the header of a NIfTI .hdr/.img pair named like a single-file NIfTI; nnU-Net Wizard reads single-file NIfTI. Save it as one .nii or .nii.gz file.')
  }
  if (magic !== (v2 ? 'n+2' : 'n+1')) throw damaged(`its NIfTI magic is "${magic.replace(/[^\x20-\x7e]/g, '?')}", not "${v2 ? 'n+2' : 'n+1'}"`)
  const ndim = v2 ? i64(16) : i16(40)
  if (!(ndim >= 1 && ndim <= 7)) throw damaged(`its header gives ${ndim} dimensions (dim[0] must be 1 to 7)`)
  const sizes = Array.from({ length: ndim }, (_, i) => (v2 ? i64(24 + 8 * i) : i16(42 + 2 * i)))
  if (sizes.some((s) => !(s >= 1))) throw damaged(`its header gives the sizes ${sizes.join('x')} (each must be at least 1)`)
  const code = v2 ? i16(12) : i16(70)
  const type = NIFTI_TYPES[code]
  if (!type) throw new VolumeReadError(path, `its NIfTI data type code ${code} is not one nnU-Net Wizard reads (integers, float32, float64, RGB). Convert it to one of those.`)
  const headerBytes = v2 ? 540 : 348
  const voxOffset = v2 ? i64(168) : Math.floor((le ? hdr.readFloatLE(108) : hdr.readFloatBE(108)))
  if (!(voxOffset >= headerBytes)) {
    throw damaged(`its vox_offset (${voxOffset}) points inside the ${headerBytes}-byte header, where no voxel can start`)
  }
  const bytes = product(sizes) * type.components * type.bytes
  checkNiftiGeometry(path, hdr, v2, le, Number(ndim))
  return {
    format: v2 ? 'nifti2' : 'nifti1',
    file: path,
    sizes,
    components: type.components,
    componentBytes: type.bytes,
    float: type.float,
    littleEndian: le,
    typeName: type.name,
    ...(type.components === 1 && !type.name.startsWith('complex') && { componentType: type.name }),
    payload: gz
      ? { file: path, offset: 0, encoding: 'gzip', skip: voxOffset, bytes, trailingAllowed: true }
      : { file: path, offset: voxOffset, encoding: 'raw', skip: 0, bytes, trailingAllowed: true },
  }
}

interface TextHeader {
  text: string
  /** Byte offset just after the header (where attached data starts). */
  end: number
  /** The bytes read (at most MAX_TEXT_HEADER). */
  bytes: Buffer
}

/** Reads a text header up to where `endsAt` says it ends (null: it runs to the end of what was read). */
async function readTextHeader(path: SourceFile, endsAt: (text: string) => number | null): Promise<TextHeader> {
  // Real headers take a few hundred bytes: the first 64 KiB answer at once; only a header that
  // runs past them costs a read of the most a header may hold (an image's 1 MiB took 10 ms a read).
  let bytes = await head(path, FIRST_TEXT_READ)
  let end = endsAt(bytes.toString('latin1'))
  if (end === null && bytes.length === FIRST_TEXT_READ) {
    bytes = await head(path, MAX_TEXT_HEADER)
    end = endsAt(bytes.toString('latin1'))
  }
  const text = bytes.toString('latin1', 0, end ?? bytes.length)
  return { text, end: end ?? bytes.length, bytes }
}

/** Byte offset after `n` lines starting at `from` in `buf`, or null if the buffer ends first. */
function afterLines(buf: Buffer, from: number, n: number): number | null {
  let at = from
  for (let i = 0; i < n; i++) {
    const nl = buf.indexOf(0x0a, at)
    if (nl < 0) return null
    at = nl + 1
  }
  return at
}

function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8')
}

async function readNrrd(path: string, files: SourceSet): Promise<VolumeHeader> {
  const file = await openFile(files, path, path)
  const size = file.size
  const damaged = (what: string) => new VolumeReadError(path, `${what}: the file is damaged, truncated or not a valid ${path.toLowerCase().endsWith('.nhdr') ? '.nhdr' : '.nrrd'} volume. Re-export it from the program that made it.`)
  const h = await readTextHeader(file, (text) => {
    const m = /\r?\n\r?\n/.exec(text)
    return m ? m.index + m[0].length : null
  })
  if (!h.text.startsWith('NRRD000')) throw damaged('it does not start with "NRRD000"')
  if (h.end === h.bytes.length && size > h.bytes.length) throw damaged(`its header does not end within the first ${MAX_TEXT_HEADER} bytes`)
  const fields = new Map<string, string>()
  for (const line of h.text.split(/\r?\n/).slice(1)) {
    if (line === '' || line.startsWith('#') || /^[^:]*:=/.test(line)) continue
    const colon = line.indexOf(': ')
    if (colon <= 0) throw damaged(`its header line "${utf8(line).slice(0, 60)}" is not "field: value"`)
    fields.set(line.slice(0, colon).toLowerCase().replace(/\s+/g, ''), line.slice(colon + 2).trim())
  }
  const need = (k: string, label: string) => {
    const v = fields.get(k)
    if (v === undefined) throw damaged(`its header has no "${label}:" field`)
    return v
  }
  const typeName = need('type', 'type').toLowerCase().replace(/\s+/g, ' ')
  const type = NRRD_TYPES.find(([re]) => re.test(typeName))
  if (!type) throw new VolumeReadError(path, `its NRRD type "${typeName}" is not one nnU-Net Wizard reads (integers, float, double). Convert it to one of those.`)
  const dimension = Number(need('dimension', 'dimension'))
  const sizes = need('sizes', 'sizes').split(/\s+/).map(Number)
  if (!(Number.isInteger(dimension) && dimension >= 1) || sizes.length !== dimension || sizes.some((s) => !(Number.isInteger(s) && s >= 1))) {
    throw damaged(`its header gives dimension ${dimension} and sizes "${fields.get('sizes')}"`)
  }
  const endian = (fields.get('endian') ?? 'little').toLowerCase()
  const enc = need('encoding', 'encoding').toLowerCase()
  const encoding: PayloadEncoding | null = enc === 'raw' ? 'raw' : enc === 'gzip' || enc === 'gz' ? 'gzip' : ['ascii', 'text', 'txt', 'hex'].includes(enc) ? 'text' : null
  if (!encoding) throw new VolumeReadError(path, `its NRRD encoding "${enc}" is not one this build reads (raw, gzip, ascii, hex). Save it with gzip or raw encoding.`)
  const lineSkip = Number(fields.get('lineskip') ?? 0)
  const byteSkip = Number(fields.get('byteskip') ?? 0)
  if (!(Number.isInteger(lineSkip) && lineSkip >= 0) || !(Number.isInteger(byteSkip) && byteSkip >= -1)) throw damaged(`its line skip "${fields.get('lineskip')}" or byte skip "${fields.get('byteskip')}" is not a valid count`)
  if (byteSkip === -1 && encoding !== 'raw') throw damaged('"byte skip: -1" is only valid with raw encoding')

  const dataField = fields.get('datafile')
  let dataFile = path
  let offset = h.end
  if (dataField !== undefined) {
    const name = utf8(dataField)
    if (name === 'LIST' || name.startsWith('LIST ') || /%\d*d/.test(name)) {
      throw new VolumeReadError(path, `its voxels are split over several data files ("data file: ${name}"); this build reads one data file per header. Save the volume as a single .nrrd file.`)
    }
    dataFile = isAbsolute(name) ? name : resolve(dirname(path), name)
    offset = 0
  } else if (path.toLowerCase().endsWith('.nhdr') && h.end >= size) {
    throw damaged('this .nhdr header has no "data file:" line naming where its voxels are')
  }
  const data = dataFile === path ? file : await openDataFile(files, dataFile, path, `data file: ${utf8(dataField ?? '')}`)
  const dataSize = data.size
  if (lineSkip > 0) {
    const lines = await head(data, Math.min(dataSize - offset, MAX_TEXT_HEADER) + offset, path)
    const after = afterLines(lines, offset, lineSkip)
    if (after === null) throw new VolumeReadError(path, `${dataFile === path ? 'the file' : `its data file ${dataFile}`} ends before the ${lineSkip} lines its header says to skip: it is truncated. Copy or export it again.`)
    offset = after
  }
  const bytes = product(sizes) * type[1]
  let skip = 0
  if (encoding === 'raw') {
    if (byteSkip === -1) {
      // "byte skip: -1": the voxels are the file's last bytes. They must not reach back into the header.
      if (dataSize - bytes < offset) throw new VolumeReadError(path, `its "byte skip: -1" says the voxels are the last ${describeClaim(sizes, typeName, bytes)} of ${dataFile === path ? 'the file' : `its data file ${dataFile}`}, but it holds only ${Math.max(0, dataSize - offset)} bytes after ${offset ? 'its header' : 'its start'}: it is truncated or its header is wrong. Copy or export it again.`)
      offset = dataSize - bytes
    } else offset += byteSkip
  }
  else skip = byteSkip
  checkNrrdGeometry(path, fields)
  const geometry = nrrdGeometry(fields, sizes)
  return {
    format: 'nrrd',
    file: path,
    sizes,
    components: 1,
    componentBytes: type[1],
    float: type[2],
    littleEndian: endian !== 'big',
    typeName,
    componentType: type[2] ? (type[1] === 4 ? 'float32' : 'float64') : `${/^(u|unsigned )/.test(typeName) ? 'uint' : 'int'}${8 * type[1]}`,
    ...(geometry && { geometry }),
    payload: { file: dataFile, ...(dataField !== undefined && { dataFileName: utf8(dataField) }), offset, encoding, skip, bytes, trailingAllowed: false },
  }
}

/** "(1.5,0,0)" -> [1.5, 0, 0]; null for "none" or anything that is not a vector of `n` finite numbers. */
function nrrdVector(text: string, n: number): number[] | null {
  const m = /^\(([^()]*)\)$/.exec(text.trim())
  if (!m) return null
  const v = m[1]!.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)))
  return v.length === n && v.every(Number.isFinite) ? v : null
}

/**
 * ITK's NrrdImageIO: per axis, spacing = the norm of its space direction and direction = that
 * vector scaled by 1/spacing (teem's nrrdSpacingCalculate); RAS flips the sign of x and y of the
 * directions and the origin. Only the common case is taken; anything else returns undefined.
 */
function nrrdGeometry(fields: Map<string, string>, sizes: number[]): Geometry | undefined {
  if (sizes.length !== 3) return undefined
  const space = (fields.get('space') ?? '').toLowerCase()
  const ras = space === 'right-anterior-superior' || space === 'ras'
  if (!ras && space !== 'left-posterior-superior' && space !== 'lps') return undefined
  const dirs = (fields.get('spacedirections') ?? '').match(/\([^()]*\)|none/g) ?? []
  const vectors = dirs.map((d) => nrrdVector(d, 3))
  const origin = nrrdVector(fields.get('spaceorigin') ?? '', 3)
  if (vectors.length !== 3 || !origin || vectors.some((v) => v === null)) return undefined
  const flip = ras ? [-1, -1, 1] : [1, 1, 1]
  const spacing: number[] = []
  const columns: number[][] = []
  for (const v of vectors as number[][]) {
    let nn = 0
    for (const x of v) nn += x * x
    const len = Math.sqrt(nn)
    if (!(len > 0)) return undefined
    const scale = 1.0 / len
    spacing.push(len)
    columns.push(v.map((x, i) => flip[i]! * (scale * x)))
  }
  const direction = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => columns[c]![r]!))
  return { size: [...sizes], spacing, origin: origin.map((o, i) => flip[i]! * o), direction }
}

async function readMeta(path: string, files: SourceSet): Promise<VolumeHeader> {
  const file = await openFile(files, path, path)
  const size = file.size
  const isMhd = path.toLowerCase().endsWith('.mhd')
  const damaged = (what: string) => new VolumeReadError(path, `${what}: the file is damaged, truncated or not a valid ${isMhd ? '.mhd' : '.mha'} volume. Re-export it from the program that made it.`)
  const h = await readTextHeader(file, (text) => {
    const m = /^[ \t]*ElementDataFile[ \t]*=[^\n]*(\n|$)/im.exec(text)
    return m ? m.index + m[0].length : null
  })
  if (!/^[ \t]*ElementDataFile[ \t]*=/im.test(h.text)) {
    throw damaged(size > MAX_TEXT_HEADER ? `no "ElementDataFile =" line within its first ${MAX_TEXT_HEADER} bytes` : 'its header has no "ElementDataFile =" line')
  }
  const fields = new Map<string, string>()
  for (const line of h.text.split(/\r?\n/)) {
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    fields.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim())
  }
  const yes = (k: string) => /^(true|1)$/i.test(fields.get(k) ?? '')
  const ndims = Number(fields.get('ndims'))
  const sizes = (fields.get('dimsize') ?? '').split(/\s+/).filter(Boolean).map(Number)
  if (!(Number.isInteger(ndims) && ndims >= 1) || sizes.length !== ndims || sizes.some((s) => !(Number.isInteger(s) && s >= 1))) {
    throw damaged(`its header gives NDims ${fields.get('ndims') ?? '(none)'} and DimSize "${fields.get('dimsize') ?? ''}"`)
  }
  const typeName = (fields.get('elementtype') ?? '').toUpperCase()
  const type = META_TYPES[typeName]
  if (!type) throw new VolumeReadError(path, `its ElementType "${typeName}" is not one nnU-Net Wizard reads (MET_UCHAR ... MET_DOUBLE). Convert it to one of those.`)
  const components = Number(fields.get('elementnumberofchannels') ?? 1)
  if (!(Number.isInteger(components) && components >= 1)) throw damaged(`its ElementNumberOfChannels is "${fields.get('elementnumberofchannels')}"`)
  const msb = yes('binarydatabyteordermsb') || yes('elementbyteordermsb')
  const binary = fields.has('binarydata') ? yes('binarydata') : true
  const compressed = yes('compresseddata')
  const headerSize = Number(fields.get('headersize') ?? 0)
  if (!(Number.isInteger(headerSize) && headerSize >= -1)) throw damaged(`its HeaderSize "${fields.get('headersize')}" is not a byte count (or -1)`)
  if (compressed && headerSize !== 0) throw new VolumeReadError(path, `its HeaderSize = ${headerSize} with CompressedData = True is not read by this build (the bytes to skip before a compressed stream are ambiguous). Save it as a single .mha file without HeaderSize.`)
  checkMetaGeometry(path, fields)
  const name = utf8(fields.get('elementdatafile') ?? '')
  let dataFile = path
  let offset = h.end
  if (name !== 'LOCAL') {
    if (name === 'LIST' || name.startsWith('LIST ') || /%\d*d/.test(name)) {
      throw new VolumeReadError(path, `its voxels are split over several data files ("ElementDataFile = ${name}"); this build reads one data file per header. Save the volume as a single .mha file.`)
    }
    dataFile = isAbsolute(name) ? name : resolve(dirname(path), name)
    offset = 0
  }
  const dataSize = dataFile === path ? size : (await openDataFile(files, dataFile, path, `ElementDataFile = ${name}`)).size
  const bytes = product(sizes) * components * type[0]
  const encoding: PayloadEncoding = !binary ? 'text' : compressed ? 'zlib' : 'raw'
  if (encoding === 'raw') {
    if (headerSize === -1 && dataSize - bytes < offset) throw new VolumeReadError(path, `its "HeaderSize = -1" says the voxels are the last ${describeClaim(sizes, typeName, bytes)} of ${dataFile === path ? 'the file' : `its data file ${dataFile}`}, but it holds only ${Math.max(0, dataSize - offset)} bytes there: it is truncated or its header is wrong. Copy or export it again.`)
    offset = headerSize === -1 ? dataSize - bytes : offset + headerSize
  }
  if (encoding === 'zlib' && fields.has('compresseddatasize')) {
    // MetaIO reads exactly CompressedDataSize bytes of stream and fills the rest of the image with
    // zeros, so a size that is not the stream's is refused rather than half an image written.
    const stated = Number(fields.get('compresseddatasize'))
    const real = dataSize - offset
    // A stated size past the end: a cut file, whose stream the payload check finds ending early.
    if (stated > real) return { format: 'metaimage', file: path, sizes, components, componentBytes: type[0], float: type[1], littleEndian: !msb, typeName, payload: { file: dataFile, ...(name !== 'LOCAL' && { dataFileName: name }), offset, encoding, skip: 0, bytes, trailingAllowed: false } }
    if (!(stated === real)) throw new VolumeReadError(path, `its "CompressedDataSize = ${fields.get('compresseddatasize')}" does not match its compressed data, which is ${real} bytes${dataFile === path ? ' after the header' : ` in its data file ${dataFile}`}: ITK would read only part of it and fill the rest with zeros. Correct CompressedDataSize (or remove that line), or export it again.`)
  }
  return {
    format: 'metaimage',
    file: path,
    sizes,
    components,
    componentBytes: type[0],
    float: type[1],
    littleEndian: !msb,
    typeName,
    payload: { file: dataFile, ...(name !== 'LOCAL' && { dataFileName: name }), offset, encoding, skip: 0, bytes, trailingAllowed: false },
  }
}

function describeClaim(sizes: number[], typeName: string, bytes: number): string {
  return `${bytes} bytes (${sizes.join('x')} ${typeName})`
}

const badSpacing = (v: number) => !Number.isFinite(v) || v === 0

function refuseGeometry(path: string, what: string): never {
  throw new VolumeReadError(path, `${what}: the voxel size or position of the scan is not known, and nnU-Net Wizard does not invent one (a spacing of 1 mm and an identity direction would be wrong without a word). Re-export it with its real spacing from the program that made it.`)
}

/**
 * NIfTI pixdim (voxel spacing) and, where their codes say they are used, the qform and sform
 * numbers must be finite, and the spacing of each spatial axis non-zero: ITK turns a zero or NaN
 * pixdim into 1.0 and a NaN transform into the identity.
 */
function checkNiftiGeometry(path: string, hdr: Buffer, v2: boolean, le: boolean, ndim: number): void {
  const f = (o: number) => (v2 ? (le ? hdr.readDoubleLE(o) : hdr.readDoubleBE(o)) : le ? hdr.readFloatLE(o) : hdr.readFloatBE(o))
  const i = (o: number) => (v2 ? (le ? hdr.readInt32LE(o) : hdr.readInt32BE(o)) : le ? hdr.readInt16LE(o) : hdr.readInt16BE(o))
  const width = v2 ? 8 : 4
  const pixdim = v2 ? 104 : 76
  const spacing = Array.from({ length: Math.min(ndim, 3) }, (_, k) => f(pixdim + width * (k + 1)))
  if (spacing.some(badSpacing)) refuseGeometry(path, `its voxel spacing (NIfTI pixdim) is ${spacing.join(' x ')}`)
  const [qcode, scode] = v2 ? [i(344), i(348)] : [i(252), i(254)]
  const quatern = Array.from({ length: 6 }, (_, k) => f((v2 ? 352 : 256) + width * k))
  if (qcode > 0 && !quatern.every(Number.isFinite)) refuseGeometry(path, `its qform (quatern_b/c/d, qoffset_x/y/z) holds ${quatern.join(', ')}`)
  const srow = Array.from({ length: 12 }, (_, k) => f((v2 ? 400 : 280) + width * k))
  if (scode > 0 && !srow.every(Number.isFinite)) refuseGeometry(path, `its sform (srow_x/y/z) holds ${srow.join(', ')}`)
}

/** NRRD spacings, space directions and space origin: finite, and no zero-length axis. */
function checkNrrdGeometry(path: string, fields: Map<string, string>): void {
  const spacings = fields.get('spacings')
  if (spacings !== undefined && spacings.split(/\s+/).filter(Boolean).map(Number).some(badSpacing)) refuseGeometry(path, `its "spacings: ${spacings}"`)
  const dirs = fields.get('spacedirections')
  if (dirs !== undefined) {
    for (const d of dirs.match(/\([^()]*\)/g) ?? []) {
      const v = d.slice(1, -1).split(',').map((x) => (x.trim() === '' ? NaN : Number(x)))
      if (!v.every(Number.isFinite) || v.every((x) => x === 0)) refuseGeometry(path, `its "space directions: ${dirs}"`)
    }
  }
  const origin = fields.get('spaceorigin')
  if (origin !== undefined && /^\(/.test(origin.trim()) && !origin.trim().slice(1, -1).split(',').map(Number).every(Number.isFinite)) refuseGeometry(path, `its "space origin: ${origin}"`)
}

/** MetaImage ElementSpacing / ElementSize (finite, non-zero), Offset and TransformMatrix (finite). */
function checkMetaGeometry(path: string, fields: Map<string, string>): void {
  const numbers = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean).map(Number)
  for (const [k, name] of [['elementspacing', 'ElementSpacing'], ['elementsize', 'ElementSize']] as const) {
    if (fields.has(k) && numbers(k).some(badSpacing)) refuseGeometry(path, `its "${name} = ${fields.get(k)}"`)
  }
  for (const [k, name] of [['offset', 'Offset'], ['position', 'Position'], ['origin', 'Origin'], ['transformmatrix', 'TransformMatrix'], ['rotation', 'Rotation'], ['orientation', 'Orientation']] as const) {
    if (fields.has(k) && !numbers(k).every(Number.isFinite)) refuseGeometry(path, `its "${name} = ${fields.get(k)}"`)
  }
}

/** For messages: "the file" or "its data file PATH". */
export function payloadFileWords(h: VolumeHeader): string {
  return h.payload.file === h.file ? 'the file' : `its data file ${h.payload.file}`
}
