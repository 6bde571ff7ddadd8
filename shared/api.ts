// THE contract between the renderer and the Node side, assembled from its areas in shared/api/:
// each area file holds its methods' request schemas (`<area>Requests`), their signatures
// (`<Area>Api`) and the result types side by side, so a new method is one entry there plus its
// service function. Every method takes at most one request object (validated with the zod schema
// named in `apiRequests`) and returns a Promise. Long work returns a JobRef at once and reports
// through JobEvents. Both transports (Electron IPC and the browser-mode HTTP server) and both
// clients (preload and renderer/api.ts) are generated from `apiRequests`.
import { appRequests, type AppApi } from './api/app'
import { clusterRequests, type ClusterApi } from './api/cluster'
import type { Finding } from './api/common'
import { datasetRequests, type DatasetApi } from './api/dataset'
import { envRequests, type EnvApi } from './api/env'
import { jobsRequests, type JobEvent, type JobsApi } from './api/jobs'
import { projectsRequests, type ProjectsApi } from './api/projects'
import { resultsRequests, type ResultsApi } from './api/results'
import { reviewRequests, type ReviewApi } from './api/review'
import { runsRequests, type RunsApi } from './api/runs'
import { trainersRequests, type TrainersApi } from './api/trainers'
import { dicomRequests, type DicomApi } from './api/dicom'

export * from './api/common'
export * from './api/app'
export * from './api/projects'
export * from './api/dataset'
export * from './api/jobs'
export * from './api/env'
export * from './api/runs'
export * from './api/cluster'
export * from './api/trainers'
export * from './api/results'
export * from './api/dicom'
export * from './api/review'

/** Every method's request schema (null: the method takes no input), by method name. */
export const apiRequests = {
  ...appRequests,
  ...projectsRequests,
  ...datasetRequests,
  ...jobsRequests,
  ...envRequests,
  ...runsRequests,
  ...clusterRequests,
  ...trainersRequests,
  ...resultsRequests,
  ...dicomRequests,
  ...reviewRequests,
} as const

export type ApiMethod = keyof typeof apiRequests
export const apiMethods = Object.keys(apiRequests) as ApiMethod[]

export interface Api extends AppApi, ProjectsApi, DatasetApi, JobsApi, EnvApi, RunsApi, ClusterApi, TrainersApi, ResultsApi, ReviewApi, DicomApi {}

// Each area lists its methods twice (schema table, interface): the compiler holds the two equal,
// so a method cannot be callable without validation, nor validated without being declared.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameMethods: Same<ApiMethod, keyof Api> = true
void sameMethods

/** The one event channel: job updates for every kind of job, and the run queue's changes. */
export type ApiEventListener = (event: JobEvent) => void

/** What the renderer holds: the Api plus a subscription to events. */
export interface ApiClient extends Api {
  onEvent(listener: ApiEventListener): () => void
}

/** Errors cross both transports as this shape; the message is for the user. */
export interface ApiErrorShape {
  message: string
  code?: string
  findings?: Finding[]
}

export const IPC_PREFIX = 'api:'
export const IPC_EVENT = 'api-event'
