// One of a dataset's test images in a folder of its own: for tests that compare a new prediction
// with the trained fixture's (test/results/trainedFixture.ts), where one case shows "the same
// segmentation" as well as two and nnU-Net predicts half as much. Kept out of trainedFixture.ts,
// whose content is part of the cached fixtures' key.
import { copyFile, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Copies the first (sorted) `*_0000.nii.gz` of `imagesTs` into `dest`; returns the segmentation's file name. */
export async function oneTestCase(imagesTs: string, dest: string): Promise<string> {
  const image = (await readdir(imagesTs)).filter((f) => f.endsWith('_0000.nii.gz')).sort()[0]
  if (!image) throw new Error(`${imagesTs} holds no *_0000.nii.gz image`)
  await mkdir(dest, { recursive: true })
  await copyFile(join(imagesTs, image), join(dest, image))
  return image.replace('_0000.nii.gz', '.nii.gz')
}
