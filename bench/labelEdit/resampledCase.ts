// A large case for the label editor's benchmarks: the real ct_small CT and its liver/spleen masks
// resampled (nearest neighbour) to `size`, so the label map has a real one's runs and organ shapes;
// written with the app's NIfTI writer as <scans>/<name>_0000.nii.gz and <predictions>/<name>.nii.gz
// (with the dataset.json nnUNetv2_predict copies there).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readImageNode } from '@itk-wasm/image-io'
import { NIFTI_INTENT_LABEL, writeNiftiGz } from '../../electron/imaging/niftiWriter'
import type { Geometry } from '../../shared/api'

function resample<T extends Int16Array | Uint8Array>(src: ArrayLike<number>, from: number[], size: [number, number, number], make: (n: number) => T): T {
  const out = make(size[0] * size[1] * size[2])
  const [fx, fy, fz] = from as [number, number, number]
  const xs = Array.from({ length: size[0] }, (_, x) => Math.min(fx - 1, Math.floor((x * fx) / size[0])))
  const ys = Array.from({ length: size[1] }, (_, y) => Math.min(fy - 1, Math.floor((y * fy) / size[1])))
  let i = 0
  for (let z = 0; z < size[2]; z++) {
    const sz = Math.min(fz - 1, Math.floor((z * fz) / size[2]))
    for (let y = 0; y < size[1]; y++) {
      const row = fx * (ys[y]! + fy * sz)
      for (let x = 0; x < size[0]; x++) out[i++] = src[row + xs[x]!]!
    }
  }
  return out
}

export async function writeResampledCase(totalseg: string, size: [number, number, number], scans: string, predictions: string, name: string): Promise<{ label: Uint8Array; geometry: Geometry }> {
  const ct = await readImageNode(join(totalseg, 'ct_small', 'ct.nii.gz'))
  const liver = (await readImageNode(join(totalseg, 'ct_small', 'masks', 'liver.nii.gz'))).data as ArrayLike<number>
  const spleen = (await readImageNode(join(totalseg, 'ct_small', 'masks', 'spleen.nii.gz'))).data as ArrayLike<number>
  const merged = Uint8Array.from({ length: liver.length }, (_, i) => (spleen[i] ? 2 : liver[i] ? 1 : 0))
  const geometry: Geometry = { size, spacing: ct.spacing.map((s, i) => (s * ct.size[i]!) / size[i]!), origin: ct.origin, direction: Array.from(ct.direction as Float64Array) }
  const image = resample(ct.data as ArrayLike<number>, ct.size, size, (n) => new Int16Array(n))
  const label = resample(merged, ct.size, size, (n) => new Uint8Array(n))
  await mkdir(scans, { recursive: true })
  await mkdir(predictions, { recursive: true })
  await writeNiftiGz(join(scans, `${name}_0000.nii.gz`), geometry, image)
  await writeNiftiGz(join(predictions, `${name}.nii.gz`), geometry, label, { intentCode: NIFTI_INTENT_LABEL })
  await writeFile(join(predictions, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: 1, file_ending: '.nii.gz' }))
  return { label, geometry }
}
