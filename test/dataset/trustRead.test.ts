// Issue 19, items 1-5: hostile sources written with real writers (NRRD and MetaImage headers are
// text; NIfTI byte by byte), read through the real reader and prepare. One read per file, data
// files kept inside their folders and fingerprinted, header fields honoured or refused, bounded
// memory, and a full disk that stops the run instead of failing its cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir, mkdtemp, readFile, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync, deflateSync } from 'node:zlib'
import { readVolume } from '../../electron/imaging/volume'
import { MemoryBudget } from '../../electron/imaging/memoryBudget'
import { judgeMask, maskValues } from '../../electron/dataset/maskRules'
import { stageCase } from '../../electron/dataset/caseWork'
import { runPrepare } from '../../electron/dataset'
import { EnvironmentError } from '../../electron/files/environmentError'
import { sourceSpec } from '../../shared/schema'
import { niftiFile } from '../helpers/niftiBytes'
import { hashTree } from '../helpers/nifti'
import { request, testContext } from './support'

let root: string
const SIZES = [16, 16, 8]
const VOXELS = 16 * 16 * 8

function nrrdHeader(type: string, encoding: string, extra: string[] = []): string {
  return ['NRRD0004', `type: ${type}`, 'dimension: 3', 'space: left-posterior-superior', `sizes: ${SIZES.join(' ')}`, 'space directions: (1,0,0) (0,1,0) (0,0,2)', 'space origin: (0,0,0)', 'endian: little', `encoding: ${encoding}`, ...extra, '', ''].join('\n')
}

/** An attached gzip NRRD of int16 voxels (value = index mod 1000). */
function imageNrrd(seed = 0): Buffer {
  const v = new Int16Array(VOXELS).map((_, i) => (i * 7 + seed) % 1000)
  return Buffer.concat([Buffer.from(nrrdHeader('short', 'gzip'), 'latin1'), gzipSync(Buffer.from(v.buffer))])
}

