// Builds the guide's input layout (data/image, data/organ, data/tumor with image-1.nrrd ...) from
// the real TotalSegmentator scans, so tests exercise the exact folders a researcher starts from.
// Case 1 is the scan itself; the others are transformed copies (flips, crops, shifted origins,
// other spacings) applied identically to the image and both masks, so each case stays a
// consistent triple while no two cases share a grid or voxel order.
import { mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Image } from 'itk-wasm'

/**
 * The read-only test scans: shared/ sits beside the checkout (here and in CI's fresh clone);
 * NNUNET_WIZARD_TOTALSEG points elsewhere when it does not.
 */
export const TOTALSEG = (() => {
  if (process.env.NNUNET_WIZARD_TOTALSEG) return process.env.NNUNET_WIZARD_TOTALSEG
  const beside = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'totalseg')
  return existsSync(beside) ? beside : '/work/shared/data/totalseg'
})()

export type GuideSource = 'aorta' | 'ct_small'

export interface GuideFolderOptions {
  /** Number of cases (default 5). */
  cases?: number
  /** aorta: organ = aorta, tumor = aorta_false_lumen (they overlap). ct_small: organ = liver, tumor = spleen. */
  source?: GuideSource
}

export interface CaseCounts {
  /** Non-zero voxels of the organ mask. */
  organ: number
  /** Non-zero voxels of the tumor mask. */
  tumor: number
  /** Voxels in both masks. */
  overlap: number
}

export interface GuideFolders {
  root: string
  images: string
  organ: string
  tumor: string
  /** image-1 ... image-N, in natural order. */
  caseKeys: string[]
  /** Voxel counts per case key, for assertions on merged labels. */
  counts: Record<string, CaseCounts>
}

type ImageIo = typeof import('@itk-wasm/image-io')
let ioPromise: Promise<ImageIo> | undefined
export function imageIo(): Promise<ImageIo> {
  ioPromise ??= import('@itk-wasm/image-io')
  return ioPromise
}

const SOURCES: Record<GuideSource, { image: string; organ: string; tumor: string }> = {
  aorta: { image: 'aorta/ct.nii.gz', organ: 'aorta/masks/aorta.nii.gz', tumor: 'aorta/masks/aorta_false_lumen.nii.gz' },
  ct_small: { image: 'ct_small/ct.nii.gz', organ: 'ct_small/masks/liver.nii.gz', tumor: 'ct_small/masks/spleen.nii.gz' },
}

type Transform = (img: Image) => Image

function clone(img: Image, size: number[], data: Image['data']): Image {
  return { ...img, size: [...size], origin: [...img.origin], spacing: [...img.spacing], direction: Float64Array.from(img.direction as Float64Array), data, metadata: new Map() }
}

/** Physical offset of index `idx` from the origin: D * diag(spacing) * idx (direction row-major). */
function indexOffset(img: Image, idx: number[]): number[] {
  const out = [0, 0, 0]
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[r]! += (img.direction[r * 3 + c] as number) * img.spacing[c]! * idx[c]!
  return out
}

/** Reverses the voxel order along `axis` and adjusts origin and direction so the physical scene is unchanged. */
function flip(axis: number): Transform {
  return (img) => {
    const [nx, ny, nz] = img.size as [number, number, number]
    const src = img.data!
    const dst = new (src.constructor as { new (n: number): typeof src })(src.length)
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const sx = axis === 0 ? nx - 1 - x : x
          const sy = axis === 1 ? ny - 1 - y : y
          const sz = axis === 2 ? nz - 1 - z : z
          dst[x + nx * (y + ny * z)] = src[sx + nx * (sy + ny * sz)]!
        }
    const out = clone(img, img.size, dst)
    const last = [0, 0, 0]
    last[axis] = img.size[axis]! - 1
    const off = indexOffset(img, last)
    out.origin = img.origin.map((o, i) => o + off[i]!)
    for (let r = 0; r < 3; r++) out.direction[r * 3 + axis] = -(img.direction[r * 3 + axis] as number)
    return out
  }
}

