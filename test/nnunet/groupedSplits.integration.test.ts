// Real nnunetv2 (pinned venv) on the CPU: the grouped splits_final.json the wizard writes after
// planning is the one nnU-Net trains with. Six real scans named as three patients' pairs, a
// whole patient held out for testing, two grouped folds over the other two patients; nnU-Net's
// log says it uses the existing split file and the fold's validation cases are exactly ours.
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPrepare } from '../../electron/dataset'
import { JobManager } from '../../electron/jobs/jobManager'
import { createFolders, runPlan, runTrain } from '../../electron/nnunet'
import { splitsStatus } from '../../electron/nnunet/splits'
import * as s from '../../shared/schema'
import { makeGuideFolders } from '../helpers/guideFolders'
import { nnunetPython } from '../helpers/python'
import { recordingContext } from './fixture'

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`grouped folds with real nnU-Net v2 on the CPU ${py.reason}`, () => {
  let tmp: string
  let settings: s.Settings
  let jobs: JobManager | undefined

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-grouped-'))
    const guide = await makeGuideFolders(join(tmp, 'guide'), { cases: 6, source: 'ct_small' })
    const dirs = { image: join(tmp, 'src', 'image'), liver: join(tmp, 'src', 'liver') }
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true })
    for (const [i, key] of guide.caseKeys.entries()) {
      const name = `pat${Math.floor(i / 2) + 1}_${'ab'[i % 2]}.nrrd`
      await copyFile(join(guide.images, `${key}.nrrd`), join(dirs.image, name))
      await copyFile(join(guide.organ, `${key}.nrrd`), join(dirs.liver, name))
    }
    const folders = await createFolders(join(tmp, 'nnunet'), 'v2')
    settings = s.settings.parse({ pythonPath: py.python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
    const req = s.prepareRequest.parse({
      sources: { imagesDir: dirs.image, labels: [{ name: 'liver', dir: dirs.liver }] },
      output: { outDir: folders.raw, id: 631, name: 'Grouped', split: { testCount: 1, seed: 3, groupPattern: '^(pat\\d+)_' } },
    })
    await runPrepare(req, recordingContext())
  }, 300_000)
  afterAll(async () => {
    for (const j of (await jobs?.list()) ?? []) if (j.state === 'running') jobs!.cancel(j.id)
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('nnU-Net trains fold 0 on the grouped splits_final.json the wizard wrote', { timeout: 1_200_000 }, async () => {
    await runPlan(s.planRequest.parse({ datasetId: 631, configurations: ['2d'], processes: 1 }), settings, recordingContext(), join(tmp, 'data'))
    const st = await splitsStatus({ datasetId: 631, folds: 2, write: true, overwrite: false }, settings)
    expect(st.written).toBe(true)
    const pre = join(settings.folders!.preprocessed, 'Dataset631_Grouped')
    const splits = JSON.parse(readFileSync(join(pre, 'splits_final.json'), 'utf8')) as { train: string[]; val: string[] }[]
    const groups = JSON.parse(readFileSync(join(settings.folders!.raw, 'Dataset631_Grouped', 'case_groups.json'), 'utf8')) as Record<string, string>
    expect(new Set(splits[0]!.val.map((c) => groups[c])).size).toBe(1)

    jobs = new JobManager(join(tmp, 'jobs'))
    const req = s.trainRequest.parse({ datasetId: 631, configuration: '2d', fold: 0, epochs: 1, iterationsPerEpoch: 1 })
    const job = await jobs.start('train', 'train', (c) => runTrain(req, settings, c, join(tmp, 'data')))
    const info = await jobs.wait(job.id)
    expect(info.error).toBeUndefined()
    expect(info.state).toBe('done')
    const log = (await jobs.log(job.id, 0, 200_000)).map((l) => l.text).join('\n')
    expect(log).toContain(`Using splits from existing split file: ${join(pre, 'splits_final.json')}`)
    expect(log).toContain('The split file contains 2 splits.')
    expect(log).toContain(`This split has ${splits[0]!.train.length} training and ${splits[0]!.val.length} validation cases.`)
    // The fold's validation cases are exactly the grouped fold's.
    const model = join(settings.folders!.results, 'Dataset631_Grouped')
    const trainerDir = (await readdir(model)).find((d) => d.endsWith('__nnUNetPlans__2d'))!
    const validated = (await readdir(join(model, trainerDir, 'fold_0', 'validation'))).filter((f) => f.endsWith('.nii.gz')).map((f) => f.replace(/\.nii\.gz$/, ''))
    expect(validated.sort()).toEqual([...splits[0]!.val].sort())
  })
})
