// Reading the voxels of one chosen series with @itk-wasm/dicom (GDCM in WebAssembly). Its series
// reader takes the first series it meets when given files of several, silently, so it is given
// exactly the files of one series, in the order seriesGeometry.ts sorted them (along the normal),
// and told they are one sorted series. GDCM applies RescaleSlope/Intercept; the result is stored
// as int16 where that holds every value exactly, else int32 (integers) or float32. The geometry
// ITK computes is checked against the headers' own (1e-4) so a mismatch is an error, not a shift.
// Blocks its thread while GDCM decodes: call it from the worker pool.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import type { DicomSeriesInfo } from '../../../shared/api/dicom'
import type { Volume, VoxelArray } from '../volume'
import type { FilePrint } from '../payload'
import { VolumeReadError } from '../volumeError'
import { nameFiles } from './seriesGeometry'

type DicomIo = typeof import('@itk-wasm/dicom')
let io: Promise<DicomIo> | undefined
function dicomIo(): Promise<DicomIo> {
  io ??= import('@itk-wasm/dicom')
  return io
}

/** Thrown when a series cannot be read; `reason` names the files and what to do. */
export class DicomSeriesError extends VolumeReadError {}

const GEOMETRY_TOLERANCE = 1e-4

/** The narrowest exact type: int16 when every value fits and is whole, int32 for other whole values, else float32. */
export function narrowVoxels(data: VoxelArray): VoxelArray {
  if (data instanceof Int16Array) return data
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return data
  let whole = true
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (v < min) min = v
    if (v > max) max = v
    if (whole && !Number.isInteger(v)) whole = false
  }
  if (data.length === 0) return new Int16Array(0)
  if (whole && min >= -32768 && max <= 32767) return Int16Array.from(data as ArrayLike<number>)
  if (whole && (data instanceof Int32Array || data instanceof Uint8Array || data instanceof Int8Array || data instanceof Uint16Array)) return data
  if (whole && min >= -(2 ** 31) && max < 2 ** 31) return Int32Array.from(data as ArrayLike<number>)
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>)
}

