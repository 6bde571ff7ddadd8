// The review methods of the service (issue 21): rank a prediction folder, add an accepted case to
// the dataset, queue a fine-tuning round, compare model versions. Each is a thin door onto its
// module; the rules live there (results/reviewCases.ts, dataset/addCase.ts, nnunet/fineTune.ts,
// results/modelVersions.ts). The CLI reaches them through the same service.
import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Api, ModelOrigin } from '../../shared/api'
import * as s from '../../shared/schema'
import { DomainError } from '../domainError'
import { addCaseToDataset } from '../dataset/addCase'
import { datasetKey } from '../dataset/outputPlan'
import { datasetFolderName } from '../nnunet/pipeline'
import { resolveFineTune } from '../nnunet/fineTune'
import { addCasesToSplits } from '../nnunet/splitsAdd'
import { readPredictionOrigin } from '../results/predictionOrigin'
import { reviewCases } from '../results/reviewCases'
import { modelVersionsTable, readModelVersions, recordModelVersions } from '../results/modelVersions'

export type ReviewMethods = Pick<Api, 'reviewCases' | 'addToDataset' | 'fineTune' | 'modelVersions'>

export interface ReviewOptions {
  dataDir: string
  settings: () => Promise<s.Settings>
  /** The run methods a fine-tuning round queues its runs with (the one run queue). */
  runs: Pick<Api, 'plan' | 'train'>
  /** Cancels a queued job (the round's preprocess, when a training of the round is refused). */
  cancelJob?: (jobId: string) => void
}

/** The prediction a corrected label was made from: the editor saves PRED_FOLDER/corrected/NAME beside PRED_FOLDER/NAME. */
function predictionOfCorrected(label: string): string | undefined {
  if (basename(dirname(label)) !== 'corrected') return undefined
  const p = join(dirname(dirname(label)), basename(label))
  return existsSync(p) ? p : undefined
}

export function createReview(opts: ReviewOptions): ReviewMethods {
  const v2Folders = async (what: string) => {
    const st = await opts.settings()
    if (!st.folders) throw new DomainError(`Set the nnU-Net folders first (Environment step) to ${what}.`, 'no-folders', 'conflict')
    if (st.nnunetVersion !== 'v2') throw new DomainError(`${what[0]!.toUpperCase()}${what.slice(1)} is done for nnU-Net v2 datasets (splits_final.json, dataset.json v2); switch to nnU-Net v2 in the Environment step.`, 'review-v1', 'conflict')
    return { st, folders: st.folders }
  }
  return {
    reviewCases: async (req) => reviewCases(await opts.settings(), s.reviewCasesRequest.parse(req)),
    addToDataset: async (req) => {
      const r = s.addToDatasetRequest.parse(req)
      const { st, folders } = await v2Folders('add a case to a dataset')
      const dataset = await datasetFolderName(st, r.datasetId)
      if (!dataset || !existsSync(join(folders.raw, dataset))) throw new DomainError(`Dataset ${r.datasetId} is not in ${folders.raw}: write it there first (Prepare).`, 'add-no-dataset', 'not-found')
      const prediction = r.prediction ?? predictionOfCorrected(r.label)
      const origin: ModelOrigin | undefined = r.origin ?? (prediction ? (await readPredictionOrigin(dirname(prediction)))?.model : undefined)
      return addCaseToDataset(
        { ...r, ...(prediction && { prediction }) },
        {
          datasetDir: join(folders.raw, dataset),
          lockKey: datasetKey('nnunet-v2', r.datasetId),
          ...(origin && { origin }),
          assignFold: async (caseId) => {
            const added = await addCasesToSplits(join(folders.preprocessed, dataset), [caseId])
            return { ...(added.file && { file: added.file }), ...(added.folds[caseId] !== undefined && { fold: added.folds[caseId] }), ...(added.note && { note: added.note }) }
          },
        },
      )
    },
    fineTune: async (req) => {
      const r = s.fineTuneRequest.parse(req)
      const st = await opts.settings()
      const plan = await resolveFineTune(r, st, opts.dataDir, await readModelVersions(opts.dataDir))
      // Queued in order: the preprocess first, so each training's "plan first / plan current" rules see it ahead.
      const jobs: { jobId: string }[] = []
      try {
        if (plan.preprocess) jobs.push(await opts.runs.plan(plan.preprocess))
        for (const t of plan.trainings) jobs.push(await opts.runs.train(t))
      } catch (err) {
        // A training the rules refuse (its fold busy, ...): the round does not start at all.
        for (const j of jobs) opts.cancelJob?.(j.jobId)
        throw err
      }
      await recordModelVersions(opts.dataDir, plan.versions)
      return { version: plan.version, jobs }
    },
    modelVersions: async (req) => modelVersionsTable(await opts.settings(), opts.dataDir, s.modelVersionsRequest.parse(req)),
  }
}
