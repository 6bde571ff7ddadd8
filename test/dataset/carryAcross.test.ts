// Images carried across: where an input's gzip payload already holds the voxels the output needs,
// prepare writes the .nii.gz from those compressed bytes behind a new NIfTI header. Proven here
// on the real aorta CT in every input shape that must carry (ITK-written gzip NRRD, RAS + oblique,
// float32, a gzip header with every optional field, a .nii.gz prepare itself wrote) and every
// shape that must not (two gzip members, big-endian, raw, a foreign .nii.gz, a detached header,
// NaN, a wrong CRC): each output is decoded byte for byte against today's path (ITK read +
// niftiWriter encode: same header bytes, same voxels), read back by itk-wasm, SimpleITK and
// nibabel against its source. nnU-Net's own --verify_dataset_integrity on datasets whose every
// image was carried is in carryAcross.integration.test.ts (the serial nnU-Net project).
import { execFile, execFileSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { crc32, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Image } from 'itk-wasm'
import type { CaseReport, PrepareSummary } from '../../shared/api'
import { as3d, readVolume, type VoxelArray } from '../../electron/imaging/volume'
import { encodeNiftiGz, NIFTI_INTENT_LABEL } from '../../electron/imaging/niftiWriter'
import { compareGeometry } from '../../electron/imaging/geometry'
import { mergeMasks } from '../../electron/dataset/maskRules'
import { tryCarry } from '../../electron/imaging/carry'
import { imageIo, TOTALSEG } from '../helpers/guideFolders'
import { builtCli } from '../helpers/builtCli'
import { nnunetPython } from '../helpers/python'
import { readImage } from '../helpers/nifti'
import { expectSameArray } from '../helpers/sameArray'

const repo = join(import.meta.dirname, '..', '..')
const py2 = nnunetPython('v2')

interface Grid {
  size: number[]
  spacing: number[]
  origin: number[]
  /** Row-major LPS direction cosines (column c = voxel axis c). */
  direction: number[]
}

interface NrrdOptions {
  space?: 'LPS' | 'RAS'
  encoding?: 'gzip' | 'raw'
  endian?: 'little' | 'big'
  /** How the payload is gzipped (default: one member, level 1). */
  gzip?: (raw: Buffer) => Buffer
  /** Write the voxels to NAME beside a .nhdr. */
  detached?: string
}

const NRRD_TYPE: Record<string, string> = { Int16Array: 'short', Uint8Array: 'unsigned char', Float32Array: 'float' }

function bytesOf(a: VoxelArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

function swapped(a: VoxelArray): Buffer {
  const b = Buffer.from(bytesOf(a))
  if (a.BYTES_PER_ELEMENT === 2) b.swap16()
  if (a.BYTES_PER_ELEMENT === 4) b.swap32()
  return b
}

/** A NRRD as 3D Slicer / teem write it: space directions = direction x spacing per axis. */
async function writeNrrd(path: string, g: Grid, data: VoxelArray, o: NrrdOptions = {}): Promise<void> {
  const flip = o.space === 'RAS' ? [-1, -1, 1] : [1, 1, 1]
  const vec = (v: number[]) => `(${v.map((x, i) => String(flip[i]! * x + 0)).join(',')})`
  const dirs = [0, 1, 2].map((c) => vec([0, 1, 2].map((r) => g.direction[r * 3 + c]! * g.spacing[c]!)))
  const encoding = o.encoding ?? 'gzip'
  const lines = [
    'NRRD0004',
    `type: ${NRRD_TYPE[data.constructor.name]}`,
    'dimension: 3',
    `space: ${o.space === 'RAS' ? 'right-anterior-superior' : 'left-posterior-superior'}`,
    `sizes: ${g.size.join(' ')}`,
    `space directions: ${dirs.join(' ')}`,
    'kinds: domain domain domain',
    `endian: ${o.endian ?? 'little'}`,
    `encoding: ${encoding}`,
    `space origin: ${vec(g.origin)}`,
    ...(o.detached ? [`data file: ${o.detached}`] : []),
  ]
  const raw = o.endian === 'big' ? swapped(data) : bytesOf(data)
  const payload = encoding === 'gzip' ? (o.gzip ?? ((b) => gzipSync(b, { level: 1 })))(raw) : raw
  const header = Buffer.from(`${lines.join('\n')}\n\n`, 'latin1')
  if (o.detached) {
    await writeFile(path, header)
    await writeFile(join(dirname(path), o.detached), payload)
  } else await writeFile(path, Buffer.concat([header, payload]))
}

function gridOf(img: Image): Grid {
  return { size: [...img.size], spacing: [...img.spacing], origin: [...img.origin], direction: Array.from(img.direction as ArrayLike<number>, Number) }
}

/** A rotation of 0.3 rad about z then 0.2 rad about x (row-major), applied to the grid's axes. */
function oblique(g: Grid): Grid {
  const [c1, s1, c2, s2] = [Math.cos(0.3), Math.sin(0.3), Math.cos(0.2), Math.sin(0.2)]
  const rz = [c1, -s1, 0, s1, c1, 0, 0, 0, 1]
  const rx = [1, 0, 0, 0, c2, -s2, 0, s2, c2]
  const mul = (a: number[], b: number[]) => [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!))
  return { ...g, direction: mul(mul(rx, rz), g.direction), origin: [12.5, -40.25, 300.125] }
}

/** Gzip with a name, comment, extra field and header CRC, as some tools write it. */
function fancyGzip(raw: Buffer): Buffer {
  const plain = gzipSync(raw, { level: 1 })
  const head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3, 2, 0, 0x58, 0x59]), Buffer.from('scan.raw\0made by a test\0')])
  const hcrc = Buffer.alloc(2)
  hcrc.writeUInt16LE(crc32(head) & 0xffff)
  return Buffer.concat([head, hcrc, plain.subarray(10)])
}

