// Five copies of the real aorta CT with its aorta and false-lumen masks, three of them made odd on
// purpose, for the Check step's outlier rules:
//   case-1, case-2   the scan as it is
//   case-3           its aorta mask's voxels reversed along x (geometry unchanged): a flipped mask
//   case-4           image and masks with 3 mm spacing instead of 1.5 mm (a different header)
//   case-5           image and masks with direction diag(-1, -1, 1) (RAS axes instead of LPS)
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Image } from 'itk-wasm'
import { imageIo, TOTALSEG } from './guideFolders'

export interface OutlierCases {
  images: string
  aorta: string
  lumen: string
  caseKeys: string[]
  flipped: string
  spacing: string
  direction: string
}

function withGeometry(img: Image, change: Partial<Pick<Image, 'spacing' | 'direction'>>, data = img.data): Image {
  return { ...img, size: [...img.size], origin: [...img.origin], spacing: [...(change.spacing ?? img.spacing)], direction: Float64Array.from((change.direction ?? img.direction) as Float64Array), data, metadata: new Map() }
}

/** The voxels reversed along x (the fastest axis), geometry kept: the mask no longer fits its image. */
export function flipVoxelsX(img: Image): Image {
  const [nx, ny, nz] = img.size as [number, number, number]
  const src = img.data as Uint8Array
  const dst = new (src.constructor as Uint8ArrayConstructor)(src.length)
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx
      for (let x = 0; x < nx; x++) dst[row + x] = src[row + nx - 1 - x]!
    }
  return withGeometry(img, {}, dst)
}

export async function makeOutlierCases(root: string): Promise<OutlierCases> {
  const io = await imageIo()
  const [ct, aorta, lumen] = await Promise.all(['aorta/ct.nii.gz', 'aorta/masks/aorta.nii.gz', 'aorta/masks/aorta_false_lumen.nii.gz'].map((p) => io.readImageNode(join(TOTALSEG, p))))
  const dirs = { images: join(root, 'images'), aorta: join(root, 'aorta'), lumen: join(root, 'lumen') }
  await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })))
  const same = (i: Image) => withGeometry(i, {})
  const coarse = (i: Image) => withGeometry(i, { spacing: i.spacing.map((s) => s * 2) })
  const ras = (i: Image) => withGeometry(i, { direction: Float64Array.from([-1, 0, 0, 0, -1, 0, 0, 0, 1]) })
  const cases: [string, (i: Image) => Image, (i: Image) => Image][] = [
    ['case-1', same, same],
    ['case-2', same, same],
    ['case-3', same, flipVoxelsX],
    ['case-4', coarse, coarse],
    ['case-5', ras, ras],
  ]
  for (const [key, t, tAorta] of cases) {
    await io.writeImageNode(t(ct!), join(dirs.images, `${key}.nii.gz`), { useCompression: true })
    await io.writeImageNode(key === 'case-3' ? tAorta(aorta!) : t(aorta!), join(dirs.aorta, `${key}.nii.gz`), { useCompression: true })
    await io.writeImageNode(t(lumen!), join(dirs.lumen, `${key}.nii.gz`), { useCompression: true })
  }
  return { ...dirs, caseKeys: cases.map((c) => c[0]), flipped: 'case-3', spacing: 'case-4', direction: 'case-5' }
}
