// The review methods of the service (issue 21): rank a prediction folder, add an accepted case to
// the dataset, queue a fine-tuning round, compare model versions. Each is a thin door onto its
// module; the rules live there (results/reviewCases.ts, dataset/addCase.ts, service/fineTune.ts,
// results/modelVersions.ts).
import type { Api } from '../../shared/api'
import * as s from '../../shared/schema'
import { DomainError } from '../domainError'

export type ReviewMethods = Pick<Api, 'reviewCases' | 'addToDataset' | 'fineTune' | 'modelVersions'>

export interface ReviewOptions {
  dataDir: string
  settings: () => Promise<s.Settings>
  /** The run methods a fine-tuning round queues its runs with. */
  runs: Pick<Api, 'plan' | 'train'>
}

const notYet = (what: string) => new DomainError(`${what} is not available yet in this build.`, 'not-implemented', 'conflict')

export function createReview(_opts: ReviewOptions): ReviewMethods {
  return {
    reviewCases: async (req) => {
      s.reviewCasesRequest.parse(req)
      throw notYet('Ranking predicted cases')
    },
    addToDataset: async (req) => {
      s.addToDatasetRequest.parse(req)
      throw notYet('Adding a case to the dataset')
    },
    fineTune: async (req) => {
      s.fineTuneRequest.parse(req)
      throw notYet('Fine-tuning')
    },
    modelVersions: async (req) => {
      s.modelVersionsRequest.parse(req)
      throw notYet('Model versions')
    },
  }
}
