// Where a prediction waits in the one run queue, said once for the service (which places it) and
// the Predict step (which explains the wait before it is asked for). One nnU-Net run at a time
// holds: it waits for the run going now. But it does not wait for trainings it does not need:
// it goes right after the last waiting training that makes its model, or first.
import type { QueueEntry, RunQueueState } from './api'
import type { PredictRequest } from './schema'

type PredictModel = Pick<PredictRequest, 'datasetId' | 'configuration'> & { folds: PredictRequest['folds']; output?: string }

/** A queued or running training that makes (part of) the model this prediction uses. */
export const makesModel = (r: PredictModel) => (e: QueueEntry) =>
  e.kind === 'train' && e.request.datasetId === r.datasetId && e.request.configuration === r.configuration && r.folds.some((f) => String(f) === String(e.request.fold))

/** The index among the waiting entries at which a prediction joins the queue. */
export const predictPlace = (r: PredictModel) => (waiting: readonly QueueEntry[]) => waiting.reduce((last, e, i) => (makesModel(r)(e) ? i + 1 : last), 0)

/**
 * What a prediction asked for now would wait for, in a sentence; null when it would start at once.
 * A queued or running prediction into the same output folder is this very prediction (the step's
 * own, once started), never something it waits for: the step said "It waits for the run going
 * now, "Predict …"" of itself.
 */
export function predictionWait(r: PredictModel, queue: Pick<RunQueueState, 'waiting' | 'started'> & { running?: readonly string[] }): string | null {
  const itself = (e: QueueEntry) => e.kind === 'predict' && r.output !== undefined && e.request.output === r.output
  queue = { ...queue, started: queue.started.filter((e) => !itself(e)), waiting: queue.waiting.filter((e) => !itself(e)) }
  // Several run side by side only when trainings have GPUs of their own; a prediction waits for them all.
  const runningNow = queue.started.filter((e) => queue.running?.includes(e.id))
  const running = runningNow.length ? runningNow.map((e) => `"${e.title}"`).join(' and ') : undefined
  const at = predictPlace(r)(queue.waiting)
  const needed = queue.waiting.slice(0, at).filter(makesModel(r))
  const others = queue.waiting.slice(at).filter((e) => e.kind === 'train').length
  const parts: string[] = []
  if (running) parts.push(runningNow.length === 1 ? `It waits for the run going now, ${running} (one nnU-Net run at a time)` : `It waits for the runs going now, ${running} (a prediction needs the whole machine)`)
  if (needed.length) parts.push(`${running ? 'and for' : 'It waits for'} "${needed[needed.length - 1]!.title}", which trains this model`)
  if (!parts.length) return others ? `It starts at once; the ${others} queued training${others === 1 ? '' : 's'} of other models wait${others === 1 ? 's' : ''} for it.` : null
  const tail = others ? `, not for the ${others} queued training${others === 1 ? '' : 's'} of other models.` : '.'
  return parts.join(' ') + tail
}
