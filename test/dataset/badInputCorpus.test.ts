// The bad-input corpus: dozens of kinds of broken input a researcher's folders can hold, each a
// real file with real bytes, each ONE bad case among good ones, run through the built CLI exactly
// as a user runs it (`nnunet-wizard prepare --json`). For every kind: exit code 1 (some cases
// failed, the others written), the bad file named in its case's failure with what is wrong, no
// stack trace, and the good cases written with exactly their voxels. The kinds are batched into a
// few runs so the whole corpus stays well under a minute on two cores.
//
// The CLI is the built one (dist/node, `node scripts/build.mjs --node`; `npm test` builds first).
// When dist is missing or older than the sources it is rebuilt here, so a stale build never
// passes for the code under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { imageIo, TOTALSEG } from '../helpers/guideFolders'
import { bytesOf, niftiFile } from '../helpers/niftiBytes'
import type { CaseReport, PrepareSummary } from '../../shared/api'
import { expectSameArray } from '../helpers/sameArray'

const repo = join(import.meta.dirname, '..', '..')
const IS_ROOT = process.getuid?.() === 0
/**
 * Root reads a chmod-000 file anyway. As root, the file-system run goes through setpriv as the
 * unprivileged "nobody" (uid 65534), so "permission denied" is real; where setpriv is missing or
 * nobody cannot run the CLI from this checkout, the unreadable kind is skipped and says why.
 */
const SETPRIV = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
const AS_NOBODY = IS_ROOT && existsSync(SETPRIV[0]!) && nobodyCanRun() ? SETPRIV : null

function nobodyCanRun(): boolean {
  try {
    execFileSync(SETPRIV[0]!, [...SETPRIV.slice(1), process.execPath, join(repo, 'bin', 'nnunet-wizard.mjs'), 'prepare', '--help'], { cwd: '/', stdio: 'pipe', timeout: 60_000 })
    return true
  } catch {
    return false
  }
}

function newestSource(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p))
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