function twoMembers(raw: Buffer): Buffer {
  const half = Math.floor(raw.length / 2)
  return Buffer.concat([gzipSync(raw.subarray(0, half), { level: 1 }), gzipSync(raw.subarray(half), { level: 1 })])
}

function wrongCrc(raw: Buffer): Buffer {
  const g = gzipSync(raw, { level: 1 })
  g.writeUInt32LE((g.readUInt32LE(g.length - 8) ^ 0x10) >>> 0, g.length - 8)
  return g
}

/**
 * A source file as ITK reads it (readVolume, 3D), read once per file: the sources are written in
 * beforeAll and never changed, and each is compared in four tests (today's image and label, the
 * itk-wasm and NiiVue read-backs). Reading each again (the aorta CT: 5 MB of voxels, gzipped) made up much
 * of this file's time. What is compared against the outputs stays ITK's own read.
 */
const sourceReads = new Map<string, ReturnType<typeof readVolume>>()
async function sourceVolume(path: string): Promise<Awaited<ReturnType<typeof readVolume>>> {
  let read = sourceReads.get(path)
  if (!read) sourceReads.set(path, (read = readVolume(path)))
  return as3d(await read)!
}

/** Today's path for an image: ITK reads it, niftiWriter encodes it. Returns the inflated .nii bytes. */
async function todayImage(path: string): Promise<Buffer> {
  const v = await sourceVolume(path)
  return gunzipSync(await encodeNiftiGz(v, v.data!))
}

