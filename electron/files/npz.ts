// numpy's .npz (a zip of .npy files, np.savez / np.savez_compressed) read in Node, for nnU-Net's
// --save_probabilities output (CASE.npz, key "probabilities", C x Z x Y x X). Only what numpy
// writes is supported: stored or deflated members, zip64 sizes (numpy writes members with
// force_zip64), little-endian float16/32/64 and integer arrays in C order. Anything else is
// refused with the file named, never guessed at.
import { readFile } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'

export class NpzError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`)
    this.name = 'NpzError'
  }
}

export interface NpyArray {
  shape: number[]
  /** numpy's descr, e.g. "<f4". */
  dtype: string
  /** The values as float32 (float16 and float64 converted; integers widened); float32 data is a view of the file's bytes. */
  data: Float32Array
}

interface ZipMember {
  name: string
  method: number
  compressedSize: number
  size: number
  localHeader: number
}

const EOCD = 0x06054b50
const ZIP64_EOCD = 0x06064b50
const ZIP64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/** The members listed in the zip's central directory (zip64 records understood). */
export function zipMembers(buf: Buffer, file: string): ZipMember[] {
  // The end record is in the last 22 + 65535 bytes (a comment may follow it).
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new NpzError(file, 'is not a zip file (no end of central directory): an .npz from nnU-Net is a zip of .npy arrays; predict again with "save probabilities".')
  let count = buf.readUInt16LE(eocd + 10)
  let offset = buf.readUInt32LE(eocd + 16)
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    const rec = Number(buf.readBigUInt64LE(eocd - 20 + 8))
    if (buf.readUInt32LE(rec) !== ZIP64_EOCD) throw new NpzError(file, 'has a damaged zip64 end record.')
    count = Number(buf.readBigUInt64LE(rec + 32))
    offset = Number(buf.readBigUInt64LE(rec + 48))
  }
  const members: ZipMember[] = []
  let p = offset
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new NpzError(file, 'has a damaged zip central directory (truncated file?).')
    const method = buf.readUInt16LE(p + 10)
    let compressedSize = buf.readUInt32LE(p + 20)
    let size = buf.readUInt32LE(p + 24)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    let localHeader = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen)
    // zip64 extra field (id 1): the 64-bit values, in this order, of those set to 0xffffffff.
    let e = p + 46 + nameLen
    const end = e + extraLen
    while (e + 4 <= end) {
      const id = buf.readUInt16LE(e)
      const len = buf.readUInt16LE(e + 2)
      if (id === 1) {
        let q = e + 4
        if (size === 0xffffffff) {
          size = Number(buf.readBigUInt64LE(q))
          q += 8
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(buf.readBigUInt64LE(q))
          q += 8
        }
        if (localHeader === 0xffffffff) localHeader = Number(buf.readBigUInt64LE(q))
      }
      e += 4 + len
    }
    members.push({ name, method, compressedSize, size, localHeader })
    p = end + commentLen
  }
  return members
}

function memberBytes(buf: Buffer, m: ZipMember, file: string): Buffer {
  if (buf.readUInt32LE(m.localHeader) !== LOCAL) throw new NpzError(file, `has a damaged zip entry ${m.name}.`)
  const start = m.localHeader + 30 + buf.readUInt16LE(m.localHeader + 26) + buf.readUInt16LE(m.localHeader + 28)
  const raw = buf.subarray(start, start + m.compressedSize)
  if (raw.length !== m.compressedSize) throw new NpzError(file, `is truncated inside ${m.name}.`)
  if (m.method === 0) return raw
  if (m.method === 8) {
    const out = inflateRawSync(raw)
    if (out.length !== m.size) throw new NpzError(file, `entry ${m.name} inflates to ${out.length} bytes, not the ${m.size} the zip lists.`)
    return out
  }
  throw new NpzError(file, `entry ${m.name} uses zip compression method ${m.method}; numpy writes only stored (0) or deflate (8).`)
}

/** IEEE half precision to single (numpy "<f2"): subnormals, infinities and NaN included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 31) return frac ? NaN : sign * Infinity
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

let half: Float32Array | undefined
/** Every half-precision value as single precision, made once (a lookup per voxel instead of a decode). */
function halfTable(): Float32Array {
  if (!half) {
    half = new Float32Array(65536)
    for (let h = 0; h < 65536; h++) half[h] = halfToFloat(h)
  }
  return half
}

/** One .npy file's array (format 1.0, 2.0 or 3.0; little-endian, C order). */
export function parseNpy(bytes: Buffer, file: string): NpyArray {
  if (bytes.length < 10 || bytes.readUInt8(0) !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new NpzError(file, 'holds a member that is not a .npy array.')
  const major = bytes.readUInt8(6)
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8)
  const headerStart = major === 1 ? 10 : 12
  const header = bytes.toString('latin1', headerStart, headerStart + headerLen)
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (!descr || !fortran || shapeText === undefined) throw new NpzError(file, `has a .npy header numpy would not write: ${header.trim()}`)
  if (fortran === 'True') throw new NpzError(file, 'holds an array in Fortran order; nnU-Net writes C order.')
  const shape = shapeText
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number)
  const count = shape.reduce((a, b) => a * b, 1)
  const body = bytes.subarray(headerStart + headerLen)
  const itemSize = Number(descr.slice(2))
  if (body.length < count * itemSize) throw new NpzError(file, `holds ${body.length} bytes of data for a ${shape.join(' x ')} ${descr} array (${count * itemSize} needed).`)
  // numpy pads the header so the data starts 64-byte aligned; a typed array views it in place
  // then (a CT's probabilities are hundreds of MB), and is copied to an aligned buffer otherwise.
  let src: ArrayBuffer
  let at = 0
  if (body.byteOffset % 8 === 0) {
    src = body.buffer as ArrayBuffer
    at = body.byteOffset
  } else {
    const aligned = new Uint8Array(count * itemSize)
    aligned.set(body.subarray(0, count * itemSize))
    src = aligned.buffer
  }
  if (descr === '<f4' || descr === '|f4') return { shape, dtype: descr, data: new Float32Array(src, at, count) }
  const data = new Float32Array(count)
  switch (descr) {
    case '<f2': {
      const h = new Uint16Array(src, at, count)
      const table = halfTable()
      for (let i = 0; i < count; i++) data[i] = table[h[i]!]!
      break
    }
    case '<f8':
      data.set(new Float64Array(src, at, count))
      break
    case '|u1':
      data.set(new Uint8Array(src, at, count))
      break
    case '|i1':
      data.set(new Int8Array(src, at, count))
      break
    case '<i2':
      data.set(new Int16Array(src, at, count))
      break
    case '<u2':
      data.set(new Uint16Array(src, at, count))
      break
    case '<i4':
      data.set(new Int32Array(src, at, count))
      break
    default:
      throw new NpzError(file, `holds a ${descr} array; only little-endian float16/32/64 and small integers are read.`)
  }
  return { shape, dtype: descr, data }
}

/** One named array of an .npz file (key "probabilities" reads member "probabilities.npy"). */
export async function readNpzArray(file: string, key: string): Promise<NpyArray> {
  const buf = await readFile(file)
  const members = zipMembers(buf, file)
  const m = members.find((x) => x.name === `${key}.npy`)
  if (!m) throw new NpzError(file, `has no array "${key}" (it holds ${members.map((x) => x.name.replace(/\.npy$/, '')).join(', ') || 'nothing'}).`)
  return parseNpy(memberBytes(buf, m, file), file)
}
