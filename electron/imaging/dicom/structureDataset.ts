// One RTSTRUCT or SEG file parsed whole by dcmjs (contours, per-frame groups and pixel data
// included), for the readers rtstructRead.ts and segRead.ts. The header index (headerIndex.ts)
// already found the file, its kind, names and referenced series; this is the second, full read
// done in the worker that rasterises the structure on a case's grid.
import { readFile } from 'node:fs/promises'
import dcmjs from 'dcmjs'
import type { Dataset } from './tags'

/** A structure file that cannot be used: the file and the reason, for a finding that names it. */
export class StructureFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`)
  }
}

export interface FullDicom {
  file: string
  transferSyntaxUid: string
  dataset: Dataset
}

export async function readWholeDicom(file: string): Promise<FullDicom> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    throw new StructureFileError(file, `it cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`)
  }
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') throw new StructureFileError(file, 'it is not a DICOM file (no "DICM" marker at byte 128).')
  try {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const msg = dcmjs.data.DicomMessage.readFile(ab)
    const ts = (msg.meta as Record<string, { Value?: unknown[] }>)['00020010']?.Value?.[0]
    return { file, transferSyntaxUid: String(ts ?? '').trim(), dataset: dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict) as Dataset }
  } catch (err) {
    throw new StructureFileError(file, `it starts like a DICOM file but cannot be parsed (${(err as Error).message.split('\n')[0]}).`)
  }
}
