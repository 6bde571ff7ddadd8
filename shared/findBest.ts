// Which trained models nnU-Net's find_best_configuration compares. Pure, so the Find-best card
// (what it offers) and the run queue (what a "then find the best configuration" entry runs once
// the trainings before it have ended) decide it the same way.
import type { JobInfo, TrainedModel } from './api'
import { defaultPlans } from './nnunetArgs'
import { configuration, type FindBestRequest, type NnunetVersion, type TrainRequest } from './schema'

/** Numbered folds, ascending ("all" has no validation, so find_best cannot use it). */
export function numberedFolds(folds: readonly (string | number)[]): number[] {
  return [...new Set(folds.map(String).filter((f) => /^\d+$/.test(f)).map(Number))].sort((a, b) => a - b)
}

/** The folds finished in every one of these models: what find_best can compare them on. */
export function commonFolds(models: readonly TrainedModel[]): number[] {
  if (!models.length) return []
  return numberedFolds(models[0]!.finished).filter((f) => models.every((m) => m.finished.includes(String(f))))
}

export interface FindBestChoice {
  trainer: string
  plans: string
  /** One per configuration with at least one finished numbered fold. */
  models: TrainedModel[]
}

/** Trained models of a dataset that find_best can compare, grouped by trainer and plans (most configurations first). */
export function findBestChoices(trainings: readonly TrainedModel[] | undefined, datasetId: number | null): FindBestChoice[] {
  const groups = new Map<string, FindBestChoice>()
  for (const t of trainings ?? []) {
    if (t.datasetId !== datasetId || !configuration.safeParse(t.configuration).success || numberedFolds(t.finished).length === 0) continue
    const key = `${t.trainer}__${t.plans}`
    const g = groups.get(key) ?? { trainer: t.trainer, plans: t.plans, models: [] }
    g.models.push(t)
    groups.set(key, g)
  }
  return [...groups.values()].sort((a, b) => b.models.length - a.models.length || a.trainer.localeCompare(b.trainer))
}

/** A training that a queued find_best follows, with its job as it ended (absent: it never started). */
export interface FinishedTraining {
  request: TrainRequest
  job?: Pick<JobInfo, 'state' | 'result'>
}

/**
 * The find_best request to run once the trainings before it have ended: their folds and the
 * trainer they really ran with (a generated class for a custom epoch count is known only from the
 * job's result), plus the other configurations of that trainer and plans that have finished on
 * those folds. An error (as text) when a training it follows did not finish.
 */
export function resolveFindBest(
  request: FindBestRequest,
  after: readonly FinishedTraining[],
  trainings?: readonly TrainedModel[],
  version?: NnunetVersion,
): { request: FindBestRequest } | { error: string } {
  if (!after.length) return { error: 'find_best_configuration was not started: none of the trainings queued before it ran.' }
  for (const r of after) {
    const state = r.job?.state
    if (state !== 'done') {
      const why = state === 'failed' ? 'failed' : state === 'cancelled' ? 'was cancelled' : state === undefined ? 'never started' : 'has not finished'
      return { error: `find_best_configuration was not started: the training of ${r.request.configuration} fold ${r.request.fold} ${why}.` }
    }
  }
  const folds = numberedFolds(after.map((r) => r.request.fold))
  if (!folds.length) return { error: 'find_best_configuration was not started: it compares numbered folds (0-4), and none of the trainings before it trained one.' }
  const result = after[0]!.job?.result as { trainer?: unknown } | undefined
  const trainer = typeof result?.trainer === 'string' ? result.trainer : (after[0]!.request.trainer ?? request.trainer)
  const configurations = [...request.configurations]
  if (trainer && version) {
    const plans = request.plans ?? defaultPlans(version)
    for (const t of trainings ?? []) {
      const c = configuration.safeParse(t.configuration)
      if (!c.success || t.datasetId !== request.datasetId || t.trainer !== trainer || t.plans !== plans || configurations.includes(c.data)) continue
      if (folds.every((f) => t.finished.includes(String(f)))) configurations.push(c.data)
    }
  }
  return { request: { ...request, configurations, folds, ...(trainer ? { trainer } : {}) } }
}

/** The find_best entry queued after trainings: their dataset, first configuration and plans. */
export function findBestAfter(trainings: readonly TrainRequest[]): FindBestRequest | undefined {
  const first = trainings[0]
  if (!first) return undefined
  return { datasetId: first.datasetId, configurations: [first.configuration], ...(first.plans ? { plans: first.plans } : {}) }
}
