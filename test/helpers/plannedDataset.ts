// A planned nnU-Net v2 dataset for tests of the rules around it (plan first, preprocessed
// configurations), without running nnU-Net: the plans file in nnU-Net's own shape and the
// preprocessed folders its configurations name. The real files are read in the v2 integration test.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A planned v2 dataset as nnU-Net leaves it: nnUNetPlans.json naming 2d and 3d_fullres, and their preprocessed folders. */
export async function writePlannedDataset(preprocessed: string, folder: string, preprocessedConfigs: string[] = ['2d', '3d_fullres']): Promise<string> {
  const dir = join(preprocessed, folder)
  await mkdir(dir, { recursive: true })
  const configurations = {
    '2d': { data_identifier: 'nnUNetPlans_2d', batch_size: 12, patch_size: [192, 160], spacing: [0.8, 0.8], normalization_schemes: ['CTNormalization'] },
    '3d_fullres': { data_identifier: 'nnUNetPlans_3d_fullres', batch_size: 2, patch_size: [96, 160, 128], spacing: [2.5, 0.8, 0.8], normalization_schemes: ['CTNormalization'] },
  }
  await writeFile(join(dir, 'nnUNetPlans.json'), JSON.stringify({ dataset_name: folder, plans_name: 'nnUNetPlans', configurations }, null, 4))
  for (const c of preprocessedConfigs) await mkdir(join(dir, `nnUNetPlans_${c}`), { recursive: true })
  return dir
}
