// Reads 3D Slicer's segmentation file (.seg.nrrd), the counterpart of segNrrdWriter.ts: the
// segments of its header (SegmentN_Name / _LabelValue / _Layer / _Color / _Extent) and each
// segment's voxels as a 0/1 mask on the file's grid. One layer is a 3D NRRD holding label values;
// several layers (segments that overlap, as Slicer keeps them) are a 4D NRRD whose first axis
// ("kinds: list ...") is the layer. Files written by Slicer before label values existed hold one
// segment per layer as 1: a missing _LabelValue is 1 and a missing _Layer is the segment's index.
// Only what Slicer writes is read (attached data, raw or gzip); anything else is refused by reason.
import { gunzipSync } from 'node:zlib'
import { readFile } from 'node:fs/promises'
import type { Geometry } from '../../shared/api'

export interface SegNrrdSegment {
  /** N of SegmentN_*: the header's order. */
  index: number
  name: string
  labelValue: number
  layer: number
  /** 0..1 per channel, as Slicer writes it; null when the header has none. */
  color: [number, number, number] | null
  /** [minI, maxI, minJ, maxJ, minK, maxK]; null when the header has none. */
  extent: number[] | null
}

export interface SegNrrdHeader {
  fields: Map<string, string>
  segments: SegNrrdSegment[]
  /** 1 for a 3D file; the length of the list axis for a 4D one. */
  layers: number
  geometry: Geometry
  type: string
  encoding: 'raw' | 'gzip'
  bigEndian: boolean
  /** Byte offset of the data after the blank line ending the header. */
  dataOffset: number
}

