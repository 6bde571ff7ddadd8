// The results part of the service (the one door): reading a dataset's results, scoring test
// predictions, the report, and model zips. service.ts spreads these methods into the Api object.
import { join } from 'node:path'
import type { Api, JobRef } from '../../shared/api'
import * as s from '../../shared/schema'
import { writeFileAtomic } from '../files/writeAtomic'
import type { JobManager } from '../jobs/jobManager'
import { DomainError } from '../domainError'
import { readDatasetResults } from './crossValidation'
import { attachTestModels } from './testFolderModel'
import { datasetFacts, resultsCsv, resultsHtml } from './report'
import { commandRecords, modelCommands, readJobList } from './modelCommands'
import { cliJobsDir } from '../paths'
import { orderModels } from '../../shared/resultsModels'
import { runEvaluateTest, runExportModel, runImportModel } from './toolJobs'
import { attachSurface, runSurfaceMetrics, type MeasureCase } from './surfaceMetrics'
import type * as SurfaceTask from './surfaceTask'
import type * as SlicerTask from './slicerTask'
import { runSlicerExport, type WriteSlicerFile } from './slicerExport'
import { runDicomPredictions, type ExportOne } from './dicomPredictions'
import type * as DicomExportTask from './dicomExportTask'
import { readModelPostprocessing, runApplyPostprocessing, runDeterminePostprocessing } from './postprocessing'
import { taskModule, volumePool } from '../imaging/workerPool'

/** One case's HD95 / NSD in the volume worker pool (surfaceTask.ts runs inside the workers). */
const surfaceTask = taskModule<typeof SurfaceTask>('surfaceTask', import.meta.url)
const measureInPool: MeasureCase = (task, signal) => volumePool().run(surfaceTask, 'surfaceCase', task, signal)
/** One prediction to a .seg.nrrd in the pool (slicerTask.ts reads and writes it there). */
const slicerTask = taskModule<typeof SlicerTask>('slicerTask', import.meta.url)
const writeSlicerInPool: WriteSlicerFile = (task, signal) => volumePool().run(slicerTask, 'predictionToSegNrrd', task, signal)
/** One prediction to a DICOM-SEG / RTSTRUCT in the pool (dicomExportTask.ts). */
const dicomExportTask = taskModule<typeof DicomExportTask>('dicomExportTask', import.meta.url)
const exportDicomInPool: ExportOne = (opts, signal) => volumePool().run(dicomExportTask, 'exportCase', opts, signal)

export type ResultsMethods = Pick<Api, 'results' | 'evaluateTest' | 'resultsReport' | 'exportModel' | 'importModel' | 'surfaceMetrics' | 'slicerSegmentations' | 'dicomPredictions' | 'determinePostprocessing' | 'applyPostprocessing'>

export interface ResultsOptions {
  jobs: JobManager
  dataDir: string
  settings: () => Promise<s.Settings>
}

export function createResults(opts: ResultsOptions): ResultsMethods {
  const { jobs, dataDir } = opts
  const ref = (p: Promise<{ id: string }>): Promise<JobRef> => p.then((j) => ({ jobId: j.id }))
  const read = async (req: s.ResultsRequest) => {
    try {
      const settings = await opts.settings()
      const r = await attachSurface(await readDatasetResults(settings, req), dataDir)
      // A test row's model column names the model that predicted its folder, not the folder.
      await attachTestModels(r, settings.folders?.results)
      // nnU-Net's postprocessing.json of each model, when determined.
      for (const m of r.models) {
        const pp = await readModelPostprocessing(m.folder, r.labels)
        if (pp) m.postprocessing = pp
      }
      return r
    } catch (err) {
      throw new DomainError((err as Error).message, 'no-results', 'not-found')
    }
  }
  return {
    results: (req) => read(s.resultsRequest.parse(req)),
    evaluateTest: async (req) => {
      const r = s.evaluateTestRequest.parse(req)
      return ref(jobs.start('evaluate', `Score the test predictions of dataset ${r.datasetId}`, async (ctx) => runEvaluateTest(r, await opts.settings(), ctx, dataDir)))
    },
    resultsReport: async (req) => {
      const r = s.resultsReportRequest.parse(req)
      const settings = await opts.settings()
      const results = await read(r)
      // The report shows the models that have scores (a cancelled one would be a row of NaN), with every command that made them.
      const shown = { ...results, models: orderModels(results.models, () => 0).shown.sort((a, b) => a.model.localeCompare(b.model)) }
      // The app's job list and the CLI's (a `nnunet-wizard train` keeps its own), SLURM tasks included.
      const records = await commandRecords([
        { jobs: await jobs.list(), via: 'app' },
        { jobs: await readJobList(join(cliJobsDir(), 'jobs.json')), via: 'cli' },
      ])
      const commands = Object.fromEntries(shown.models.map((m) => [m.model, modelCommands(records, r.datasetId, results.dataset, m)]))
      const html = resultsHtml({ results: shown, facts: await datasetFacts(settings, results.dataset), commands, generatedAt: new Date() })
      const csv = resultsCsv(results)
      const files: string[] = []
      for (const [file, text] of [
        [r.html, html],
        [r.csv, csv],
      ] as const) {
        if (!file) continue
        await writeFileAtomic(file, text)
        files.push(file)
      }
      return { html, csv, files }
    },
    surfaceMetrics: async (req) => {
      const r = s.surfaceMetricsRequest.parse(req)
      return ref(jobs.start('surface-metrics', `Surface distances (HD95, NSD) of dataset ${r.datasetId}`, async (ctx) => runSurfaceMetrics(r, await opts.settings(), ctx, dataDir, measureInPool)))
    },
    slicerSegmentations: async (req) => {
      const r = s.slicerSegmentationsRequest.parse(req)
      return ref(jobs.start('slicer-export', `Predictions of dataset ${r.datasetId} as 3D Slicer segmentations`, async (ctx) => runSlicerExport(r, await opts.settings(), ctx, writeSlicerInPool)))
    },
    dicomPredictions: async (req) => {
      const r = s.dicomPredictionsRequest.parse(req)
      return ref(jobs.start('dicom-export', `Predictions of dataset ${r.datasetId} as DICOM (${r.format})`, async (ctx) => runDicomPredictions(r, await opts.settings(), ctx, exportDicomInPool)))
    },
    determinePostprocessing: async (req) => {
      const r = s.determinePostprocessingRequest.parse(req)
      return ref(jobs.start('postprocessing', `Determine nnU-Net's postprocessing of ${r.configuration} (dataset ${r.datasetId})`, async (ctx) => runDeterminePostprocessing(r, await opts.settings(), ctx, dataDir)))
    },
    applyPostprocessing: async (req) => {
      const r = s.applyPostprocessingRequest.parse(req)
      return ref(jobs.start('postprocessing', `Apply nnU-Net's postprocessing of ${r.configuration} to ${r.input}`, async (ctx) => runApplyPostprocessing(r, await opts.settings(), ctx, dataDir)))
    },
    exportModel: async (req) => {
      const r = s.exportModelRequest.parse(req)
      return ref(jobs.start('export-model', `Export ${r.configurations.join(', ')} of dataset ${r.datasetId} to a zip`, async (ctx) => runExportModel(r, await opts.settings(), ctx, dataDir)))
    },
    importModel: async (req) => {
      const r = s.importModelRequest.parse(req)
      return ref(jobs.start('import-model', 'Install a model from a zip', async (ctx) => runImportModel(r, await opts.settings(), ctx, dataDir)))
    },
  }
}
