// Read-back helpers for tests: volumes through itk-wasm (what any ITK-based tool would see) and
// the raw NIfTI-1 header fields that ITK does not surface (intent code, q/sform codes).
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { imageIo } from './guideFolders'

export async function readImage(path: string): Promise<Image> {
  return (await imageIo()).readImageNode(path)
}

export interface NiftiHeaderFields {
  sizeofHdr: number
  dims: number[]
  datatype: number
  bitpix: number
  intentCode: number
  pixdim: number[]
  voxOffset: number
  qformCode: number
  sformCode: number
  magic: string
}

export async function readNiftiHeader(path: string): Promise<NiftiHeaderFields> {
  let bytes: Uint8Array = await readFile(path)
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes)
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const ndim = v.getInt16(40, true)
  return {
    sizeofHdr: v.getInt32(0, true),
    dims: Array.from({ length: ndim }, (_, i) => v.getInt16(42 + 2 * i, true)),
    datatype: v.getInt16(70, true),
    bitpix: v.getInt16(72, true),
    intentCode: v.getInt16(68, true),
    pixdim: Array.from({ length: 8 }, (_, i) => v.getFloat32(76 + 4 * i, true)),
    voxOffset: v.getFloat32(108, true),
    qformCode: v.getInt16(252, true),
    sformCode: v.getInt16(254, true),
    magic: new TextDecoder().decode(bytes.subarray(344, 347)),
  }
}

/** sha256 + size of every file under `root`, to prove a run left the sources untouched. */
export async function hashTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else out[p] = `${(await stat(p)).size}:${createHash('sha256').update(await readFile(p)).digest('hex')}`
    }
  }
  await walk(root)
  return out
}
