// Hand-made NIfTI-1 and NIfTI-2 files, byte by byte, for tests that need a header field set to
// exactly what a broken or unusual writer produces (vox_offset, dims, NIfTI-2), which no
// well-behaved writer would let us write.

export interface NiftiSpec {
  version: 1 | 2
  sizes: number[]
  /** NIfTI datatype code (2 uint8, 4 int16, 16 float32, ...). */
  datatype: number
  bitpix: number
  spacing?: number[]
  /** Defaults to the header size plus the 4-byte extension flag (352, or 544 for NIfTI-2). */
  voxOffset?: number
  data: Uint8Array
}

/** A single-file NIfTI (.nii): header, extension flag, voxels. */
export function niftiFile(s: NiftiSpec): Buffer {
  const headerBytes = s.version === 1 ? 348 : 540
  const voxOffset = s.voxOffset ?? headerBytes + 4
  const hdr = Buffer.alloc(Math.max(voxOffset, headerBytes + 4))
  const spacing = s.spacing ?? s.sizes.map(() => 1)
  if (s.version === 1) {
    hdr.writeInt32LE(348, 0)
    hdr.writeInt16LE(s.sizes.length, 40)
    s.sizes.forEach((n, i) => hdr.writeInt16LE(n, 42 + 2 * i))
    hdr.writeInt16LE(s.datatype, 70)
    hdr.writeInt16LE(s.bitpix, 72)
    hdr.writeFloatLE(1, 76)
    spacing.forEach((v, i) => hdr.writeFloatLE(v, 80 + 4 * i))
    hdr.writeFloatLE(voxOffset, 108)
    hdr.writeFloatLE(1, 112)
    hdr.writeUInt8(2, 123)
    hdr.write('n+1\0', 344, 'latin1')
  } else {
    hdr.writeInt32LE(540, 0)
    hdr.write('n+2\0\r\n\x1a\n', 4, 'latin1')
    hdr.writeInt16LE(s.datatype, 12)
    hdr.writeInt16LE(s.bitpix, 14)
    hdr.writeBigInt64LE(BigInt(s.sizes.length), 16)
    s.sizes.forEach((n, i) => hdr.writeBigInt64LE(BigInt(n), 24 + 8 * i))
    hdr.writeDoubleLE(1, 104)
    spacing.forEach((v, i) => hdr.writeDoubleLE(v, 112 + 8 * i))
    hdr.writeBigInt64LE(BigInt(voxOffset), 168)
    hdr.writeDoubleLE(1, 176)
    hdr.writeInt32LE(2, 500)
  }
  return Buffer.concat([hdr.subarray(0, voxOffset), s.data])
}

/** The bytes of a typed array, little-endian as stored on every machine we run on. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}