const TYPE_NAME = new Map<unknown, string>([
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
  [Int16Array, 'int16'],
  [Uint16Array, 'uint16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [BigInt64Array, 'int64'],
  [BigUint64Array, 'uint64'],
])

function reverseSlices(data: VoxelArray, perSlice: number, slices: number): VoxelArray {
  const out = new (data.constructor as new (n: number) => VoxelArray)(data.length)
  for (let k = 0; k < slices; k++) (out as Int16Array).set((data as Int16Array).subarray((slices - 1 - k) * perSlice, (slices - k) * perSlice), k * perSlice)
  return out
}

async function printOf(path: string): Promise<FilePrint> {
  const [bytes, info] = await Promise.all([readFile(path), stat(path)])
  return { path, size: info.size, mtimeMs: info.mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') }
}

export interface ReadDicomOptions {
  /** Fingerprint every file (size, mtime, SHA-256) into `sources`, as a prepare's manifest records them. */
  fingerprint?: boolean
}

/**
 * The voxels of `series` as a Volume (the type the rest of imaging/ uses), LPS geometry. Refuses a
 * series with any geometry problem (seriesGeometry.ts), naming it.
 */
export async function readDicomSeries(series: DicomSeriesInfo, opts: ReadDicomOptions = {}): Promise<Volume> {
  const first = series.files[0] ?? ''
  if (series.problems.length > 0) throw new DicomSeriesError(first, series.problems.map((p) => p.text).join(' '))
  if (series.slices.length < 2) throw new DicomSeriesError(first, `the series has ${series.slices.length} slice(s); a 3D volume needs at least two.`)
  if (series.multiFrame && series.files.length !== 1) throw new DicomSeriesError(first, `the enhanced multi-frame series is spread over ${series.files.length} files (${nameFiles(series.files)}); one volume per file is read.`)
  const { readImageDicomFileSeriesNode } = await dicomIo()
  let img
  try {
    ;({ outputImage: img } = await readImageDicomFileSeriesNode({ inputImages: series.files, singleSortedSeries: true }))
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err)
    const said = /^\d*$/.test(raw.trim()) ? '' : ` (GDCM: ${raw.split('\n').find((l) => l.trim()) ?? ''})`
    throw new DicomSeriesError(first, `GDCM cannot decode the series "${series.seriesDescription}" (${series.transferSyntax}, ${nameFiles(series.files)})${said}. Export it again uncompressed or in another transfer syntax.`)
  }
  const size = [...img.size]
  const spacing = [...img.spacing]
  let origin = [...img.origin]
  let direction = Array.from(img.direction as ArrayLike<number>, Number)
  if (img.imageType.dimension !== 3 || img.imageType.components !== 1) {
    throw new DicomSeriesError(first, `GDCM read the series as a ${img.imageType.dimension}D image with ${img.imageType.components} values per voxel (${img.imageType.pixelType}); nnU-Net needs one grey value per voxel of a 3D volume (colour or 2D images are not scans).`)
  }
  let raw = img.data as VoxelArray
  if (series.multiFrame) {
    // GDCM stacks the frames of a multi-frame file in file order; ours run along the normal. Frames
    // stored top-down are turned over (same voxels, same patient positions); any other order is refused.
    const frames = series.slices.map((s) => s.frame ?? 0)
    const descending = frames.every((f, i) => f === frames.length - i)
    if (!descending && !frames.every((f, i) => f === i + 1)) {
      throw new DicomSeriesError(first, `the frames of the multi-frame file are not stored in the order of their positions (frames in position order: ${frames.slice(0, 8).join(', ')}${frames.length > 8 ? ', …' : ''}); GDCM would stack them in file order. Export it as single-frame slices.`)
    }
    if (descending) {
      raw = reverseSlices(raw, size[0]! * size[1]!, size[2]!)
      origin = [...series.origin]
      direction = direction.map((v, i) => (i % 3 === 2 ? -v : v))
    }
  }
  // GDCM's geometry must be the headers' own: any difference means it read something else than the sorted slices.
  const off = (a: number[], b: number[]) => a.some((v, i) => !(Math.abs(v - b[i]!) <= GEOMETRY_TOLERANCE * Math.max(1, Math.abs(b[i]!))))
  if (size.join() !== series.size.join() || off(spacing, series.spacing) || off(origin, series.origin) || off(direction, series.direction)) {
    throw new DicomSeriesError(first, `GDCM read the series with another geometry than its headers give (size ${size.join('x')} vs ${series.size.join('x')}, spacing ${spacing.join(', ')} vs ${series.spacing.join(', ')}, origin ${origin.join(', ')} vs ${series.origin.join(', ')}); refused rather than placed wrongly. Report this with the files.`)
  }
  const data = narrowVoxels(raw)
  const componentType = TYPE_NAME.get(data.constructor) ?? String(img.imageType.componentType)
  const bytesPer = (data as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
  const sources = opts.fingerprint ? await Promise.all(series.files.map(printOf)) : []
  return {
    dimension: 3,
    componentType,
    pixelType: 'Scalar',
    components: 1,
    // The headers' geometry (equal to GDCM's within 1e-4): the DICOM values themselves.
    size: [...series.size],
    spacing: [...series.spacing],
    origin: [...series.origin],
    direction: [...series.direction],
    data,
    stored: null,
    header: {
      format: 'dicom',
      file: first,
      sizes: [...series.size],
      components: 1,
      componentBytes: bytesPer,
      float: componentType.startsWith('float'),
      littleEndian: true,
      typeName: componentType,
      componentType,
      payload: { file: first, offset: 0, encoding: 'raw', skip: 0, bytes: data.length * bytesPer, trailingAllowed: false },
    },
    sources,
  }
}