/** Today's path for a label: ITK reads the masks, they are merged, niftiWriter encodes on the image grid. */
async function todayLabel(image: string, masks: string[]): Promise<Buffer> {
  const v = await sourceVolume(image)
  const data = await Promise.all(masks.map(async (m) => (await sourceVolume(m)).data))
  const merged = mergeMasks(v.size.reduce((a, b) => a * b, 1), data)
  return gunzipSync(await encodeNiftiGz(v, merged.label, { intentCode: NIFTI_INTENT_LABEL }))
}

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [file, argv] = builtCli(['prepare', ...args])
    execFile(file, argv, { cwd: repo, env: { ...process.env, NNUNET_WIZARD_DATA: dataDir }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

type Expect = { carried: true } | { encoded: RegExp } | { fails: RegExp }

let tmp: string
const dirs = { images: '', organ: '', tumor: '' }
/** caseKey -> [image, organ, tumor] source paths, and what must happen to the case. */
const cases = new Map<string, { files: [string, string, string]; expect: Expect }>()

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-carry-'))
  for (const k of ['images', 'organ', 'tumor'] as const) {
    dirs[k] = join(tmp, 'data', k)
    await mkdir(dirs[k], { recursive: true })
  }
  const io = await imageIo()
  const [ct, aorta, lumen] = await Promise.all(['aorta/ct.nii.gz', 'aorta/masks/aorta.nii.gz', 'aorta/masks/aorta_false_lumen.nii.gz'].map((p) => io.readImageNode(join(TOTALSEG, p))))
  const grid = gridOf(ct!)
  const image = ct!.data as Int16Array
  const masks = [aorta!.data as Uint8Array, lumen!.data as Uint8Array]
  const put = (key: string, ext: string, e: Expect) => {
    const files = [join(dirs.images, `${key}${ext}`), join(dirs.organ, `${key}.nrrd`), join(dirs.tumor, `${key}.nrrd`)] as [string, string, string]
    cases.set(key, { files, expect: e })
    return files
  }
  const nrrdCase = async (key: string, e: Expect, g: Grid, img: VoxelArray, o: NrrdOptions = {}, maskOpts: NrrdOptions = { space: o.space }) => {
    const [fi, fo, ft] = put(key, o.detached ? '.nhdr' : '.nrrd', e)
    await writeNrrd(fi, g, img, o)
    await writeNrrd(fo, g, masks[0]!, maskOpts)
    await writeNrrd(ft, g, masks[1]!, maskOpts)
  }

  // ITK's own gzip NRRD writer (what 3D Slicer uses), image and masks.
  {
    const [fi, fo, ft] = put('c01-itk-gzip', '.nrrd', { carried: true })
    await io.writeImageNode(ct!, fi, { useCompression: true })
    await io.writeImageNode(aorta!, fo, { useCompression: true })
    await io.writeImageNode(lumen!, ft, { useCompression: true })
  }
  await nrrdCase('c02-ras-oblique', { carried: true }, oblique(grid), image, { space: 'RAS' })
  const floats = Float32Array.from(image, (v) => v * 0.5 + 0.25)
  await nrrdCase('c03-float32', { carried: true }, grid, floats)
  await nrrdCase('c04-gzip-fields', { carried: true }, grid, image, { gzip: fancyGzip })
  await nrrdCase('c05-two-members', { encoded: /more than one member/ }, grid, image, { gzip: twoMembers })
  await nrrdCase('c06-big-endian', { encoded: /big-endian/ }, grid, image, { endian: 'big' }, { endian: 'big' })
  await nrrdCase('c07-raw', { encoded: /uncompressed/ }, grid, image, { encoding: 'raw' })
  await nrrdCase('c08-detached', { encoded: /detached/ }, grid, image, { detached: 'c08-detached.raw.gz' })
  // A .nii.gz that prepare itself wrote (today's encoder): its header is already the right one.
  {
    const [fi, fo, ft] = put('c09-prepared', '.nii.gz', { carried: true })
    await writeFile(fi, await encodeNiftiGz(grid, image))
    await writeNrrd(fo, grid, masks[0]!)
    await writeNrrd(ft, grid, masks[1]!)
  }
  // The CT as its own source wrote it (SimpleITK's header): written anew, as before.
  {
    const [fi, fo, ft] = put('c10-foreign-nifti', '.nii.gz', { encoded: /NIfTI header differs/ })
    await copyFile(join(TOTALSEG, 'aorta/ct.nii.gz'), fi)
    await writeNrrd(fo, grid, masks[0]!)
    await writeNrrd(ft, grid, masks[1]!)
  }
  const withNan = Float32Array.from(floats)
  withNan[12345] = NaN
  await nrrdCase('c11-nan', { fails: /1 NaN voxel/ }, grid, withNan)
  await nrrdCase('c12-wrong-crc', { fails: /CRC-32/ }, grid, image, { gzip: wrongCrc })
  // A carried image whose mask is on another grid: the image's write starts early and is undone.
  {
    const [fi, fo, ft] = put('c13-mask-elsewhere', '.nrrd', { fails: /size .* differs/ })
    await writeNrrd(fi, grid, image)
    await writeNrrd(fo, { ...grid, size: [grid.size[0]!, grid.size[1]!, grid.size[2]! - 1] }, masks[0]!.subarray(0, grid.size[0]! * grid.size[1]! * (grid.size[2]! - 1)))
    await writeNrrd(ft, grid, masks[1]!)
  }
}, 120_000)

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('prepare carries compressed voxels across where they are already right', () => {
  let summary: PrepareSummary & { imageWrites: { carried: number; encoded: number; reasons: Record<string, number> } }
  let text: string
  const byKey = new Map<string, CaseReport>()
  /** caseKey -> output image and label, from manifest.json. */
  const outputs = new Map<string, { image: string; label: string }>()

  beforeAll(async () => {
    const args = ['--images', dirs.images, '--label', `aorta=${dirs.organ}`, '--label', `lumen=${dirs.tumor}`, '--id', '7', '--name', 'Carry']
    const r = await cli([...args, '--out', join(tmp, 'out'), '--json'], join(tmp, 'appdata'))
    expect(r.code, r.stderr).toBe(1) // three cases fail on purpose
    summary = JSON.parse(r.stdout)
    for (const c of summary.cases) byKey.set(c.caseKey, c)
    const manifest = JSON.parse(await readFile(join(summary.datasetDir, 'manifest.json'), 'utf8'))
    for (const m of Object.values(manifest.cases) as { caseKey: string; image: string; label: string }[]) outputs.set(m.caseKey, { image: join(summary.datasetDir, m.image), label: join(summary.datasetDir, m.label) })
    // The same run in text: the summary line counts both paths and gives each reason.
    const again = await cli([...args, '--out', join(tmp, 'out-text')], join(tmp, 'appdata'))
    text = again.stdout
  }, 300_000)

  it('says in --json and in text which path each case took, and why', () => {
    for (const [key, c] of cases) {
      const report = byKey.get(key)!
      if ('carried' in c.expect) expect(report.imageWrite, key).toEqual({ path: 'carried' })
      else if ('encoded' in c.expect) {
        expect(report.imageWrite?.path, `${key}: ${JSON.stringify(report.findings)}`).toBe('encoded')
        expect(report.imageWrite?.reason, key).toMatch(c.expect.encoded)
      } else {
        expect(report.status, key).toBe('error')
        expect(report.imageWrite, key).toBeUndefined()
        expect(report.findings.map((f) => f.text).join(' '), key).toMatch(c.expect.fails)
      }
    }
    expect(summary.imageWrites).toMatchObject({ carried: 5, encoded: 5 })
    expect(summary.failed).toBe(3)
    expect(text).toMatch(/images: 5 copied with their compressed voxels as they were \(fast\), 5 decoded and compressed anew \(why: .*big-endian voxels: 1.*\)/)
  })

  it('writes every image byte-identical (header and voxels, inflated) to today\'s path, and every label too', async () => {
    for (const [key, c] of cases) {
      if ('fails' in c.expect) {
        expect(outputs.has(key), key).toBe(false)
        continue
      }
      const out = outputs.get(key)!
      const written = gunzipSync(await readFile(out.image)) // also checks the trailer's CRC-32 and length
      expect(written.equals(await todayImage(c.files[0])), key).toBe(true)
      expect(gunzipSync(await readFile(out.label)).equals(await todayLabel(c.files[0], [c.files[1], c.files[2]])), key).toBe(true)
    }
  }, 300_000)

  it('itk-wasm reads each carried image with the source\'s voxels and geometry', async () => {
    for (const [key, c] of cases) {
      if (!('carried' in c.expect)) continue
      const src = await sourceVolume(c.files[0])
      const out = await readImage(outputs.get(key)!.image)
      expect(bytesOf(out.data as VoxelArray).equals(bytesOf(src.data!)), key).toBe(true)
      expect(compareGeometry(src, { size: [...out.size], spacing: [...out.spacing], origin: [...out.origin], direction: Array.from(out.direction as ArrayLike<number>, Number) }), key).toEqual([])
    }
  }, 120_000)

  it('NiiVue\'s own NIfTI reader (nifti-reader-js, called as NiiVue calls it) inflates and reads each carried image', async () => {
    // NiiVue's readNifti: isCompressed -> decompressAsync -> readHeaderAsync -> readImage. In the app
    // NiiVue is fed uncompressed volumes by the server, so this is where a carried .nii.gz would meet it.
    const nifti = await import('nifti-reader-js')
    for (const [key, c] of cases) {
      if (!('carried' in c.expect)) continue
      const file = await readFile(outputs.get(key)!.image)
      let data: ArrayBuffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer
      expect(nifti.isCompressed(data), key).toBe(true)
      data = (await nifti.decompressAsync(data)) as ArrayBuffer
      const hdr = (await nifti.readHeaderAsync(data))!
      const src = await sourceVolume(c.files[0])
      expect(hdr.dims.slice(0, 4), key).toEqual([3, ...src.size])
      expect(Buffer.from(nifti.readImage(hdr, data) as ArrayBuffer).equals(bytesOf(src.data!)), key).toBe(true)
    }
  }, 120_000)

  it.skipIf(!py2.python)(`SimpleITK and nibabel read each carried image with the source's voxels, dtype and geometry ${py2.reason}`, () => {
    const pairs = [...cases].filter(([, c]) => 'carried' in c.expect).map(([key, c]) => [c.files[0], outputs.get(key)!.image])
    const script = `
import json, sys
import numpy as np, SimpleITK as sitk, nibabel as nib
out = []
for src_path, path in json.loads(sys.argv[1]):
    src = sitk.ReadImage(src_path)
    want = sitk.GetArrayFromImage(src)
    got = sitk.ReadImage(path)
    problems = []
    if not np.array_equal(sitk.GetArrayFromImage(got), want) or sitk.GetArrayFromImage(got).dtype != want.dtype:
        problems.append('SimpleITK voxels')
    for g in ('GetSpacing', 'GetOrigin', 'GetDirection'):
        if not np.allclose(getattr(got, g)(), getattr(src, g)(), atol=1e-4):
            problems.append('SimpleITK ' + g)
    n = nib.load(path)
    arr = np.asanyarray(n.dataobj)
    if arr.dtype != want.dtype or not np.array_equal(arr, want.transpose(2, 1, 0)):
        problems.append('nibabel voxels')
    d = np.array(src.GetDirection()).reshape(3, 3)
    m = np.eye(4)
    m[:3, :3] = d * np.array(src.GetSpacing())
    m[:3, 3] = src.GetOrigin()
    m = np.diag([-1, -1, 1, 1]) @ m
    if not np.allclose(n.affine, m, atol=1e-4) or not np.allclose(n.get_qform(), m, atol=1e-4):
        problems.append('nibabel affine')
    out.append({'path': path, 'problems': problems})
print(json.dumps(out))
`
    const res = JSON.parse(execFileSync(py2.python!, ['-c', script, JSON.stringify(pairs)], { encoding: 'utf8', maxBuffer: 16 << 20 })) as { path: string; problems: string[] }[]
    expect(res).toHaveLength(5)
    for (const r of res) expect(r.problems, r.path).toEqual([])
  }, 300_000)
})