function ensureBuilt(): void {
  const worker = join(repo, 'dist', 'node', 'volumeWorker.js')
  const sources = Math.max(newestSource(join(repo, 'electron')), newestSource(join(repo, 'shared')))
  if (existsSync(join(repo, 'dist', 'node', 'cli.js')) && existsSync(worker) && statSync(worker).mtimeMs >= sources) return
  execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), '--node'], { cwd: repo, stdio: 'pipe' })
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], appData: string, asNobody = false): Promise<Run> {
  const argv = [process.execPath, join(repo, 'bin', 'nnunet-wizard.mjs'), 'prepare', ...args]
  const [file, ...rest] = asNobody && AS_NOBODY ? [...AS_NOBODY, ...argv] : argv
  // Its own temp folder: a CLI job folder another user made in the shared one must not get in the way.
  const env = { ...process.env, NNUNET_WIZARD_DATA: appData, TMPDIR: join(appData, 'tmp') }
  return new Promise((resolve) => {
    execFile(file!, rest, { cwd: repo, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

// ---- the source scan (ct_small: 122x101x30 int16 CT, liver mask uint8) and files derived from it

// Loaded while the tests are collected: the kinds (one test each) are built from them.
const io = await imageIo()
const [ct, liver] = (await Promise.all(['ct_small/ct.nii.gz', 'ct_small/masks/liver.nii.gz'].map((p) => io.readImageNode(join(TOTALSEG, p))))) as [Image, Image]
/** Finished files of the CT and the liver mask in each format, to cut, flip and copy from. */
const src: Record<string, Buffer> = {}

function withData(img: Image, data: Image['data'], patch: Partial<Image> = {}): Image {
  return { ...img, data, metadata: new Map(), ...patch }
}
function asFloat(img: Image, poison: (i: number) => number | null): Image {
  const data = Float32Array.from(img.data as ArrayLike<number>, (v, i) => poison(i) ?? v)
  return withData(img, data, { imageType: { ...img.imageType, componentType: 'float32' } })
}
async function itkBytes(img: Image, ext: string, useCompression = false): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'corpus-src-'))
  try {
    await io.writeImageNode({ ...img, metadata: new Map() }, join(dir, `v${ext}`), { useCompression })
    return await readFile(join(dir, `v${ext}`))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
function cut(b: Buffer, n: number): Buffer {
  return Buffer.from(b.subarray(0, Math.floor(n)))
}
function flipBit(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b)
  out[Math.floor(at)]! ^= 0x08
  return out
}
function scribble(b: Buffer, at: number, n: number): Buffer {
  const out = Buffer.from(b)
  out.fill(0x55, Math.floor(at), Math.floor(at) + n)
  return out
}
/** Where the data starts in an attached NRRD / a LOCAL MetaImage. */
function dataStart(b: Buffer): number {
  const nrrd = b.indexOf('\n\n')
  if (b.subarray(0, 4).toString() === 'NRRD') return nrrd + 2
  return b.indexOf('ElementDataFile = LOCAL\n') + 'ElementDataFile = LOCAL\n'.length
}
function setText(b: Buffer, from: RegExp, to: string): Buffer {
  const s = b.toString('latin1')
  if (!from.test(s)) throw new Error(`corpus: ${from} not in header`)
  return Buffer.from(s.replace(from, to), 'latin1')
}

// ---- the kinds

/** The corpus folder (made in beforeAll; the kinds use it only when they build). */
let root = ''

interface CaseFiles {
  images: string
  organ: string
  key: string
}

interface Kind {
  key: string
  /** Writes this case's image and organ mask. */
  build: (c: CaseFiles) => Promise<void>
  /** The path its failure must name. */
  bad: (c: CaseFiles) => string
  /** What the failure must say. */
  says: RegExp
  /** The finding's code, when it is not 'unreadable'. */
  code?: string
  /** A 'warning' kind is written (reported, not failed): a 0/255 mask is read as 0/1. */
  severity?: 'warning'
  /** Why the kind cannot be built here. */
  skip?: string
}

const img = (c: CaseFiles, ext: string) => join(c.images, c.key + ext)
const msk = (c: CaseFiles, ext: string) => join(c.organ, c.key + ext)
const goodMask = (c: CaseFiles) => writeFile(msk(c, '.nrrd'), src.liverNrrd!)
const goodImage = (c: CaseFiles) => writeFile(img(c, '.nrrd'), src.ctNrrd!)

/** A bad image (written by `bytes`) with a good mask. */
function badImage(key: string, ext: string, bytes: () => Buffer | Promise<Buffer>, says: RegExp, code?: string): Kind {
  return {
    key,
    build: async (c) => {
      await writeFile(img(c, ext), await bytes())
      await goodMask(c)
    },
    bad: (c) => img(c, ext),
    says,
    ...(code && { code }),
  }
}
/** A good image with a bad mask. */
function badMask(key: string, ext: string, bytes: () => Buffer | Promise<Buffer>, says: RegExp, code?: string): Kind {
  return {
    key,
    build: async (c) => {
      await goodImage(c)
      await writeFile(msk(c, ext), await bytes())
    },
    bad: (c) => msk(c, ext),
    says,
    ...(code && { code }),
  }
}

// The messages of the payload check itself, not ITK's generic "damaged, truncated or not valid".
const RAW_SHORT = /is truncated(?: \(or its vox_offset is wrong\))?: its header describes .* of voxel data/
const GZ_SHORT = /is truncated: its (gzip|zlib)-compressed voxel data ends early/
const DAMAGED = /is damaged: its compressed voxel data/

function niftiKinds(): Kind[] {
  const gz = () => src.ctNiiGz!
  const nii = () => src.ctNii!
  const voxOffsetAt = (b: Buffer, v: number) => {
    const out = Buffer.from(b)
    out.writeFloatLE(v, 108)
    return out
  }
  const nii2 = () => niftiFile({ version: 2, sizes: [...ct.size], datatype: 4, bitpix: 16, spacing: [...ct.spacing], data: bytesOf(ct.data as Int16Array) })
  const [nx, ny, nz] = ct.size as [number, number, number]
  const slice = (im: Image): Image => ({ ...im, imageType: { ...im.imageType, dimension: 2 }, size: [nx, ny], spacing: im.spacing.slice(0, 2), origin: im.origin.slice(0, 2), direction: Float64Array.from([1, 0, 0, 1]), data: (im.data as Int16Array).slice(0, nx * ny), metadata: new Map() })
  const four: Image = { ...ct, imageType: { ...ct.imageType, dimension: 4 }, size: [nx, ny, nz, 2], spacing: [...ct.spacing, 1], origin: [...ct.origin, 0], direction: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), data: new Int16Array(nx * ny * nz * 2), metadata: new Map() }
  const rgb: Image = { ...ct, imageType: { ...ct.imageType, componentType: 'uint8', pixelType: 'RGB', components: 3 }, data: new Uint8Array(nx * ny * nz * 3).map((_, i) => i % 251), metadata: new Map() }
  const nanAt = (i: number) => (i % 997 === 5 ? NaN : null)
  const liverFloat = (poison: number) => asFloat(liver, (i) => ((liver.data as Uint8Array)[i] && i % 50 === 0 ? poison : null))
  return [
    badImage('niigz-cut-at-10pct', '.nii.gz', () => cut(gz(), gz().length * 0.1), GZ_SHORT),
    badImage('niigz-cut-at-90pct', '.nii.gz', () => cut(gz(), gz().length * 0.9), GZ_SHORT),
    badImage('niigz-trailer-missing', '.nii.gz', () => cut(gz(), gz().length - 4), GZ_SHORT),
    badImage('niigz-gzip-header-only', '.nii.gz', () => cut(gz(), 12), /inflates to only \d+ bytes, less than a NIfTI header/),
    badImage('niigz-flipped-bit', '.nii.gz', () => flipBit(gz(), gz().length / 2), DAMAGED),
    badImage('niigz-corrupt-deflate', '.nii.gz', () => scribble(gz(), gz().length * 0.4, 256), DAMAGED),
    badImage('niigz-wrong-crc', '.nii.gz', () => flipBit(gz(), gz().length - 7), /CRC-32/),
    badImage('nii-cut-at-half', '.nii', () => cut(nii(), 352 + (nii().length - 352) / 2), RAW_SHORT),
    badImage('nii-one-byte-short', '.nii', () => cut(nii(), nii().length - 1), RAW_SHORT),
    badImage('nii-header-only', '.nii', () => cut(nii(), 352), RAW_SHORT),
    badImage('nii-vox-offset-past-end', '.nii', () => voxOffsetAt(nii(), nii().length + 4096), /truncated \(or its vox_offset is wrong\)/),
    badImage('nii-vox-offset-in-header', '.nii', () => voxOffsetAt(nii(), 0), /vox_offset \(0\) points inside the 348-byte header/),
    badImage('nii-huge-dims', '.nii', () => niftiFile({ version: 1, sizes: [30000, 30000, 30000], datatype: 4, bitpix: 16, data: new Uint8Array(4096) }), /describes 30000x30000x30000 int16 = 49\.1 TiB/),
    badImage('nii2-cut', '.nii', () => cut(nii2(), nii2().length * 0.6), RAW_SHORT),
    badImage('nii2-valid', '.nii', nii2, /NIfTI-2 file, which this build cannot read/),
    badImage('niigz-plain-text', '.nii.gz', () => Buffer.from('patient list, not a scan\n'), /not a NIfTI volume/),
    badImage('nii-png-bytes', '.nii', () => Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(4000, 7)]), /not a NIfTI volume/),
    badImage('niigz-nan-image', '.nii.gz', () => itkBytes(asFloat(ct, nanAt), '.nii.gz', true), /\d+ NaN voxels/, 'image-nan'),
    badImage('nii-inf-image', '.nii', () => itkBytes(asFloat(ct, (i) => (i === 4321 ? Infinity : null)), '.nii'), /1 infinite voxel/, 'image-nan'),
    badMask('niigz-nan-mask', '.nii.gz', () => itkBytes(liverFloat(NaN), '.nii.gz', true), /NaN voxels/, 'mask-nan'),
    badMask('nii-inf-mask', '.nii', () => itkBytes(liverFloat(-Infinity), '.nii'), /infinite voxels/, 'mask-nan'),
    badImage('nii-2d', '.nii.gz', () => itkBytes(slice(ct), '.nii.gz', true), /2D image/, 'not-3d'),
    badImage('nii-4d', '.nii.gz', () => itkBytes(four, '.nii.gz', true), /4D image/, 'not-3d'),
    badImage('nii-rgb', '.nii.gz', () => itkBytes(rgb, '.nii.gz', true), /3 values per voxel/, 'multi-component'),
  ]
}

