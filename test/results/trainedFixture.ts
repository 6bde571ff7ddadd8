// A tiny trained nnU-Net v2 model with a held-out test set, made by the app's own parts on the
// CPU: the guide's folders from the real ct_small scan (liver = 1, spleen = 2; 7 cases, as nnU-Net
// needs 5 training cases for its folds), prepare with two
// test cases (imagesTs + labelsTs), plan 2d (the cheapest configuration on a CPU), folds 0 and 1 for 2 epochs of 2 iterations
// (the generated-trainer mechanism), and a prediction of imagesTs with both folds. Used by the
// results integration test and, through `npx tsx test/results/trainedFixture.ts DIR`, by the e2e
// global set-up, so the browser test does not train through the UI.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { runPrepare } from '../../electron/dataset'
import { JobManager } from '../../electron/jobs/jobManager'
import { createFolders, runPlan, runPredict, runTrain } from '../../electron/nnunet'
import * as s from '../../shared/schema'
import { makeGuideFolders } from '../helpers/guideFolders'
import { recordingContext } from '../nnunet/fixture'

export const FIXTURE_ID = 611
export const FIXTURE_DATASET = 'Dataset611_Results'

export interface TrainedFixture {
  base: string
  settings: s.Settings
  dataDir: string
  datasetDir: string
  /** The prediction folder of imagesTs (both folds). */
  predictions: string
  trainer: string
}

async function job(jobs: JobManager, kind: 'train' | 'predict', body: Parameters<JobManager['start']>[2]): Promise<unknown> {
  const j = await jobs.start(kind, kind, body)
  const info = await jobs.wait(j.id)
  if (info.state !== 'done') throw new Error(`${kind} failed: ${info.error ?? info.state} (log ${info.logFile ?? '-'})`)
  return info.result
}

/** Makes (or, when `base` already holds it, reuses) the trained fixture under `base`. */
export async function trainedFixture(base: string, python: string, log: (line: string) => void = () => undefined): Promise<TrainedFixture> {
  const folders = await createFolders(join(base, 'nnunet'), 'v2')
  const dataDir = join(base, 'app data')
  const settings = s.settings.parse({ pythonPath: python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
  const datasetDir = join(folders.raw, FIXTURE_DATASET)
  const predictions = join(base, 'predictions')
  const trainer = 'nnUNetTrainer_Wizard_2ep_2it'
  const fixture = { base, settings, dataDir, datasetDir, predictions, trainer }
  if (existsSync(join(predictions, 'summary.json')) || existsSync(join(predictions, 'plans.json'))) return fixture

  const guide = await makeGuideFolders(join(base, 'guide data'), { cases: 7, source: 'ct_small' })
  const prep = await runPrepare(
    s.prepareRequest.parse({
      sources: { imagesDir: guide.images, labels: [{ name: 'liver', dir: guide.organ }, { name: 'spleen', dir: guide.tumor }] },
      output: { outDir: folders.raw, id: FIXTURE_ID, name: 'Results', prefix: 'liver', split: { testCount: 2, seed: 0 } },
    }),
    recordingContext(),
  )
  if (prep.failed || prep.written !== 7) throw new Error(`prepare wrote ${prep.written}, ${prep.failed} failed`)
  log('prepared; planning')
  await runPlan(s.planRequest.parse({ datasetId: FIXTURE_ID, configurations: ['2d'], processes: 1 }), settings, recordingContext(), dataDir)
  const jobs = new JobManager(join(base, 'jobs'))
  for (const fold of [0, 1]) {
    log(`training fold ${fold}`)
    const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold, epochs: 2, iterationsPerEpoch: 2 })
    await job(jobs, 'train', (ctx) => runTrain(req, settings, ctx, dataDir))
  }
  log('predicting imagesTs')
  await mkdir(predictions, { recursive: true })
  const pr = s.predictRequest.parse({ datasetId: FIXTURE_ID, input: join(datasetDir, 'imagesTs'), output: predictions, configuration: '2d', folds: [0, 1], trainer })
  await job(jobs, 'predict', (ctx) => runPredict(pr, settings, ctx, dataDir))
  return fixture
}

// npx tsx test/results/trainedFixture.ts DIR PYTHON
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [dir, python] = process.argv.slice(2)
  if (!dir || !python) {
    console.error('usage: tsx test/results/trainedFixture.ts DIR PYTHON')
    process.exit(2)
  }
  trainedFixture(resolve(dir), python, (l) => console.log(l)).then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