describe('the carry path never blocks on what is not a file', () => {
  it('a named pipe called image.nrrd gets a reason at once, and today\'s path names it', async () => {
    const fifo = join(tmp, 'pipe image.nrrd')
    execFileSync('mkfifo', [fifo])
    const attempt = await tryCarry(fifo)
    expect('reason' in attempt && attempt.reason).toMatch(/full check/)
    await expect(readVolume(fifo)).rejects.toThrow(/not a regular file/)
  }, 10_000)
})

// Staging writes the carried file during the check that reads the input: one read serves the
// check, the copy and the source fingerprint, so what is written is exactly what was checked.
describe('writing while checking', () => {
  const sha256 = async (p: string) => (await import('node:crypto')).createHash('sha256').update(await readFile(p)).digest('hex')
  const left = async (dir: string) => (await import('node:fs/promises')).readdir(dir)

  it('a carried image is written from the checked bytes, fingerprinted from the same read', async () => {
    const [image] = cases.get('c04-gzip-fields')!.files
    const dir = await mkdtemp(join(tmp, 'stage-'))
    const out = join(dir, 'case_0000.nii.gz')
    const attempt = await tryCarry(image, { writeTo: out })
    expect('carried' in attempt).toBe(true)
    if (!('carried' in attempt)) return
    const bytes = await attempt.carried.writing!
    expect(bytes).toBe((await readFile(out)).length)
    expectSameArray(gunzipSync(await readFile(out)), await todayImage(image), 'the written .nii against today\'s path')
    expect(attempt.carried.volume.sources[0]!.sha256).toBe(await sha256(image))
    expect(attempt.carried.volume.sources[0]!.size).toBe((await readFile(image)).length)
    expect(await left(dir)).toEqual(['case_0000.nii.gz'])
  })

  it('an input that fails its check leaves nothing in the staging folder', async () => {
    for (const key of ['c12-wrong-crc', 'c11-nan', 'c05-two-members']) {
      const dir = await mkdtemp(join(tmp, 'stage-'))
      const attempt = await tryCarry(cases.get(key)!.files[0], { writeTo: join(dir, 'case_0000.nii.gz') })
      if ('carried' in attempt) expect(attempt.carried.writing, key).toBeUndefined() // NaN: checked, not written
      expect(await left(dir), key).toEqual([])
    }
  })
})