function nrrdKinds(): Kind[] {
  const raw = () => src.ctNrrd!
  const gzd = () => src.ctNrrdGz!
  const gzData = () => dataStart(gzd())
  const detached = (key: string, data: (c: CaseFiles) => Promise<void>, says: RegExp, name = `${key}.raw`): Kind => ({
    key,
    build: async (c) => {
      await writeFile(img(c, '.nhdr'), setText(src.ctNhdr!, /^data file: .*$/m, `data file: ${name}`))
      await data(c)
      await goodMask(c)
    },
    bad: (c) => img(c, '.nhdr'),
    says,
  })
  const mask = (patch: Partial<Image>, data = liver.data) => () => itkBytes(withData(liver, data, patch), '.nrrd')
  const [nx, ny, nz] = liver.size as [number, number, number]
  const liverU8 = liver.data as Uint8Array
  return [
    badImage('nrrd-raw-cut', '.nrrd', () => cut(raw(), raw().length * 0.7), RAW_SHORT),
    badImage('nrrd-raw-trailing-bytes', '.nrrd', () => Buffer.concat([raw(), Buffer.alloc(64)]), /header's sizes or type do not match/),
    badImage('nrrd-gz-cut', '.nrrd', () => cut(gzd(), gzData() + (gzd().length - gzData()) / 2), GZ_SHORT),
    badImage('nrrd-gz-flipped-bit', '.nrrd', () => flipBit(gzd(), gzData() + (gzd().length - gzData()) / 2), DAMAGED),
    badImage('nrrd-gz-corrupt-deflate', '.nrrd', () => scribble(gzd(), gzData() + 1000, 300), DAMAGED),
    badImage('nrrd-huge-sizes', '.nrrd', () => setText(raw(), /^sizes: .*$/m, 'sizes: 100000 100000 100000'), /describes 100000x100000x100000 short = 1\.8 PiB/),
    badImage('nrrd-garbage-header', '.nrrd', () => Buffer.from('NRRD0004\nthis is not a volume\n'), /not a valid \.nrrd volume/),
    badImage('nrrd-zero-bytes', '.nrrd', () => Buffer.alloc(0), /empty \(0 bytes\)/),
    detached('nhdr-data-file-missing', async () => undefined, /its data file .*nhdr-data-file-missing\.raw does not exist/),
    detached('nhdr-data-file-cut', (c) => writeFile(join(c.images, 'nhdr-data-file-cut.raw'), cut(src.ctRaw!, src.ctRaw!.length / 3)), /data file .*nhdr-data-file-cut\.raw is truncated/),
    {
      // A valid 2 GiB volume (sparse, so it costs no disk): refused with its size, not "damaged".
      key: 'nhdr-2gib',
      build: async (c) => {
        await writeFile(img(c, '.nhdr'), 'NRRD0004\ntype: uint8\ndimension: 3\nsizes: 1024 1024 2048\nendian: little\nencoding: raw\ndata file: nhdr-2gib.raw\n')
        const fh = await open(join(c.images, 'nhdr-2gib.raw'), 'w')
        await fh.truncate(2 ** 31)
        await fh.close()
        await goodMask(c)
      },
      bad: (c) => img(c, '.nhdr'),
      says: /too large for this build: .*2\.0 GiB \(2,147,483,648 bytes\)/,
    },
    {
      // A .nhdr whose data file lives in another folder: a header may name files in its own folder only (issue 19).
      key: 'nhdr-data-file-elsewhere',
      build: async (c) => {
        await mkdir(join(c.images, '..', 'elsewhere'), { recursive: true })
        await writeFile(join(c.images, '..', 'elsewhere', 'ct.raw'), src.ctRaw!)
        await writeFile(img(c, '.nhdr'), setText(src.ctNhdr!, /^data file: .*$/m, `data file: ${join(c.images, '..', 'elsewhere', 'ct.raw')}`))
        await goodMask(c)
      },
      bad: (c) => img(c, '.nhdr'),
      says: /its data file .*elsewhere\/ct\.raw lies outside the folder of the header/,
    },
    badImage('nrrd-nan-image', '.nrrd', () => itkBytes(asFloat(ct, (i) => (i % 500 === 1 ? NaN : null)), '.nrrd'), /NaN voxels/, 'image-nan'),
    badMask('nrrd-inf-mask', '.nrrd', () => itkBytes(asFloat(liver, (i) => (i === 77 ? Infinity : null)), '.nrrd'), /1 infinite voxel/, 'mask-nan'),
    badMask('mask-probability', '.nrrd', () => itkBytes(asFloat(liver, (i) => (liverU8[i] ? [0.25, 0.5, 0.9][i % 3]! : null)), '.nrrd'), /probability map/, 'mask-not-integer'),
    badMask('mask-multi-value', '.nrrd', mask({}, liverU8.map((v, i) => (v ? 1 + (i % 2) : 0))), /several foreground values \(its values: 0, 1, 2\)/, 'mask-multi-value'),
    { ...badMask('mask-0-255', '.nrrd', mask({}, liverU8.map((v) => v * 255)), /uses 255 instead of 1/, 'mask-not-binary'), severity: 'warning' },
    badMask('mask-size', '.nrrd', mask({ size: [nx, ny, nz - 2] }, liverU8.slice(0, nx * ny * (nz - 2))), /size 122x101x28 differs/, 'size-mismatch'),
    badMask('mask-spacing', '.nrrd', mask({ spacing: [liver.spacing[0]!, liver.spacing[1]!, 3.5] }), /spacing differs/, 'spacing-mismatch'),
    badMask('mask-origin', '.nrrd', mask({ origin: [liver.origin[0]! + 5, liver.origin[1]!, liver.origin[2]!] }), /origin differs/, 'origin-mismatch'),
    badMask('mask-direction', '.nrrd', mask({ direction: Float64Array.from(liver.direction as Float64Array, (v, i) => (i === 0 ? -v : v)) }), /direction/, 'direction-mismatch'),
    // Another grid in size, spacing and origin: one error that says it is another scan's mask and lists all three.
    badMask(
      'mask-of-another-scan',
      '.nrrd',
      mask({ size: [nx, ny, nz - 2], spacing: [1.5, 1.5, 1.5], origin: [liver.origin[0]! + 100, liver.origin[1]!, liver.origin[2]!] }, liverU8.slice(0, nx * ny * (nz - 2))),
      /looks like the mask of another scan: size 122x101x28 differs.*; spacing differs.*; origin differs/,
      'size-mismatch',
    ),
  ]
}

function metaKinds(): Kind[] {
  const raw = () => src.ctMha!
  const z = () => src.ctMhaZ!
  const zData = () => dataStart(z())
  const mhd = (key: string, data: (c: CaseFiles) => Promise<void>, says: RegExp): Kind => ({
    key,
    build: async (c) => {
      await writeFile(img(c, '.mhd'), setText(src.ctMhd!, /^ElementDataFile = .*$/m, `ElementDataFile = ${key}.raw`))
      await data(c)
      await goodMask(c)
    },
    bad: (c) => img(c, '.mhd'),
    says,
  })
  return [
    badImage('mha-raw-cut', '.mha', () => cut(raw(), raw().length * 0.5), RAW_SHORT),
    badImage('mha-huge-dims', '.mha', () => setText(raw(), /^DimSize = .*$/m, 'DimSize = 100000 100000 100000'), /describes 100000x100000x100000 MET_SHORT = 1\.8 PiB/),
    badImage('mha-zlib-cut', '.mha', () => cut(z(), zData() + (z().length - zData()) * 0.8), GZ_SHORT),
    badImage('mha-zlib-flipped-bit', '.mha', () => flipBit(z(), zData() + (z().length - zData()) / 2), DAMAGED),
    badImage('mha-no-data-line', '.mha', () => Buffer.from('ObjectType = Image\nNDims = 3\n'), /not a valid \.mha volume/),
    mhd('mhd-data-file-missing', async () => undefined, /its data file .*mhd-data-file-missing\.raw does not exist/),
    mhd('mhd-data-file-cut', (c) => writeFile(join(c.images, 'mhd-data-file-cut.raw'), cut(src.ctRaw!, 1000)), /data file .*mhd-data-file-cut\.raw is truncated/),
    badImage('mha-neg-inf-image', '.mha', () => itkBytes(asFloat(ct, (i) => (i % 300 === 0 ? -Infinity : null)), '.mha'), /infinite voxels/, 'image-nan'),
    badMask('mha-nan-mask', '.mha', () => itkBytes(asFloat(liver, (i) => (i === 12345 ? NaN : null)), '.mha', true), /1 NaN voxel/, 'mask-nan'),
  ]
}

function fileSystemKinds(): Kind[] {
  return [
    {
      key: 'folder-named-like-a-volume',
      build: async (c) => {
        await mkdir(img(c, '.nii.gz'))
        await goodMask(c)
      },
      bad: (c) => img(c, '.nii.gz'),
      says: /folder named like a volume/,
    },
    {
      key: 'broken-link',
      build: async (c) => {
        await symlink(join(root, 'moved-away', 'scan.nrrd'), img(c, '.nrrd'))
        await goodMask(c)
      },
      bad: (c) => img(c, '.nrrd'),
      says: /symbolic link to .*moved-away\/scan\.nrrd, which does not exist/,
    },
    {
      key: 'link-loop',
      build: async (c) => {
        // The partner has no volume extension, so it is not a case of its own.
        await symlink(join(c.images, 'link-loop-partner'), img(c, '.nrrd'))
        await symlink(img(c, '.nrrd'), join(c.images, 'link-loop-partner'))
        await goodMask(c)
      },
      bad: (c) => img(c, '.nrrd'),
      says: /symbolic link loop/,
    },
    {
      key: 'broken-link-mask',
      build: async (c) => {
        await goodImage(c)
        await symlink(join(root, 'not-fetched', 'blob'), msk(c, '.nrrd'))
      },
      bad: (c) => msk(c, '.nrrd'),
      says: /symbolic link to .*not-fetched\/blob, which does not exist/,
    },
    {
      key: 'unreadable',
      build: async (c) => {
        await goodImage(c)
        await chmod(img(c, '.nrrd'), 0o000)
        await goodMask(c)
      },
      bad: (c) => img(c, '.nrrd'),
      says: /permission denied: .*unreadable\.nrrd/,
      ...(IS_ROOT && !AS_NOBODY && { skip: 'running as root (chmod 000 does not stop its reads) without a way to run the CLI as nobody (setpriv, a checkout nobody may read)' }),
    },
    {
      key: 'mask-missing',
      build: goodImage,
      bad: (c) => c.organ,
      says: /No "organ" mask for case "mask-missing"/,
      code: 'mask-missing',
    },
    badMask('mask-zero-bytes', '.nii.gz', () => Buffer.alloc(0), /empty \(0 bytes\)/),
    {
      key: 'mask-folder-named-like-a-volume',
      build: async (c) => {
        await goodImage(c)
        await mkdir(msk(c, '.nrrd'))
      },
      bad: (c) => msk(c, '.nrrd'),
      says: /folder named like a volume/,
    },
  ]
}

// ---- good cases: one per format family, read back voxel for voxel

interface Good {
  key: string
  build: (c: CaseFiles, root: string) => Promise<void>
}
const goodCases: Record<string, Good[]> = {
  nifti: [
    { key: 'good-niigz', build: async (c) => (await writeFile(img(c, '.nii.gz'), src.ctNiiGz!), await writeFile(msk(c, '.nii.gz'), src.liverNiiGz!)) },
    {
      // NIfTI-1 written byte by byte (no qform/sform); the mask shares its header, so the geometry matches.
      key: 'good-nifti1-by-hand',
      build: async (c) => {
        await writeFile(img(c, '.nii'), niftiFile({ version: 1, sizes: [...ct.size], datatype: 4, bitpix: 16, spacing: [...ct.spacing], data: bytesOf(ct.data as Int16Array) }))
        await writeFile(msk(c, '.nii'), niftiFile({ version: 1, sizes: [...ct.size], datatype: 2, bitpix: 8, spacing: [...ct.spacing], data: liver.data as Uint8Array }))
      },
    },
    // Bytes after the voxels: nifti_clib, nibabel and SimpleITK ignore them, and so do we.
    { key: 'good-nii-trailing-bytes', build: async (c) => (await writeFile(img(c, '.nii'), Buffer.concat([src.ctNii!, Buffer.alloc(100, 1)])), await goodMask(c)) },
  ],
  nrrd: [
    { key: 'good-nrrd', build: async (c) => (await goodImage(c), await goodMask(c)) },
    { key: 'good-nrrd-gzip', build: async (c) => (await writeFile(img(c, '.nrrd'), src.ctNrrdGz!), await goodMask(c)) },
  ],
  meta: [
    { key: 'good-mha-zlib', build: async (c) => (await writeFile(img(c, '.mha'), src.ctMhaZ!), await goodMask(c)) },
    {
      key: 'good-mhd',
      build: async (c) => {
        await writeFile(img(c, '.mhd'), setText(src.ctMhd!, /^ElementDataFile = .*$/m, 'ElementDataFile = good-mhd.raw'))
        await writeFile(join(c.images, 'good-mhd.raw'), src.ctRaw!)
        await goodMask(c)
      },
    },
  ],
  files: [
    {
      key: 'good-linked',
      build: async (c, root) => {
        await mkdir(join(root, 'store'), { recursive: true })
        await writeFile(join(root, 'store', 'ct.nii.gz'), src.ctNiiGz!)
        await symlink(join(root, 'store', 'ct.nii.gz'), img(c, '.nii.gz'))
        await goodMask(c)
      },
    },
    { key: 'good-nrrd', build: async (c) => (await goodImage(c), await goodMask(c)) },
  ],
}

// ---- the runs

interface Outcome {
  run: Run
  summary: PrepareSummary & { ok: boolean }
  images: string
  organ: string
}
const outcomes: Record<string, Outcome> = {}
const kindsByRun: Record<string, Kind[]> = { nifti: niftiKinds(), nrrd: nrrdKinds(), meta: metaKinds(), files: fileSystemKinds() }

async function buildSources(): Promise<void> {
  const nhdrDir = await mkdtemp(join(tmpdir(), 'corpus-nhdr-'))
  await io.writeImageNode({ ...ct, metadata: new Map() }, join(nhdrDir, 'ct.nhdr'))
  await io.writeImageNode({ ...ct, metadata: new Map() }, join(nhdrDir, 'ct.mhd'))
  Object.assign(src, {
    ctNiiGz: await readFile(join(TOTALSEG, 'ct_small/ct.nii.gz')),
    liverNiiGz: await readFile(join(TOTALSEG, 'ct_small/masks/liver.nii.gz')),
    ctNii: await itkBytes(ct, '.nii'),
    ctNrrd: await itkBytes(ct, '.nrrd'),
    ctNrrdGz: await itkBytes(ct, '.nrrd', true),
    ctMha: await itkBytes(ct, '.mha'),
    ctMhaZ: await itkBytes(ct, '.mha', true),
    ctNhdr: await readFile(join(nhdrDir, 'ct.nhdr')),
    ctMhd: await readFile(join(nhdrDir, 'ct.mhd')),
    ctRaw: await readFile(join(nhdrDir, 'ct.raw')),
    liverNrrd: await itkBytes(liver, '.nrrd'),
  })
  await rm(nhdrDir, { recursive: true, force: true })
}

beforeAll(async () => {
  ensureBuilt()
  root = await mkdtemp(join(tmpdir(), 'bad input corpus '))
  await buildSources()
  let id = 900
  for (const [run, kinds] of Object.entries(kindsByRun)) {
    const base = join(root, run)
    const images = join(base, 'image')
    const organ = join(base, 'organ')
    await mkdir(images, { recursive: true })
    await mkdir(organ, { recursive: true })
    for (const g of goodCases[run]!) await g.build({ images, organ, key: g.key }, base)
    for (const k of kinds) if (!k.skip) await k.build({ images, organ, key: k.key })
  }
  // Two runs at a time: each CLI run has its own worker pool, and the machine has two cores.
  const runs = Object.keys(kindsByRun)
  const start = async (run: string) => {
    const base = join(root, run)
    const images = join(base, 'image')
    const organ = join(base, 'organ')
    const appData = join(base, 'appdata')
    await mkdir(join(appData, 'tmp'), { recursive: true })
    const asNobody = run === 'files' && AS_NOBODY !== null
    if (asNobody) {
      // Everything readable by nobody except the one unreadable file; the run and app folders writable.
      execFileSync('chmod', ['-R', 'a+rX', root])
      await chmod(join(images, 'unreadable.nrrd'), 0o000)
      for (const d of [base, appData, join(appData, 'tmp')]) await chmod(d, 0o777)
    }
    const r = await cli(['--images', images, '--label', `organ=${organ}`, '--out', join(base, 'out'), '--id', String(++id), '--name', `Corpus-${run}`, '--test-count', '0', '--json'], appData, asNobody)
    let summary
    try {
      summary = JSON.parse(r.stdout)
    } catch {
      throw new Error(`prepare (${run}) printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
    }
    outcomes[run] = { run: r, summary, images, organ }
  }
  for (let i = 0; i < runs.length; i += 2) await Promise.all(runs.slice(i, i + 2).map(start))
}, 240_000)

afterAll(async () => {
  if (root) {
    // The unreadable file must be readable again for rm to clear it when not root.
    await chmod(join(root, 'files', 'image', 'unreadable.nrrd'), 0o644).catch(() => undefined)
    await rm(root, { recursive: true, force: true })
  }
})

function reportOf(run: string, key: string): CaseReport {
  const r = outcomes[run]!.summary.cases.find((c) => c.caseKey === key)
  if (!r) throw new Error(`no report for ${key} in run ${run}`)
  return r
}

describe('bad-input corpus through `nnunet-wizard prepare --json`', () => {
  it('holds at least 40 kinds of bad input', () => {
    const all = Object.values(kindsByRun).flat()
    expect(all.length).toBeGreaterThanOrEqual(40)
    expect(new Set(all.map((k) => k.key)).size).toBe(all.length)
  })

  for (const run of ['nifti', 'nrrd', 'meta', 'files']) {
    describe(run, () => {
      it('exits 1 (some cases failed, the others written) with no stack trace', () => {
        const o = outcomes[run]!
        expect(o.run.code, o.run.stderr).toBe(1)
        expect(o.summary.ok).toBe(false)
        expect(`${o.run.stdout}\n${o.run.stderr}`).not.toMatch(/^ {4}at /m)
        const kinds = kindsByRun[run]!.filter((k) => !k.skip)
        expect(o.summary.failed).toBe(kinds.filter((k) => k.severity !== 'warning').length)
        expect(o.summary.written).toBe(goodCases[run]!.length + kinds.filter((k) => k.severity === 'warning').length)
      })

      it('writes the good cases with exactly their voxels', async () => {
        const o = outcomes[run]!
        const manifest = JSON.parse(await readFile(o.summary.manifest, 'utf8')) as { cases: Record<string, { caseKey: string; image: string; label: string }> }
        const written = Object.values(manifest.cases)
        const liverLabel = Uint8Array.from(liver.data as Uint8Array, (v) => (v ? 1 : 0))
        for (const g of goodCases[run]!) {
          const report = reportOf(run, g.key)
          expect(report.status, `${g.key}: ${JSON.stringify(report.findings)}`).toBe('ok')
          const c = written.find((w) => w.caseKey === g.key)
          expect(c, `${g.key} written`).toBeDefined()
          const image = await io.readImageNode(join(o.summary.datasetDir, c!.image))
          const label = await io.readImageNode(join(o.summary.datasetDir, c!.label))
          expectSameArray(image.data, ct.data!, `${g.key} image voxels`)
          expectSameArray(label.data, liverLabel, `${g.key} label voxels`)
        }
      })
    })
  }
})

describe.each(['nifti', 'nrrd', 'meta', 'files'])('%s: each bad case is named with what is wrong', (run) => {
  for (const kind of kindsByRun[run]!) {
    it.skipIf(kind.skip !== undefined)(`${kind.key}${kind.skip ? ` (skipped: ${kind.skip})` : ''}`, () => {
      const key = kind.key
      const o = outcomes[run]!
      const report = reportOf(run, key)
      const c = { images: o.images, organ: o.organ, key }
      const bad = kind.bad(c)
      const severity = kind.severity ?? 'error'
      expect(report.status, JSON.stringify(report.findings)).toBe(severity)
      const finding = report.findings.find((f) => f.severity === severity && (f.file === bad || f.text.includes(bad)))
      expect(finding, `${key}: a finding naming ${bad} in ${JSON.stringify(report.findings)}`).toBeDefined()
      expect(finding!.code).toBe(kind.code ?? 'unreadable')
      expect(finding!.text).toMatch(kind.says)
      expect(finding!.text).not.toMatch(/re-export it\)\.$|^\d+$/)
    })
  }
})
