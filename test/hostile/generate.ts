// The hostile-input corpus of issue 19: one generator per class of input an attacker (or a broken
// export) can put in a source folder. Each case is a folder pair (images/, organ/) holding one good
// case ("good") and one hostile case ("bad"), written fresh into a temporary folder, so every
// case runs as its own `nnunet-wizard prepare` and its time and peak memory are its own.
// `expect`: 'refused' (the case must fail with its file named), or 'either' (refused by name, or
// written with exactly the voxels SimpleITK reads from the source).
import { execFileSync } from 'node:child_process'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateSync, gzipSync } from 'node:zlib'

export const N = 16
const VOXELS = N * N * N

export interface HostileCase {
  name: string
  /** The item this case checks. */
  item: string
  expect: 'refused' | 'either'
  /** The file the refusal must name (relative to the case root). */
  names: string
  /** What the refusal must say (the class of the problem), when refused. */
  why?: RegExp
  /** Writes images/ and organ/ under root (the good case is written by the caller). */
  write(root: string): Promise<void>
}

/** An attached NRRD of N^3 voxels. */
export function nrrd(type: string, data: Buffer, extra: string[] = [], encoding = 'raw', spacings = '1 1 1'): Buffer {
  const head = ['NRRD0004', `type: ${type}`, 'dimension: 3', `sizes: ${N} ${N} ${N}`, `spacings: ${spacings}`, `encoding: ${encoding}`, ...(type === 'uint8' ? [] : extra.some((l) => l.startsWith('endian')) ? [] : ['endian: little']), ...extra, '', ''].join('\n')
  return Buffer.concat([Buffer.from(head), data])
}

/** A detached NRRD header naming `dataFile`. */
function nhdr(dataFile: string, extra: string[] = [], type = 'uint8'): string {
  return ['NRRD0004', `type: ${type}`, 'dimension: 3', `sizes: ${N} ${N} ${N}`, 'spacings: 1 1 1', 'encoding: raw', ...extra, `data file: ${dataFile}`, '', ''].join('\n')
}

function mhd(dataFile: string, extra: string[] = []): string {
  return ['ObjectType = Image', 'NDims = 3', `DimSize = ${N} ${N} ${N}`, 'ElementSpacing = 1 1 1', 'ElementType = MET_UCHAR', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', ...extra, `ElementDataFile = ${dataFile}`, ''].join('\n')
}

/** Scan-like voxels: a gradient with some structure (not all equal, so a zero-fill is seen). */
export function imageVoxels(seed = 1): Buffer {
  const b = Buffer.alloc(VOXELS)
  for (let i = 0; i < VOXELS; i++) b[i] = (i * 7 + seed * 13 + (i >> 5)) & 0xff
  return b
}

/** A binary mask: a cube in the middle. */
export function maskVoxels(): Buffer {
  const b = Buffer.alloc(VOXELS)
  for (let z = 4; z < 12; z++) for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) b[x + N * (y + N * z)] = 1
  return b
}

/** A NIfTI-1 header (348 bytes + 4-byte extension flag) for sizes, datatype, bitpix, spacing. */
function niftiHeader(sizes: number[], datatype: number, bitpix: number, spacing = [1, 1, 1]): Buffer {
  const h = Buffer.alloc(352)
  h.writeInt32LE(348, 0)
  h.writeInt16LE(sizes.length, 40)
  sizes.forEach((n, i) => h.writeInt16LE(n, 42 + 2 * i))
  h.writeInt16LE(datatype, 70)
  h.writeInt16LE(bitpix, 72)
  h.writeFloatLE(1, 76)
  spacing.forEach((v, i) => h.writeFloatLE(v, 80 + 4 * i))
  h.writeFloatLE(352, 108)
  h.writeFloatLE(1, 112) // scl_slope
  h.writeInt16LE(1, 254) // sform_code: scanner
  h.writeFloatLE(spacing[0]!, 280)
  h.writeFloatLE(spacing[1]!, 280 + 20)
  h.writeFloatLE(spacing[2]!, 280 + 40)
  h.write('n+1\0', 344, 'latin1')
  return h
}

