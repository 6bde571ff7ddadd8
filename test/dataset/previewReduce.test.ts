// Previews at reduced resolution (maxVoxels, for software-rendered WebGL): the real aorta case in
// the guide's folders, previewed at full resolution and with a small voxel budget; the reduced
// NIfTI bytes are read back with itk-wasm and compared voxel by voxel with the full-resolution
// ones at the sampled indices. The report (checks, counts, overlap) must not change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { previewCase } from '../../electron/dataset'
import { previewStride, strideVolume, stridedGeometry, stridedSize } from '../../electron/imaging/reduce'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'
import type { PreviewResult } from '../../shared/api'
import { previewRequest, viewFilesRequest } from '../../shared/schema'
import { makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { readImage } from '../helpers/nifti'
import { guideSpec } from './support'

let tmp: string
let guide: GuideFolders

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'preview-reduce-'))
  guide = await makeGuideFolders(join(tmp, 'data'), { cases: 1 })
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

async function readBack(bytes: Uint8Array, name: string): Promise<Image> {
  const p = join(tmp, name)
  await writeFile(p, bytes)
  return readImage(p)
}

const count = (size: number[]) => size.reduce((a, b) => a * b, 1)

describe('stride policy', () => {
  it('leaves a volume that fits alone', () => {
    expect(previewStride([120, 126, 164], [1.5, 1.5, 1.5], 120 * 126 * 164)).toEqual([1, 1, 1])
  })

  it('coarsens the finest axis first, keeping voxels near-isotropic', () => {
    // A typical CT: 0.8 mm in-plane, 2.5 mm slices. In-plane goes to 2.4 mm before any slice is dropped.
    const s = previewStride([512, 512, 200], [0.8, 0.8, 2.5], 8_000_000)
    expect(s).toEqual([3, 3, 1])
    expect(count(stridedSize([512, 512, 200], s))).toBeLessThanOrEqual(8_000_000)
    // Isotropic voxels: the same factor on every axis.
    expect(previewStride([400, 400, 400], [1, 1, 1], 8_000_000)).toEqual([2, 2, 2])
    // Thin slices, coarse in-plane: the slices go first.
    expect(previewStride([256, 256, 800], [2, 2, 0.5], 16_000_000)).toEqual([1, 1, 4])
  })

  it('is minimal: one step less on any strided axis would not fit', () => {
    for (const [size, spacing, max] of [
      [[512, 512, 200], [0.8, 0.8, 2.5], 8e6],
      [[512, 512, 200], [0.8, 0.8, 2.5], 4e6],
      [[333, 517, 91], [1.1, 0.7, 3], 1e6],
      [[7, 9, 5], [1, 1, 1], 1],
    ] as [number[], number[], number][]) {
      const s = previewStride(size, spacing, max)
      expect(count(stridedSize(size, s))).toBeLessThanOrEqual(max)
      s.forEach((v, axis) => {
        if (v > 1) expect(count(stridedSize(size, s.map((w, i) => (i === axis ? w - 1 : w))))).toBeGreaterThan(max)
      })
    }
  })

  it('samples every stride-th voxel from index 0, keeping the array type', () => {
    const size = [5, 4, 3]
    const data = Int16Array.from({ length: 60 }, (_, i) => i - 30)
    const out = strideVolume(data, size, [2, 3, 2])
    expect(out).toBeInstanceOf(Int16Array)
    expect(stridedSize(size, [2, 3, 2])).toEqual([3, 2, 2])
    const expected: number[] = []
    for (const z of [0, 2]) for (const y of [0, 3]) for (const x of [0, 2, 4]) expected.push(data[x + 5 * (y + 4 * z)]!)
    expect(Array.from(out)).toEqual(expected)
    const g = stridedGeometry({ size, spacing: [0.5, 1, 2], origin: [-10, 5, 3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, [2, 3, 2])
    expect(g).toEqual({ size: [3, 2, 2], spacing: [1, 3, 4], origin: [-10, 5, 3], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })
  })

  it('takes maxVoxels in the preview and viewFiles requests as a positive integer', () => {
    expect(previewRequest.parse({ sources: guideSpec({ images: '/a', organ: '/b', tumor: '/c' }), caseKey: 'x', maxVoxels: 8_000_000 }).maxVoxels).toBe(8_000_000)
    expect(() => previewRequest.parse({ sources: guideSpec({ images: '/a', organ: '/b', tumor: '/c' }), caseKey: 'x', maxVoxels: 0 })).toThrow()
    expect(() => previewRequest.parse({ sources: guideSpec({ images: '/a', organ: '/b', tumor: '/c' }), caseKey: 'x', maxVoxels: 1.5 })).toThrow()
    expect(viewFilesRequest.parse({ image: '/a.nii.gz', maxVoxels: 1000 }).maxVoxels).toBe(1000)
  })
})

describe('preview with a voxel budget (real aorta case)', () => {
  it('sends strided volumes on the same physical grid, label values exact, report at full resolution', async () => {
    const sources = guideSpec(guide)
    const full = await previewCase({ sources, caseKey: 'image-1' })
    const fullSize = full.report.geometry!.size
    expect(fullSize).toEqual([120, 126, 164])
    expect(full.reduced).toBeUndefined()

    const maxVoxels = 300_000
    const small = await previewCase({ sources, caseKey: 'image-1', maxVoxels })
    expect(small.report).toEqual(full.report)
    const stride = small.reduced!.stride
    expect(stride).toEqual(previewStride(fullSize, full.report.geometry!.spacing, maxVoxels))
    expect(stride.some((s) => s > 1)).toBe(true)
    expect(small.reduced!.fullSize).toEqual(fullSize)
    expect(small.reduced!.size).toEqual(stridedSize(fullSize, stride))
    expect(count(small.reduced!.size)).toBeLessThanOrEqual(maxVoxels)

    const [fi, fl, si, sl] = await Promise.all([readBack(full.image, 'full.nii'), readBack(full.label, 'full_label.nii'), readBack(small.image, 'small.nii'), readBack(small.label, 'small_label.nii')])
    for (const img of [si, sl]) {
      expect(img.size).toEqual(small.reduced!.size)
      img.spacing.forEach((s, i) => expect(s).toBeCloseTo(fi.spacing[i]! * stride[i]!, 4))
      img.origin.forEach((o, i) => expect(o).toBeCloseTo(fi.origin[i]!, 3))
      Array.from(img.direction as Float64Array).forEach((d, i) => expect(d).toBeCloseTo((fi.direction as Float64Array)[i]!, 5))
    }
    small.reduced!.spacing.forEach((s, i) => expect(s).toBeCloseTo(full.report.geometry!.spacing[i]! * stride[i]!, 9))

    // Voxel by voxel: the reduced volumes hold the full-resolution values at the sampled indices.
    const [nx, ny] = fullSize as [number, number, number]
    const [mx, my, mz] = small.reduced!.size as [number, number, number]
    const fImg = fi.data as Int16Array
    const fLab = fl.data as Uint8Array
    const sImg = si.data as Int16Array
    const sLab = sl.data as Uint8Array
    expect(sImg).toBeInstanceOf(fImg.constructor)
    expect(sLab).toBeInstanceOf(Uint8Array)
    let mismatches = 0
    const seen = new Set<number>()
    for (let z = 0; z < mz; z++)
      for (let y = 0; y < my; y++)
        for (let x = 0; x < mx; x++) {
          const o = x + mx * (y + my * z)
          const src = x * stride[0]! + nx * (y * stride[1]! + ny * z * stride[2]!)
          if (sLab[o] !== fLab[src] || sImg[o] !== fImg[src]) mismatches++
          seen.add(sLab[o]!)
        }
    expect(mismatches).toBe(0)
    // Both labels survive the reduction, with no value that is not in the label table.
    expect([...seen].sort()).toEqual([0, 1, 2])
  })

  it('passes maxVoxels through the Api and leaves a case that fits at full resolution', async () => {
    const service = createService({ mode: 'browser' }, join(tmp, 'app-data'))
    const sources = guideSpec(guide)
    const reduced = (await callApi(service, 'preview', { sources, caseKey: 'image-1', maxVoxels: 100_000 })) as PreviewResult
    expect(count(reduced.reduced!.size)).toBeLessThanOrEqual(100_000)
    const bytes = (await callApi(service, 'getVolume', { id: reduced.labelVolume })) as Uint8Array
    expect(bytes.byteLength).toBe(352 + count(reduced.reduced!.size))

    // The aorta case (120x126x164 = 2.5M voxels) under the renderer's software budget: untouched.
    const fits = (await callApi(service, 'preview', { sources, caseKey: 'image-1', maxVoxels: 8_000_000 })) as PreviewResult
    expect(fits.reduced).toBeUndefined()
    const image = (await callApi(service, 'getVolume', { id: fits.imageVolume })) as Uint8Array
    expect(image.byteLength).toBe(352 + 120 * 126 * 164 * 2)
    expect(fits.report).toEqual(reduced.report)
  })
})
