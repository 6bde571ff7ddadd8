// The two expensive nnU-Net fixtures of the suite, made by the app's own parts on the CPU and
// cached by content hash (test/helpers/fixtureCache.ts), so one `npm test` plans and trains the
// tiny ct_small dataset once instead of in every file that needs it:
//
//   (a) planned: the guide's folders from the real ct_small scan (liver = 1, spleen = 2; 7 cases,
//       as nnU-Net needs 5 training cases for its folds) prepared with two test cases (imagesTs +
//       labelsTs) as Dataset611_Results, planned and preprocessed for 2d (the cheapest
//       configuration on a CPU). For tests of what comes after planning (training, stopping,
//       train longer, trainers); the tests of planning itself plan their own datasets.
//   (b) trained: (a) with folds 0 and 1 trained for 2 epochs of 2 iterations (the generated
//       trainer nnUNetTrainer_Wizard_2ep_2it) and imagesTs predicted with both folds.
//
// Tests take a private copy (plannedDataset / trainedFixture below) and may change it freely.
// scripts/test.mjs builds both before vitest and Playwright start (`npx tsx
// test/results/trainedFixture.ts --build`); a test run alone builds what is missing on demand.
import { writeFileSync } from 'node:fs'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runPrepare } from '../../electron/dataset'
import { JobManager } from '../../electron/jobs/jobManager'
import { createFolders, runPlan, runPredict, runTrain } from '../../electron/nnunet'
import * as s from '../../shared/schema'
import { cachedFixture, copyFixture, hashInputs } from '../helpers/fixtureCache'
import { makeGuideFolders, TOTALSEG } from '../helpers/guideFolders'
import { nnunetPython } from '../helpers/python'
import { recordingContext } from '../nnunet/fixture'

export const FIXTURE_ID = 611
export const FIXTURE_DATASET = 'Dataset611_Results'
/** The generated trainer of the trained fixture's two folds. */
export const FIXTURE_TRAINER = 'nnUNetTrainer_Wizard_2ep_2it'

export interface PlannedFixture {
  /** The copy's folder: nnunet/ (the three nnU-Net folders) and 'app data' (NNUNET_WIZARD_DATA). */
  base: string
  settings: s.Settings
  dataDir: string
  /** nnUNet_raw/Dataset611_Results (imagesTr 5 cases, imagesTs + labelsTs 2 cases). */
  datasetDir: string
  datasetId: number
}

export interface TrainedFixture extends PlannedFixture {
  /** The prediction folder of imagesTs (both folds). */
  predictions: string
  trainer: string
}

const keys = new Map<string, string>()
/**
 * The code and data the fixtures are made from: any change to them makes new fixtures. Hashed once
 * per process (per python), so the trained fixture is made from the planned one of the same code.
 */
function fixtureKey(python: string): string {
  // NNUNET_WIZARD_FIXTURE_KEY pins the fixtures to one key: npm test sets it to the key its fixtures
  // step built, so stage B uses exactly those even where sources change during the run (a shared tree).
  if (process.env.NNUNET_WIZARD_FIXTURE_KEY) return process.env.NNUNET_WIZARD_FIXTURE_KEY
  if (!keys.has(python)) keys.set(python, codeKey(python))
  return keys.get(python)!
}

function codeKey(python: string): string {
  return hashInputs(
    [
      'test/results/trainedFixture.ts',
      'test/helpers/fixtureCache.ts',
      'test/helpers/guideFolders.ts',
      'test/nnunet/fixture.ts',
      'electron/dataset',
      'electron/imaging',
      'electron/files',
      'electron/nnunet',
      'electron/jobs',
      'electron/results',
      'electron/schedulers',
      'shared',
      'python/requirements-v2.txt',
      join(TOTALSEG, 'ct_small'),
    ],
    [python, process.env.nnUNet_n_proc_DA ?? ''],
  )
}

function settingsUnder(base: string, python: string): s.Settings {
  const folders = { raw: join(base, 'nnunet', 'nnUNet_raw'), preprocessed: join(base, 'nnunet', 'nnUNet_preprocessed'), results: join(base, 'nnunet', 'nnUNet_results') }
  return s.settings.parse({ pythonPath: python, nnunetVersion: 'v2', folders, device: 'cpu', augmentationWorkers: 1, torchCompile: false })
}

async function job(jobs: JobManager, kind: 'train' | 'predict', body: Parameters<JobManager['start']>[2]): Promise<unknown> {
  const j = await jobs.start(kind, kind, body)
  const info = await jobs.wait(j.id)
  if (info.state !== 'done') throw new Error(`${kind} failed: ${info.error ?? info.state} (log ${info.logFile ?? '-'})`)
  return info.result
}