const folders = async (root: string) => {
  await mkdir(join(root, 'images'), { recursive: true })
  await mkdir(join(root, 'organ'), { recursive: true })
  await mkdir(join(root, 'secret'), { recursive: true })
}
const goodMask = (root: string) => writeFile(join(root, 'organ', 'bad.nrrd'), nrrd('uint8', maskVoxels()))

export const CASES: HostileCase[] = [
  {
    name: 'NRRD data file /etc/passwd with byte skip -1',
    why: /outside|inside|not in the folder|byte skip/i,
    item: '1, 2',
    expect: 'refused',
    names: 'images/bad.nhdr',
    write: async (root) => {
      await writeFile(join(root, 'images', 'bad.nhdr'), nhdr('/etc/passwd', ['byte skip: -1']))
      await goodMask(root)
    },
  },
  {
    name: 'NRRD data file ../ outside the source folder',
    why: /outside|inside|not in the folder/i,
    item: '1, 2',
    expect: 'refused',
    names: 'images/bad.nhdr',
    write: async (root) => {
      await writeFile(join(root, 'secret', 'id_rsa'), imageVoxels(9))
      await writeFile(join(root, 'images', 'bad.nhdr'), nhdr('../secret/id_rsa'))
      await goodMask(root)
    },
  },
  {
    name: 'MetaImage ElementDataFile ../ outside the source folder',
    why: /outside|inside|not in the folder/i,
    item: '1, 2',
    expect: 'refused',
    names: 'images/bad.mhd',
    write: async (root) => {
      await writeFile(join(root, 'secret', 'blob.raw'), imageVoxels(5))
      await writeFile(join(root, 'images', 'bad.mhd'), mhd('../secret/blob.raw'))
      await goodMask(root)
    },
  },
  {
    name: 'MetaImage CompressedDataSize half the stream',
    why: /CompressedDataSize/,
    item: '3',
    expect: 'refused',
    names: 'images/bad.mhd',
    write: async (root) => {
      const z = deflateSync(imageVoxels(3))
      await writeFile(join(root, 'images', 'bad.zraw'), z)
      await writeFile(join(root, 'images', 'bad.mhd'), mhd('bad.zraw', ['CompressedData = True', `CompressedDataSize = ${Math.floor(z.length / 2)}`]))
      await goodMask(root)
    },
  },
  {
    name: 'NRRD data file that is a FIFO',
    why: /FIFO|pipe|not a regular file|regular/i,
    item: '4',
    expect: 'refused',
    names: 'images/bad.nhdr',
    write: async (root) => {
      execFileSync('mkfifo', [join(root, 'images', 'bad.raw')])
      await writeFile(join(root, 'images', 'bad.nhdr'), nhdr('bad.raw'))
      await goodMask(root)
    },
  },
  ...(['0 1 1', 'nan 1 1', 'inf 1 1'] as const).map(
    (spacings): HostileCase => ({
      name: `NRRD spacing ${spacings}`,
      why: /spacing/i,
      item: '3',
      expect: 'refused',
      names: 'images/bad.nrrd',
      write: async (root) => {
        await writeFile(join(root, 'images', 'bad.nrrd'), nrrd('uint8', imageVoxels(2), [], 'raw', spacings))
        await writeFile(join(root, 'organ', 'bad.nrrd'), nrrd('uint8', maskVoxels(), [], 'raw', spacings))
      },
    }),
  ),
  {
    name: 'NIfTI pixdim 0 in image and mask',
    why: /spacing|pixdim/i,
    item: '3',
    expect: 'refused',
    names: 'images/bad.nii.gz',
    write: async (root) => {
      await writeFile(join(root, 'images', 'bad.nii.gz'), gzipSync(Buffer.concat([niftiHeader([N, N, N], 2, 8, [0, 1, 1]), imageVoxels(4)])))
      await writeFile(join(root, 'organ', 'bad.nii.gz'), gzipSync(Buffer.concat([niftiHeader([N, N, N], 2, 8, [0, 1, 1]), maskVoxels()])))
    },
  },
  {
    name: 'int64 mask with 2^53 and 2^53 + 1',
    why: /2\^53|9007199254740992|int64|exact|values/i,
    item: '3',
    expect: 'refused',
    names: 'organ/bad.nrrd',
    write: async (root) => {
      await writeFile(join(root, 'images', 'bad.nrrd'), nrrd('uint8', imageVoxels(6)))
      const m = Buffer.alloc(VOXELS * 8)
      const src = maskVoxels()
      for (let i = 0; i < VOXELS; i++) if (src[i]) m.writeBigInt64LE(2n ** 53n + BigInt(i & 1), i * 8)
      await writeFile(join(root, 'organ', 'bad.nrrd'), nrrd('int64', m))
    },
  },
  {
    name: 'a 1 MB .nii.gz claiming 1024^3 voxels',
    item: '4 (memory)',
    expect: 'refused',
    names: 'images/bad.nii.gz',
    write: async (root) => {
      // 1024^3 uint8 claimed; the stream holds 1 MB of noise (gzip cannot shrink it), far short.
      const noise = Buffer.alloc(1 << 20)
      for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24
      await writeFile(join(root, 'images', 'bad.nii.gz'), gzipSync(Buffer.concat([niftiHeader([1024, 1024, 1024], 2, 8), noise])))
      await goodMask(root)
    },
  },
  {
    name: 'gzip bomb: 16^3 voxels claimed, 256 MB of zeros inflated',
    item: '4 (already passes)',
    expect: 'either',
    names: 'images/bad.nii.gz',
    write: async (root) => {
      const z = gzipSync(Buffer.concat([niftiHeader([N, N, N], 2, 8), imageVoxels(7), Buffer.alloc(256 << 20)]), { level: 9 })
      await writeFile(join(root, 'images', 'bad.nii.gz'), z)
      await writeFile(join(root, 'organ', 'bad.nii.gz'), gzipSync(Buffer.concat([niftiHeader([N, N, N], 2, 8), maskVoxels()])))
    },
  },
  {
    name: 'symbolic link loop',
    item: 'already passes',
    expect: 'refused',
    names: 'images/bad.nrrd',
    write: async (root) => {
      await symlink(join(root, 'images', 'loop.nrrd'), join(root, 'images', 'bad.nrrd'))
      await symlink(join(root, 'images', 'bad.nrrd'), join(root, 'images', 'loop.nrrd'))
      await goodMask(root)
    },
  },
  {
    name: 'a device as the image (/dev/zero)',
    item: 'already passes',
    expect: 'refused',
    names: 'images/bad.nrrd',
    write: async (root) => {
      await symlink('/dev/zero', join(root, 'images', 'bad.nrrd'))
      await goodMask(root)
    },
  },
  {
    name: 'big-endian int16 NRRD',
    item: 'already passes',
    expect: 'either',
    names: 'images/bad.nrrd',
    write: async (root) => {
      const d = Buffer.alloc(VOXELS * 2)
      for (let i = 0; i < VOXELS; i++) d.writeInt16BE(((i * 37) % 3000) - 1000, i * 2)
      await writeFile(join(root, 'images', 'bad.nrrd'), nrrd('int16', d, ['endian: big']))
      await goodMask(root)
    },
  },
  {
    name: 'ASCII-encoded NRRD',
    item: 'already passes',
    expect: 'either',
    names: 'images/bad.nrrd',
    write: async (root) => {
      const v = imageVoxels(8)
      await writeFile(join(root, 'images', 'bad.nrrd'), nrrd('uint8', Buffer.from(`${Array.from(v).join(' ')}\n`), [], 'ascii'))
      await goodMask(root)
    },
  },
]

/** Writes one case's folders: the good case and the hostile one. */
export async function writeCase(root: string, c: HostileCase): Promise<void> {
  await folders(root)
  await writeFile(join(root, 'images', 'good.nrrd'), nrrd('uint8', imageVoxels(1)))
  await writeFile(join(root, 'organ', 'good.nrrd'), nrrd('uint8', maskVoxels()))
  await c.write(root)
}
