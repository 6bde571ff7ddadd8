// The dataset's work in the volume worker pool: checking, previewing and staging one case, and
// reading files for the viewer (caseWork.ts, which runs inside the workers). The pool itself
// (imaging/workerPool.ts) is generic; this is where the dataset's task types meet it.
import { taskModule, volumePool } from '../imaging/workerPool'
import type * as CaseWork from './caseWork'
import type { InspectResult, InspectTask, StageResult, StageTask, ViewResult, ViewTask } from './caseWork'

const caseWork = taskModule<typeof CaseWork>('caseWork', import.meta.url)

export interface CasePool {
  inspect(task: Omit<InspectTask, 'op'>, signal?: AbortSignal): Promise<InspectResult>
  stage(task: Omit<StageTask, 'op'>, signal?: AbortSignal): Promise<StageResult>
  view(task: Omit<ViewTask, 'op'>, signal?: AbortSignal): Promise<ViewResult>
}

/** The dataset's tasks on the process-wide pool (one per process: the UI and the CLI never oversubscribe the cores). */
export function casePool(): CasePool {
  const pool = volumePool()
  return {
    inspect: (task, signal) => pool.run(caseWork, 'inspectCase', { op: 'inspect', ...task }, signal),
    stage: (task, signal) => pool.run(caseWork, 'stageCase', { op: 'stage', ...task }, signal),
    view: (task, signal) => pool.run(caseWork, 'viewFilesCase', { op: 'view', ...task }, signal),
  }
}
