// Reading values out of a naturalized dcmjs dataset, and the names of transfer syntaxes.

/** Common names of the transfer syntaxes a hospital export uses (for the overview). */
const TRANSFER_SYNTAX: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (lossy)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (lossy)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
}

export function transferSyntaxName(uid: string): string {
  return TRANSFER_SYNTAX[uid] ?? (uid ? `transfer syntax ${uid}` : 'unknown transfer syntax')
}

/** A naturalized dcmjs dataset: keywords to values (sequences as arrays of datasets). */
export type Dataset = Record<string, unknown>

/** dcmjs gives a one-item sequence or one-valued tag sometimes as the item itself: always an array. */
export function asArray<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null || v === '') return []
  return (Array.isArray(v) ? v : [v]) as T[]
}

export function str(v: unknown): string {
  const a = asArray(v)
  if (a.length === 0) return ''
  const x = a[0]
  if (x && typeof x === 'object' && 'Alphabetic' in (x as object)) return String((x as { Alphabetic?: string }).Alphabetic ?? '')
  return String(x ?? '').trim()
}

export function num(v: unknown, fallback = NaN): number {
  const a = asArray(v)
  const n = a.length ? Number(a[0]) : NaN
  return Number.isFinite(n) ? n : fallback
}

export function nums(v: unknown): number[] {
  return asArray(v).map(Number)
}