/** A .seg.nrrd that cannot be read as a segmentation; `reason` says why and what to do. */
export class SegNrrdError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`)
  }
}

const TYPES: Record<string, { bytes: number; read: (b: Buffer, o: number, be: boolean) => number }> = {
  uchar: { bytes: 1, read: (b, o) => b.readUInt8(o) },
  char: { bytes: 1, read: (b, o) => b.readInt8(o) },
  ushort: { bytes: 2, read: (b, o, be) => (be ? b.readUInt16BE(o) : b.readUInt16LE(o)) },
  short: { bytes: 2, read: (b, o, be) => (be ? b.readInt16BE(o) : b.readInt16LE(o)) },
  uint: { bytes: 4, read: (b, o, be) => (be ? b.readUInt32BE(o) : b.readUInt32LE(o)) },
  int: { bytes: 4, read: (b, o, be) => (be ? b.readInt32BE(o) : b.readInt32LE(o)) },
}

/** NRRD's many spellings of a type ("unsigned char", "uint8", "uint8_t", ...) to one name. */
function typeName(t: string): string | null {
  const s = t.trim().toLowerCase().replace(/\s+/g, ' ')
  if (['uchar', 'unsigned char', 'uint8', 'uint8_t'].includes(s)) return 'uchar'
  if (['signed char', 'int8', 'int8_t', 'char'].includes(s)) return 'char'
  if (['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t'].includes(s)) return 'ushort'
  if (['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t'].includes(s)) return 'short'
  if (['uint', 'unsigned int', 'uint32', 'uint32_t'].includes(s)) return 'uint'
  if (['int', 'signed int', 'int32', 'int32_t'].includes(s)) return 'int'
  return null
}

const vectorOf = (v: string): number[] | null => {
  const m = /^\(([^)]*)\)$/.exec(v.trim())
  return m ? m[1]!.split(',').map(Number) : null
}

/** Parses the header of `bytes` (the file's first bytes through the blank line, or all of it). */
export function parseSegNrrdHeader(bytes: Uint8Array, file: string): SegNrrdHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = buf.indexOf('\n\n')
  const endCr = buf.indexOf('\r\n\r\n')
  const stop = end >= 0 && (endCr < 0 || end < endCr) ? end + 2 : endCr >= 0 ? endCr + 4 : -1
  if (!buf.subarray(0, 4).equals(Buffer.from('NRRD'))) throw new SegNrrdError(file, 'it is not a NRRD file (it does not start with "NRRD"); give the .seg.nrrd that 3D Slicer saved.')
  if (stop < 0) throw new SegNrrdError(file, 'its header has no end (no blank line); the file is cut short, save it again from Slicer.')
  const lines = buf.subarray(0, stop).toString('utf8').split(/\r?\n/)
  const basic = new Map<string, string>()
  const fields = new Map<string, string>()
  for (const line of lines.slice(1)) {
    if (!line || line.startsWith('#')) continue
    const kv = line.indexOf(':=')
    const colon = line.indexOf(': ')
    if (kv > 0 && (colon < 0 || kv < colon)) fields.set(line.slice(0, kv), line.slice(kv + 2))
    else if (colon > 0) basic.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 2).trim())
  }
  if (basic.has('data file') || basic.has('datafile')) throw new SegNrrdError(file, 'its voxels are in a separate data file; save the segmentation from Slicer as one .seg.nrrd.')
  const type = typeName(basic.get('type') ?? '')
  if (!type) throw new SegNrrdError(file, `its voxel type "${basic.get('type') ?? '(none)'}" is not a label type (unsigned char, short, int); save it from Slicer again.`)
  const encoding = (basic.get('encoding') ?? '').toLowerCase()
  if (encoding !== 'raw' && encoding !== 'gzip' && encoding !== 'gz') throw new SegNrrdError(file, `its encoding "${encoding || '(none)'}" is not raw or gzip (what Slicer writes); save it from Slicer again.`)
  const dimension = Number(basic.get('dimension'))
  const sizes = (basic.get('sizes') ?? '').split(/\s+/).map(Number)
  const kinds = (basic.get('kinds') ?? '').split(/\s+/)
  if (!(dimension === 3 || dimension === 4) || sizes.length !== dimension || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new SegNrrdError(file, `it is ${dimension}D (sizes ${basic.get('sizes') ?? 'none'}); a segmentation is 3D, or 4D with one layer per list entry.`)
  if (dimension === 4 && kinds[0]?.toLowerCase() === 'domain') throw new SegNrrdError(file, 'it is 4D with a spatial first axis (not the "list" of layers Slicer writes); save it from Slicer again.')
  const layers = dimension === 4 ? sizes[0]! : 1
  const size = sizes.slice(dimension - 3)
  const dirs = (basic.get('space directions') ?? '').split(/\s+/).filter((d) => d.toLowerCase() !== 'none').map(vectorOf)
  const origin = vectorOf(basic.get('space origin') ?? '(0,0,0)')
  if (dirs.length !== 3 || dirs.some((d) => !d || d.length !== 3 || d.some((x) => !Number.isFinite(x))) || !origin || origin.length !== 3) throw new SegNrrdError(file, 'its header lacks a 3D "space directions" / "space origin"; save it from Slicer again (it writes both).')
  const space = (basic.get('space') ?? 'left-posterior-superior').toLowerCase()
  const ras = space === 'right-anterior-superior' || space === 'ras'
  if (!ras && space !== 'left-posterior-superior' && space !== 'lps') throw new SegNrrdError(file, `its space "${space}" is neither LPS nor RAS.`)
  // NRRD gives each axis's step vector; ITK's direction is row-major with one column per axis, LPS.
  const flip = (v: number[]) => (ras ? [-v[0]!, -v[1]!, v[2]!] : v)
  const steps = (dirs as number[][]).map(flip)
  const spacing = steps.map((v) => Math.hypot(...v))
  const direction = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => steps[c]![r]! / spacing[c]!))
  const segments: SegNrrdSegment[] = []
  for (let n = 0; fields.has(`Segment${n}_ID`) || fields.has(`Segment${n}_Name`); n++) {
    const num = (k: string) => (fields.has(`Segment${n}_${k}`) ? Number(fields.get(`Segment${n}_${k}`)) : null)
    const color = fields.get(`Segment${n}_Color`)?.trim().split(/\s+/).map(Number)
    const extent = fields.get(`Segment${n}_Extent`)?.trim().split(/\s+/).map(Number)
    segments.push({
      index: n,
      name: fields.get(`Segment${n}_Name`) ?? fields.get(`Segment${n}_ID`)!,
      labelValue: num('LabelValue') ?? 1,
      layer: num('Layer') ?? (layers > 1 ? n : 0),
      color: color?.length === 3 && color.every(Number.isFinite) ? (color as [number, number, number]) : null,
      extent: extent?.length === 6 && extent.every(Number.isFinite) ? extent : null,
    })
  }
  for (const s of segments) {
    if (!Number.isInteger(s.layer) || s.layer < 0 || s.layer >= layers) throw new SegNrrdError(file, `segment "${s.name}" is on layer ${s.layer}, but the file has ${layers} layer${layers === 1 ? '' : 's'}; save it from Slicer again.`)
  }
  const endian = (basic.get('endian') ?? 'little').toLowerCase()
  return { fields, segments, layers, geometry: { size, spacing, origin: flip(origin), direction }, type, encoding: encoding === 'raw' ? 'raw' : 'gzip', bigEndian: endian === 'big', dataOffset: stop }
}

export interface SegNrrd {
  header: SegNrrdHeader
  bytes: Uint8Array
  /** The inflated voxels, kept after the first segment is taken (several labels from one file). */
  voxels?: Buffer
}

export async function readSegNrrd(file: string): Promise<SegNrrd> {
  const bytes = new Uint8Array(await readFile(file))
  return { header: parseSegNrrdHeader(bytes, file), bytes }
}

/**
 * The voxels of `segment` as 0/1 on the file's grid (x fastest): the voxels of its layer holding
 * its label value.
 */
export function segmentMask(seg: SegNrrd, segment: SegNrrdSegment, file: string): Uint8Array {
  const { header } = seg
  const voxels = header.geometry.size.reduce((a, b) => a * b, 1)
  const t = TYPES[header.type]!
  const raw = Buffer.from(seg.bytes.buffer, seg.bytes.byteOffset + header.dataOffset, seg.bytes.byteLength - header.dataOffset)
  let data: Buffer
  try {
    data = seg.voxels ??= header.encoding === 'gzip' ? gunzipSync(raw) : raw
  } catch (err) {
    throw new SegNrrdError(file, `its compressed voxels cannot be read (${(err as Error).message}); the file is damaged or cut short, save it from Slicer again.`)
  }
  const need = voxels * header.layers * t.bytes
  if (data.length < need) throw new SegNrrdError(file, `it holds ${data.length} bytes of voxels where its header needs ${need}; the file is cut short, save it from Slicer again.`)
  const out = new Uint8Array(voxels)
  const stride = header.layers * t.bytes
  const first = segment.layer * t.bytes
  const value = segment.labelValue
  if (t.bytes === 1 && header.type === 'uchar') {
    for (let i = 0, o = first; i < voxels; i++, o += stride) if (data[o] === value) out[i] = 1
  } else {
    for (let i = 0, o = first; i < voxels; i++, o += stride) if (t.read(data, o, header.bigEndian) === value) out[i] = 1
  }
  return out
}
