// A tiny nnU-Net v2 dataset written directly (used by the e2e training spec to seed nnUNet_raw):
// the guide's folders from real TotalSegmentator scans (ct_small: liver = 1, spleen = 2), merged
// and written as DatasetNNN_Name/imagesTr|labelsTr|imagesTs with a v2 dataset.json. The merge
// here is deliberately plain (later label wins) and is not what the tests check.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { imageIo, makeGuideFolders } from '../helpers/guideFolders'

export interface TinyDataset {
  dir: string
  name: string
  train: string[]
  test: string[]
}

export async function writeTinyDatasetV2(rawDir: string, id: number, opts: { train?: number; test?: number; scratch: string }): Promise<TinyDataset> {
  const nTrain = opts.train ?? 5
  const nTest = opts.test ?? 1
  const guide = await makeGuideFolders(opts.scratch, { cases: nTrain + nTest, source: 'ct_small' })
  const io = await imageIo()
  const name = `Dataset${String(id).padStart(3, '0')}_Tiny`
  const dir = join(rawDir, name)
  for (const sub of ['imagesTr', 'labelsTr', 'imagesTs']) await mkdir(join(dir, sub), { recursive: true })
  const train: string[] = []
  const test: string[] = []
  for (const [i, key] of guide.caseKeys.entries()) {
    const caseId = `tiny_${String(i + 1).padStart(3, '0')}`
    const isTest = i >= nTrain
    const image = await io.readImageNode(join(guide.images, `${key}.nrrd`))
    await io.writeImageNode(image, join(dir, isTest ? 'imagesTs' : 'imagesTr', `${caseId}_0000.nii.gz`))
    if (isTest) {
      test.push(caseId)
      continue
    }
    const organ = await io.readImageNode(join(guide.organ, `${key}.nrrd`))
    const tumor = await io.readImageNode(join(guide.tumor, `${key}.nrrd`))
    const label = new Uint8Array(organ.data!.length)
    for (let v = 0; v < label.length; v++) label[v] = tumor.data![v] ? 2 : organ.data![v] ? 1 : 0
    const labelImage = { ...organ, imageType: { ...organ.imageType, componentType: 'uint8' as const }, data: label }
    await io.writeImageNode(labelImage, join(dir, 'labelsTr', `${caseId}.nii.gz`))
    train.push(caseId)
  }
  const datasetJson = { channel_names: { '0': 'CT' }, labels: { background: 0, liver: 1, spleen: 2 }, numTraining: train.length, file_ending: '.nii.gz', name: 'Tiny' }
  await writeFile(join(dir, 'dataset.json'), JSON.stringify(datasetJson, null, 2))
  return { dir, name, train, test }
}
