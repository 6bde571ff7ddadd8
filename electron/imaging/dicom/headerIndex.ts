// The header index of a DICOM case folder: every file under it (any name or none, any depth) is
// parsed once with dcmjs, stopping before PixelData, and sorted into image series (grouped by
// SeriesInstanceUID here, because itk-wasm's series reader silently takes the first series it
// meets), structure sets (RTSTRUCT) and SEGs. The series geometry (slice order, spacing, the
// problems that refuse a series) is computed in seriesGeometry.ts from what is parsed here.
import { open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import dcmjs from 'dcmjs'
import type { DicomCaseIndex, DicomStructureInfo } from '../../../shared/api/dicom'
import { naturalCompare } from '../../../shared/naturalSort'
import { buildSeries, type ParsedImage } from './seriesGeometry'
import { asArray, num, str, type Dataset } from './tags'

export { transferSyntaxName } from './tags'

export const SOP_CLASS = {
  rtstruct: '1.2.840.10008.5.1.4.1.1.481.3',
  seg: '1.2.840.10008.5.1.4.1.1.66.4',
} as const

/** Bytes read first: most headers end well before; a header longer than this is read whole. */
const HEAD_BYTES = 256 * 1024

export interface ParsedFile {
  file: string
  transferSyntaxUid: string
  dataset: Dataset
}

/**
 * One file's header up to PixelData, or null when it is not DICOM (no "DICM" at byte 128).
 * Throws with a reason when it claims to be DICOM and cannot be parsed.
 */
export async function parseDicomHeader(file: string): Promise<ParsedFile | null> {
  const fh = await open(file, 'r')
  try {
    const info = await fh.stat()
    const size = info.size
    // A link to a folder, a device: not a DICOM file.
    if (!info.isFile() || size < 132) return null
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES))
    await fh.read(head, 0, head.length, 0)
    if (head.toString('latin1', 128, 132) !== 'DICM') return null
    if (head.length < size) {
      // Parsed from the first chunk when PixelData starts inside it; else (a long RTSTRUCT, which
      // has no PixelData, or a long enhanced multi-frame header) the whole file is parsed.
      try {
        const p = parseBytes(file, head)
        if ('PixelData' in p.dataset) return p
      } catch {
        // the header runs past the chunk
      }
      const all = Buffer.alloc(size)
      await fh.read(all, 0, size, 0)
      return parseBytes(file, all)
    }
    return parseBytes(file, head)
  } finally {
    await fh.close()
  }
}

function parseBytes(file: string, bytes: Buffer): ParsedFile {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const msg = dcmjs.data.DicomMessage.readFile(ab, { untilTag: '7FE00010', includeUntilTagValue: false })
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict) as Dataset
  const ts = (msg.meta as Record<string, { Value?: unknown[] }>)['00020010']?.Value?.[0]
  return { file, transferSyntaxUid: String(ts ?? '').trim(), dataset }
}

/** Every regular file under `dir`, at any depth, in natural name order (hidden entries skipped). */
export async function listFilesDeep(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true })
    entries.sort((a, b) => naturalCompare(a.name, b.name))
    for (const e of entries) {
      if (e.name.startsWith('.')) continue
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile() || e.isSymbolicLink()) out.push(p)
    }
  }
  await walk(dir)
  return out
}

/** What kind of instance a parsed file is: by SOP class, then by modality, then by whether it has an image plane. */
export function instanceKind(ds: Dataset): 'image' | 'rtstruct' | 'seg' | 'other' {
  const sopClass = str(ds.SOPClassUID)
  const modality = str(ds.Modality).toUpperCase()
  if (sopClass === SOP_CLASS.rtstruct || modality === 'RTSTRUCT') return 'rtstruct'
  if (sopClass === SOP_CLASS.seg || modality === 'SEG') return 'seg'
  const hasPlane = ds.ImagePositionPatient !== undefined || ds.PerFrameFunctionalGroupsSequence !== undefined
  if (num(ds.Rows) > 0 && num(ds.Columns) > 0 && hasPlane && 'PixelData' in ds) return 'image'
  if (num(ds.Rows) > 0 && num(ds.Columns) > 0 && hasPlane) return 'image'
  return 'other'
}

function structureOf(p: ParsedFile, kind: 'rtstruct' | 'seg'): DicomStructureInfo {
  const ds = p.dataset
  let referenced: string | null = null
  let names: string[] = []
  let frameOfReferenceUid = str(ds.FrameOfReferenceUID)
  if (kind === 'rtstruct') {
    for (const fr of asArray<Dataset>(ds.ReferencedFrameOfReferenceSequence)) {
      frameOfReferenceUid ||= str(fr.FrameOfReferenceUID)
      for (const st of asArray<Dataset>(fr.RTReferencedStudySequence)) {
        for (const se of asArray<Dataset>(st.RTReferencedSeriesSequence)) referenced ??= str(se.SeriesInstanceUID) || null
      }
    }
    names = asArray<Dataset>(ds.StructureSetROISequence).map((r) => str(r.ROIName))
  } else {
    for (const se of asArray<Dataset>(ds.ReferencedSeriesSequence)) referenced ??= str(se.SeriesInstanceUID) || null
    names = asArray<Dataset>(ds.SegmentSequence).map((s) => str(s.SegmentLabel))
  }
  return {
    kind,
    file: p.file,
    sopInstanceUid: str(ds.SOPInstanceUID),
    seriesInstanceUid: str(ds.SeriesInstanceUID),
    seriesDescription: str(ds.SeriesDescription),
    referencedSeriesUid: referenced,
    frameOfReferenceUid,
    names,
  }
}

/**
 * Indexes one case folder: parses each file once, groups the images by SeriesInstanceUID and
 * computes each series' geometry and problems (seriesGeometry.ts). Series are listed by series
 * number, then description.
 */
export async function indexDicomFolder(dir: string): Promise<DicomCaseIndex> {
  const files = await listFilesDeep(dir)
  const unreadable: DicomCaseIndex['unreadable'] = []
  const structures: DicomStructureInfo[] = []
  const bySeries = new Map<string, ParsedImage[]>()
  let otherInstances = 0
  for (const file of files) {
    let p: ParsedFile | null
    try {
      p = await parseDicomHeader(file)
    } catch (err) {
      unreadable.push({ file, reason: `it starts like a DICOM file but cannot be parsed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` })
      continue
    }
    if (!p) {
      unreadable.push({ file, reason: 'it is not a DICOM file (no "DICM" marker at byte 128)' })
      continue
    }
    const kind = instanceKind(p.dataset)
    if (kind === 'rtstruct' || kind === 'seg') structures.push(structureOf(p, kind))
    else if (kind === 'image') {
      const uid = str(p.dataset.SeriesInstanceUID)
      bySeries.set(uid, [...(bySeries.get(uid) ?? []), { file, transferSyntaxUid: p.transferSyntaxUid, dataset: p.dataset }])
    } else otherInstances++
  }
  const series = [...bySeries.values()].map((images) => buildSeries(images))
  series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || naturalCompare(a.seriesDescription, b.seriesDescription) || naturalCompare(a.files[0] ?? '', b.files[0] ?? ''))
  return { dir, series, structures, unreadable, otherInstances }
}