/** A uint8 mask: a box of ones. */
function maskBytes(): Buffer {
  const m = new Uint8Array(VOXELS)
  for (let i = 0; i < VOXELS; i++) if (i % 16 > 3 && i % 16 < 10) m[i] = 1
  return Buffer.from(m)
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trust-read-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('one read per file (item 1)', () => {
  it('a file replaced by a truncated copy, or by another valid version, while it is read fails with "changed while being read"', async () => {
    const dir = await mkdtemp(join(root, 'swap-'))
    const path = join(dir, 'a.nrrd')
    const good = imageNrrd()
    await writeFile(path, good)
    expect((await readVolume(path, { native: true })).sources).toEqual([expect.objectContaining({ path, size: good.length, sha256: sha(good) })])
    // A truncated copy moved over the file the moment it was opened.
    await writeFile(join(dir, 'cut'), good.subarray(0, good.length - 100))
    await expect(readVolume(path, { native: true, afterOpen: () => rename(join(dir, 'cut'), path) })).rejects.toThrow(/changed while being read/)
    // Two valid versions swapped: what was read is not what the path holds; refused, never recorded as the other.
    await writeFile(path, good)
    await writeFile(join(dir, 'other'), imageNrrd(3))
    await expect(readVolume(path, { native: true, afterOpen: () => rename(join(dir, 'other'), path) })).rejects.toThrow(/changed while being read/)
  })
})

describe('sources stay inside their folders (item 2)', () => {
  it('refuses a detached data file outside the header folder, by an absolute path, by ../, and through a link', async () => {
    const dir = await mkdtemp(join(root, 'out-'))
    await mkdir(join(dir, 'scans'))
    await mkdir(join(dir, 'secret'))
    await writeFile(join(dir, 'secret', 'id_rsa.raw'), maskBytes())
    await writeFile(join(dir, 'scans', 'passwd.nhdr'), nrrdHeader('uchar', 'raw', ['byte skip: -1', 'data file: /etc/passwd']))
    await writeFile(join(dir, 'scans', 'up.nhdr'), nrrdHeader('uchar', 'raw', ['data file: ../secret/id_rsa.raw']))
    await writeFile(join(dir, 'scans', 'up.mhd'), `ObjectType = Image\nNDims = 3\nDimSize = ${SIZES.join(' ')}\nElementSpacing = 1 1 2\nElementType = MET_UCHAR\nElementDataFile = ../secret/id_rsa.raw\n`)
    execFileSync('ln', ['-s', join(dir, 'secret', 'id_rsa.raw'), join(dir, 'scans', 'link.raw')])
    await writeFile(join(dir, 'scans', 'link.nhdr'), nrrdHeader('uchar', 'raw', ['data file: link.raw']))
    for (const f of ['passwd.nhdr', 'up.nhdr', 'up.mhd', 'link.nhdr']) {
      await expect(readVolume(join(dir, 'scans', f), { native: true })).rejects.toThrow(/lies outside the folder of the header/)
    }
  })

  it('refuses a data file that is a FIFO at once instead of hanging', async () => {
    const dir = await mkdtemp(join(root, 'fifo-'))
    execFileSync('mkfifo', [join(dir, 'pipe.raw')])
    await writeFile(join(dir, 'pipe.nhdr'), nrrdHeader('uchar', 'raw', ['data file: pipe.raw']))
    const started = Date.now()
    await expect(readVolume(join(dir, 'pipe.nhdr'), { native: true })).rejects.toThrow(/named pipe \(FIFO\), not a regular file/)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('fingerprints a detached data file: rewriting only the .raw makes a re-run write the case again', async () => {
    const dir = await mkdtemp(join(root, 'resume-'))
    const images = join(dir, 'image')
    const organ = join(dir, 'organ')
    await mkdir(images)
    await mkdir(organ)
    const v = new Int16Array(VOXELS).map((_, i) => i % 500)
    await writeFile(join(images, 'c1.nhdr'), nrrdHeader('short', 'raw', ['data file: c1.raw']))
    await writeFile(join(images, 'c1.raw'), Buffer.from(v.buffer))
    await writeFile(join(organ, 'c1.nrrd'), Buffer.concat([Buffer.from(nrrdHeader('uchar', 'gzip'), 'latin1'), gzipSync(maskBytes())]))
    const req = request(sourceSpec.parse({ imagesDir: images, labels: [{ name: 'organ', dir: organ }] }), { outDir: join(dir, 'out'), id: 511, name: 'Raw', split: { testCount: 0, seed: 0 } })
    const first = await runPrepare(req, testContext())
    expect(first.written).toBe(1)
    const manifest = JSON.parse(await readFile(first.manifest, 'utf8'))
    const sources = Object.values(manifest.cases as Record<string, { sources: { path: string; detached?: boolean }[] }>)[0]!.sources
    expect(sources.map((s) => [s.path, s.detached ?? false])).toEqual([
      [join(images, 'c1.nhdr'), false],
      [join(images, 'c1.raw'), true],
      [join(organ, 'c1.nrrd'), false],
    ])
    // Same size, other voxels, the header untouched.
    v[0] = 499
    await writeFile(join(images, 'c1.raw'), Buffer.from(v.buffer))
    await utimes(join(images, 'c1.raw'), new Date(), new Date(Date.now() + 5000))
    const again = await runPrepare(req, testContext())
    expect(again).toMatchObject({ written: 1, skipped: 0 })
  })
})

describe('header fields honoured or refused, never invented (item 3)', () => {
  it('refuses MetaImage CompressedDataSize that is not the stream, and NaN ElementSpacing, by name', async () => {
    const dir = await mkdtemp(join(root, 'meta-'))
    const z = deflateSync(maskBytes())
    const head = (extra: string) => `ObjectType = Image\nNDims = 3\nDimSize = ${SIZES.join(' ')}\n${extra}ElementType = MET_UCHAR\nElementDataFile = LOCAL\n`
    await writeFile(join(dir, 'half.mha'), Buffer.concat([Buffer.from(head(`ElementSpacing = 1 1 2\nCompressedData = True\nCompressedDataSize = ${z.length >> 1}\n`)), z]))
    await writeFile(join(dir, 'nan.mha'), Buffer.concat([Buffer.from(head('ElementSpacing = nan 1 2\n')), maskBytes()]))
    await writeFile(join(dir, 'raw.mhd'), head('ElementSpacing = 1 1 2\n').replace('LOCAL', 'raw.raw'))
    await writeFile(join(dir, 'raw.raw'), maskBytes())
    await expect(readVolume(join(dir, 'half.mha'), { native: true })).rejects.toThrow(new RegExp(`half\\.mha: its "CompressedDataSize = ${z.length >> 1}" does not match its compressed data, which is ${z.length} bytes`))
    await expect(readVolume(join(dir, 'nan.mha'), { native: true })).rejects.toThrow(/nan\.mha: its "ElementSpacing = nan 1 2": .*does not invent one/)
    // A plain uncompressed .mhd reads (and is not described as zlib anywhere).
    expect((await readVolume(join(dir, 'raw.mhd'))).spacing).toEqual([1, 1, 2])
  })

  it('refuses a NIfTI with zero or NaN pixdim instead of reading spacing 1', async () => {
    const dir = await mkdtemp(join(root, 'nifti-'))
    for (const [name, spacing] of [['zero', [1, 0, 1]], ['nan', [NaN, 1, 1]]] as const) {
      await writeFile(join(dir, `${name}.nii`), niftiFile({ version: 1, sizes: SIZES, datatype: 2, bitpix: 8, spacing: [...spacing], data: maskBytes() }))
      await expect(readVolume(join(dir, `${name}.nii`), { native: true })).rejects.toThrow(/its voxel spacing \(NIfTI pixdim\) is .*does not invent one/)
    }
  })

  it('compares an int64 mask as exact integers: 2^53 and 2^53 + 1 are two labels', async () => {
    const dir = await mkdtemp(join(root, 'int64-'))
    const m = new BigInt64Array(VOXELS)
    m[10] = 2n ** 53n
    m[11] = 2n ** 53n + 1n
    await writeFile(join(dir, 'm.nrrd'), Buffer.concat([Buffer.from(nrrdHeader('int64', 'raw'), 'latin1'), Buffer.from(m.buffer)]))
    const v = await readVolume(join(dir, 'm.nrrd'), { native: true })
    const values = maskValues(v.data!)
    expect(judgeMask(values)).toBe('multi-value')
  })
})

describe('bounded resources (item 4)', () => {
  it('a case whose volumes claim more than the run budget fails by name, and nothing is allocated for it', async () => {
    const dir = await mkdtemp(join(root, 'budget-'))
    // 1 MiB of gzip claiming 256^3 int16 (32 MiB) voxels: plausible by size, short by content.
    const bomb = Buffer.concat([Buffer.from(nrrdHeader('short', 'gzip').replace(`sizes: ${SIZES.join(' ')}`, 'sizes: 256 256 256'), 'latin1'), gzipSync(randomBytes(1 << 20))])
    await writeFile(join(dir, 'img.nrrd'), bomb)
    await writeFile(join(dir, 'mask.nrrd'), bomb)
    const budget = new MemoryBudget(undefined, 16 << 20)
    const r = await stageCase({ op: 'stage', input: { caseKey: 'img', image: join(dir, 'img.nrrd'), masks: [join(dir, 'mask.nrrd')], labelNames: ['organ'], labelDirs: [dir], allowMissingMask: false }, imageOut: join(dir, 'o.nii.gz'), labelOut: join(dir, 'l.nii.gz'), budget: budget.shared })
    expect(r.staged).toBeUndefined()
    expect(r.report.findings).toEqual([expect.objectContaining({ code: 'memory-budget', text: expect.stringMatching(/more than this run's memory budget of 16\.0 MiB/) })])
    expect(budget.usedBytes).toBe(0)
    // Within the budget the same file is read and refused as truncated by what it really holds.
    await expect(readVolume(join(dir, 'mask.nrrd'), { native: true })).rejects.toThrow(/inflates completely \(checksum correct\) to 1\.0 MiB \(1,048,576 bytes\)/)
  })
})

describe('file names cannot forge log lines (item 12)', () => {
  it('a newline in a source name is logged as \\n inside its own line', async () => {
    const dir = await mkdtemp(join(root, 'names-'))
    const images = join(dir, 'image')
    const organ = join(dir, 'organ')
    await mkdir(images)
    await mkdir(organ)
    const evil = 'c1\nDone: 99 written, 0 skipped, 0 failed (0.0 MB).'
    await writeFile(join(images, `${evil}.nrrd`), imageNrrd())
    await writeFile(join(organ, `${evil}.nrrd`), Buffer.concat([Buffer.from(nrrdHeader('uchar', 'gzip'), 'latin1'), gzipSync(maskBytes())]))
    const ctx = testContext()
    await runPrepare(request(sourceSpec.parse({ imagesDir: images, labels: [{ name: 'organ', dir: organ }] }), { outDir: join(dir, 'out'), id: 513, name: 'Names', split: { testCount: 0, seed: 0 } }), ctx)
    expect(ctx.lines.every((l) => !l.includes('\n'))).toBe(true)
    expect(ctx.lines.filter((l) => l.startsWith('Done: 99'))).toEqual([])
    expect(ctx.lines.some((l) => l.includes('c1\\nDone: 99'))).toBe(true)
  })
})

const isRoot = process.getuid?.() === 0
describe.runIf(isRoot && process.platform === 'linux')('a full disk stops the run (item 5)', () => {
  it('ENOSPC on a small tmpfs: no case failed, no dataset.json; after freeing space a plain re-run equals a clean run', async () => {
    const dir = await mkdtemp(join(root, 'enospc-'))
    const images = join(dir, 'image')
    const organ = join(dir, 'organ')
    await mkdir(images)
    await mkdir(organ)
    // Noisy images that compress badly: about 250 kB each on disk, 6 cases.
    for (let c = 1; c <= 6; c++) {
      const v = new Int16Array(64 * 64 * 32).map(() => Math.floor(Math.random() * 30000))
      const h = nrrdHeader('short', 'gzip').replace(`sizes: ${SIZES.join(' ')}`, 'sizes: 64 64 32')
      await writeFile(join(images, `c${c}.nrrd`), Buffer.concat([Buffer.from(h, 'latin1'), gzipSync(Buffer.from(v.buffer), { level: 1 })]))
      const m = new Uint8Array(64 * 64 * 32).map((_, i) => (i % 64 > 20 && i % 64 < 40 ? 1 : 0))
      await writeFile(join(organ, `c${c}.nrrd`), Buffer.concat([Buffer.from(h.replace('type: short', 'type: uchar'), 'latin1'), gzipSync(m)]))
    }
    const mnt = join(dir, 'small')
    await mkdir(mnt)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=700k', 'tmpfs', mnt])
    if (mounted.status !== 0) return // no mount in this container: nothing to prove here
    try {
      const spec = sourceSpec.parse({ imagesDir: images, labels: [{ name: 'organ', dir: organ }] })
      const out = { id: 512, name: 'Full', sourcePaths: false, split: { testCount: 0, seed: 0 } }
      const err = await runPrepare(request(spec, { ...out, outDir: mnt }), testContext()).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(EnvironmentError)
      expect((err as Error).message).toMatch(new RegExp(`The disk holding ${mnt} is full \\(ENOSPC.*About .* MB more are needed for the \\d+ cases? left.*no case was marked as failed and dataset.json was not written`))
      const ds = join(mnt, 'Dataset512_Full')
      expect(existsSync(join(ds, 'dataset.json'))).toBe(false)
      if (existsSync(join(ds, 'manifest.json'))) expect(JSON.parse(await readFile(join(ds, 'manifest.json'), 'utf8')).failed).toEqual([])
      execFileSync('mount', ['-o', 'remount,size=20m', mnt])
      const resumed = await runPrepare(request(spec, { ...out, outDir: mnt }), testContext())
      expect(resumed.failed).toBe(0)
      const clean = await runPrepare(request(spec, { ...out, outDir: join(dir, 'clean') }), testContext())
      expect(clean.written).toBe(6)
      const files = async (d: string) => (await readdir(d, { recursive: true })).filter((f) => /\.(nii\.gz|json)$/.test(f) && !f.startsWith('manifest')).sort()
      expect(await files(ds)).toEqual(await files(join(dir, 'clean', 'Dataset512_Full')))
      const a = await hashTree(ds)
      const b = await hashTree(join(dir, 'clean', 'Dataset512_Full'))
      for (const f of await files(ds)) expect(a[f], f).toBe(b[f])
    } finally {
      spawnSync('umount', [mnt])
    }
  }, 120_000)
})