/** The cached planned fixture (a): its folder, built when missing. Never write into it. */
export async function plannedFixtureCache(python: string, log: (line: string) => void = () => undefined): Promise<string> {
  return cachedFixture(
    'planned-2d',
    fixtureKey(python),
    async (dir) => {
      const folders = await createFolders(join(dir, 'nnunet'), 'v2')
      const settings = settingsUnder(dir, python)
      const guide = await makeGuideFolders(join(dir, 'guide data'), { cases: 7, source: 'ct_small' })
      const prep = await runPrepare(
        s.prepareRequest.parse({
          sources: { imagesDir: guide.images, labels: [{ name: 'liver', dir: guide.organ }, { name: 'spleen', dir: guide.tumor }] },
          output: { outDir: folders.raw, id: FIXTURE_ID, name: 'Results', prefix: 'liver', split: { testCount: 2, seed: 0 } },
        }),
        recordingContext(),
      )
      if (prep.failed || prep.written !== 7) throw new Error(`prepare wrote ${prep.written}, ${prep.failed} failed`)
      log('planned fixture: prepared; planning 2d')
      await runPlan(s.planRequest.parse({ datasetId: FIXTURE_ID, configurations: ['2d'], processes: 1 }), settings, recordingContext(), join(dir, 'app data'))
    },
    log,
  )
}

/** The cached trained fixture (b): its folder, built (from (a)) when missing. Never write into it. */
export async function trainedFixtureCache(python: string, log: (line: string) => void = () => undefined): Promise<string> {
  const planned = await plannedFixtureCache(python, log)
  return cachedFixture(
    'trained-2d-2folds',
    fixtureKey(python),
    async (dir) => {
      await copyFixture(planned, dir)
      const settings = settingsUnder(dir, python)
      const dataDir = join(dir, 'app data')
      // The job history lives outside the fixture: the manager saves it in the background, and a
      // save after the fixture's folder was renamed into place failed (ENOENT) and said so.
      const jobs = new JobManager(await mkdtemp(join(tmpdir(), 'nnw-fixture-jobs-')))
      for (const fold of [0, 1]) {
        log(`trained fixture: training fold ${fold}`)
        const req = s.trainRequest.parse({ datasetId: FIXTURE_ID, configuration: '2d', fold, epochs: 2, iterationsPerEpoch: 2 })
        await job(jobs, 'train', (ctx) => runTrain(req, settings, ctx, dataDir))
      }
      log('trained fixture: predicting imagesTs')
      const predictions = join(dir, 'predictions')
      await mkdir(predictions, { recursive: true })
      const input = join(settings.folders!.raw, FIXTURE_DATASET, 'imagesTs')
      const pr = s.predictRequest.parse({ datasetId: FIXTURE_ID, input, output: predictions, configuration: '2d', folds: [0, 1], trainer: FIXTURE_TRAINER })
      await job(jobs, 'predict', (ctx) => runPredict(pr, settings, ctx, dataDir))
    },
    log,
  )
}

function describeCopy(base: string, python: string): PlannedFixture {
  const settings = settingsUnder(base, python)
  return { base, settings, dataDir: join(base, 'app data'), datasetDir: join(settings.folders!.raw, FIXTURE_DATASET), datasetId: FIXTURE_ID }
}

/** A private copy of the planned fixture (a) in `dest` (made when missing from the cache). */
export async function plannedDataset(dest: string, python: string, log?: (line: string) => void): Promise<PlannedFixture> {
  await copyFixture(await plannedFixtureCache(python, log), dest)
  return describeCopy(dest, python)
}

/** A private copy of the trained fixture (b) in `dest` (made when missing from the cache). */
export async function trainedFixture(dest: string, python: string, log?: (line: string) => void): Promise<TrainedFixture> {
  await copyFixture(await trainedFixtureCache(python, log), dest)
  return { ...describeCopy(dest, python), predictions: join(dest, 'predictions'), trainer: FIXTURE_TRAINER }
}

// npx tsx test/results/trainedFixture.ts --build [--key-file F]: builds (or finds) both cached fixtures and prints
// their folders (and writes their key to F); scripts/test.mjs runs it before the tests. The python is the tests' own
// (NNUNET_WIZARD_PYTHON or the hashed venv).
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const py = nnunetPython('v2')
  if (!process.argv.includes('--build') || !py.python) {
    console.error(py.python ? 'usage: tsx test/results/trainedFixture.ts --build' : `no nnU-Net v2: ${py.reason}`)
    process.exit(2)
  }
  const say = (l: string) => console.error(`fixtures: ${l}`)
  const keyFile = process.argv[process.argv.indexOf('--key-file') + 1]
  plannedFixtureCache(py.python, say)
    .then(async (planned) => {
      say(`planned 2d dataset: ${planned}`)
      say(`trained 2-fold model: ${await trainedFixtureCache(py.python!, say)}`)
      if (process.argv.includes('--key-file') && keyFile) writeFileSync(keyFile, fixtureKey(py.python!))
    })
    .catch((err: unknown) => {
      console.error(err)
      process.exit(1)
    })
}
