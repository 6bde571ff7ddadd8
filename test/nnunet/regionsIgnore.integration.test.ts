// Real nnunetv2 (pinned venv) on the CPU: datasets the app's prepare writes for region-based
// training (--regions) and with an ignore label (--ignore) pass plan_and_preprocess
// --verify_dataset_integrity, train (the shortest generated trainer, 1 epoch of 1 iteration, 2d:
// the cheapest configuration on a CPU) and are validated by nnU-Net: what is asserted is how
// nnU-Net scores the regions and the ignore label, not how many epochs it trains (2 epochs, each
// parsed, are asserted in nnunetV2.integration).
// Masks: the guide's liver and spleen from TotalSegmentator's ct_small, plus a "lesion" that is
// part of the liver (nested) and an "unannotated" slab of slices (ignore).
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { JobManager } from '../../electron/jobs/jobManager'
import { createFolders, runPlan, runTrain } from '../../electron/nnunet'
import * as s from '../../shared/schema'
import { imageIo, makeGuideFolders, type GuideFolders } from '../helpers/guideFolders'
import { nnunetPython } from '../helpers/python'
import { recordingContext } from './fixture'

const py = nnunetPython('v2')

/** Writes one derived 0/1 mask per case: keep(x, y, z, organ) decides each voxel. */
async function deriveMasks(guide: GuideFolders, dir: string, keep: (x: number, y: number, z: number, size: number[], organ: boolean) => boolean): Promise<void> {
  const io = await imageIo()
  await mkdir(dir, { recursive: true })
  for (const key of guide.caseKeys) {
    const organ = await io.readImageNode(join(guide.organ, `${key}.nrrd`))
    const [nx, ny, nz] = organ.size as [number, number, number]
    const data = new Uint8Array(nx * ny * nz)
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          const i = x + nx * (y + ny * z)
          data[i] = keep(x, y, z, organ.size, organ.data![i] !== 0) ? 1 : 0
        }
    await io.writeImageNode({ ...organ, imageType: { ...organ.imageType, componentType: 'uint8' }, data }, join(dir, `${key}.nrrd`))
  }
}

describe.skipIf(!py.python)(`region-based and ignore-label datasets with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let guide: GuideFolders
  let settings: s.Settings
  let lesion: string
  let unannotated: string
  const dataDir = () => join(tmp, 'app data')
  const jobs: JobManager[] = []

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-regions-ignore-'))
    guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 6, source: 'ct_small' })
    lesion = join(tmp, 'lesion')
    unannotated = join(tmp, 'unannotated')
    // The lesion: the liver's first half along x, so it lies wholly inside the liver.
    await deriveMasks(guide, lesion, (x, _y, _z, size, organ) => organ && x < size[0]! / 2)
    // Two slices nobody annotated.
    await deriveMasks(guide, unannotated, (_x, _y, z) => z < 2)
    const folders = await createFolders(join(tmp, 'nnunet'), 'v2')
    settings = s.settings.parse({ pythonPath: py.python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
  }, 300_000)
  afterAll(async () => {
    for (const m of jobs) for (const j of await m.list()) if (j.state === 'running') m.cancel(j.id)
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const planAndTrain = async (id: number) => {
    const ctx = recordingContext()
    const plan = await runPlan(s.planRequest.parse({ datasetId: id, configurations: ['2d'], processes: 1 }), settings, ctx, dataDir())
    expect(ctx.lines.join('')).toMatch(/verify_dataset_integrity Done/)
    const m = new JobManager(join(tmp, `jobs-${id}`))
    jobs.push(m)
    const req = s.trainRequest.parse({ datasetId: id, configuration: '2d', fold: 0, epochs: 1, iterationsPerEpoch: 1 })
    const job = await m.start('train', 'train', (c) => runTrain(req, settings, c, dataDir()))
    const info = await m.wait(job.id)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    expect(info.metrics).toHaveLength(1)
    const summary = JSON.parse(readFileSync(join(settings.folders!.results, plan.dataset!, `${info.command![info.command!.indexOf('-tr') + 1]}__nnUNetPlans__2d`, 'fold_0', 'validation', 'summary.json'), 'utf8'))
    return { summary, log: info }
  }

  it('region-based: prepare --regions, --verify_dataset_integrity, a training; nnU-Net validates the regions', { timeout: 1_200_000 }, async () => {
    const req = s.prepareRequest.parse({
      sources: { imagesDir: guide.images, labels: [{ name: 'liver', dir: guide.organ }, { name: 'lesion', dir: lesion }, { name: 'spleen', dir: guide.tumor }] },
      output: { outDir: settings.folders!.raw, id: 621, name: 'Regions', regions: true, split: { testCount: 1, seed: 0 } },
    })
    const summary = await runPrepare(req, recordingContext())
    const json = JSON.parse(readFileSync(join(summary.datasetDir, 'dataset.json'), 'utf8'))
    expect(json.labels).toEqual({ background: 0, liver: [1, 2], lesion: 2, spleen: 3 })
    expect(json.regions_class_order).toEqual([1, 2, 3])
    const { summary: validation } = await planAndTrain(621)
    // nnU-Net scored the regions themselves: (1, 2) is the liver region (liver + lesion).
    expect(Object.keys(validation.mean).sort()).toEqual(['(1, 2)', '2', '3'])
  })

  it('ignore label: prepare --ignore merges it last as "ignore", --verify_dataset_integrity, a training', { timeout: 1_200_000 }, async () => {
    const req = s.prepareRequest.parse({
      sources: { imagesDir: guide.images, labels: [{ name: 'liver', dir: guide.organ }, { name: 'spleen', dir: guide.tumor }, { name: 'unannotated', dir: unannotated, ignore: true }] },
      output: { outDir: settings.folders!.raw, id: 622, name: 'Ignore', split: { testCount: 1, seed: 0 } },
    })
    const summary = await runPrepare(req, recordingContext())
    const json = JSON.parse(readFileSync(join(summary.datasetDir, 'dataset.json'), 'utf8'))
    expect(json.labels).toEqual({ background: 0, liver: 1, spleen: 2, ignore: 3 })
    const { summary: validation } = await planAndTrain(622)
    // The ignore label is no class: nnU-Net scores liver and spleen only.
    expect(Object.keys(validation.mean).sort()).toEqual(['1', '2'])
  })
})