/** Keeps voxels lo..hi-1 per axis; the origin moves to the first kept voxel. */
function crop(lo: number[], hi: number[]): Transform {
  return (img) => {
    const [nx, ny] = img.size as [number, number, number]
    const size = hi.map((h, i) => Math.min(h, img.size[i]!) - lo[i]!)
    const [mx, my, mz] = size as [number, number, number]
    const src = img.data!
    const dst = new (src.constructor as { new (n: number): typeof src })(mx * my * mz)
    for (let z = 0; z < mz; z++)
      for (let y = 0; y < my; y++) {
        const s = lo[0]! + nx * (lo[1]! + y + ny * (lo[2]! + z))
        const d = mx * (y + my * z)
        for (let x = 0; x < mx; x++) dst[d + x] = src[s + x]!
      }
    const out = clone(img, size, dst)
    const off = indexOffset(img, lo)
    out.origin = img.origin.map((o, i) => o + off[i]!)
    return out
  }
}

function shift(delta: number[]): Transform {
  return (img) => ({ ...img, origin: img.origin.map((o, i) => o + delta[i]!) })
}

function respace(spacing: number[]): Transform {
  return (img) => ({ ...img, spacing: [...spacing] })
}

const compose =
  (...ts: Transform[]): Transform =>
  (img) =>
    ts.reduce((acc, t) => t(acc), img)

/** Transforms for case 2..N (case 1 is the original); cycled with growing origin shifts beyond 5 cases. */
function transformFor(caseIndex: number, size: number[]): Transform {
  const [nx, ny, nz] = size as [number, number, number]
  const base: Transform[] = [
    flip(0),
    crop([0, 0, Math.floor(nz / 8)], [nx, ny, nz - Math.floor(nz / 8)]),
    compose(flip(1), flip(2), shift([10, -5, 100])),
    compose(crop([Math.floor(nx / 12), Math.floor(ny / 16), 0], [nx - Math.floor(nx / 12), ny - Math.floor(ny / 16), nz]), respace([1.2, 1.25, 2])),
  ]
  const k = caseIndex - 2
  const t = base[k % base.length]!
  const round = Math.floor(k / base.length)
  return round === 0 ? t : compose(t, shift([0, 0, 7.5 * round]))
}

function countCase(organ: Image, tumor: Image): CaseCounts {
  const a = organ.data!
  const b = tumor.data!
  let o = 0
  let t = 0
  let both = 0
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] !== 0
    const bi = b[i] !== 0
    if (ai) o++
    if (bi) t++
    if (ai && bi) both++
  }
  return { organ: o, tumor: t, overlap: both }
}

/** Writes `root/image`, `root/organ`, `root/tumor`, each with image-1.nrrd ... image-N.nrrd. */
export async function makeGuideFolders(root: string, opts: GuideFolderOptions = {}): Promise<GuideFolders> {
  const n = opts.cases ?? 5
  const src = SOURCES[opts.source ?? 'aorta']
  const io = await imageIo()
  const [image, organ, tumor] = await Promise.all([src.image, src.organ, src.tumor].map((p) => io.readImageNode(join(TOTALSEG, p))))
  const folders = { images: join(root, 'image'), organ: join(root, 'organ'), tumor: join(root, 'tumor') }
  await Promise.all(Object.values(folders).map((d) => mkdir(d, { recursive: true })))
  const caseKeys: string[] = []
  const counts: Record<string, CaseCounts> = {}
  for (let i = 1; i <= n; i++) {
    const key = `image-${i}`
    const t = i === 1 ? (img: Image) => img : transformFor(i, image!.size)
    const triple = [image!, organ!, tumor!].map(t)
    // One case written compressed, so gzip-encoded NRRD is part of every integration run.
    const useCompression = i === 3
    await io.writeImageNode(triple[0]!, join(folders.images, `${key}.nrrd`), { useCompression })
    await io.writeImageNode(triple[1]!, join(folders.organ, `${key}.nrrd`), { useCompression })
    await io.writeImageNode(triple[2]!, join(folders.tumor, `${key}.nrrd`), { useCompression })
    caseKeys.push(key)
    counts[key] = countCase(triple[1]!, triple[2]!)
  }
  return { root, ...folders, caseKeys, counts }
}
