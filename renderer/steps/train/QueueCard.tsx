// The runs waiting their turn: trainings and find_best_configuration, in start order.
import type { TrainRequest } from '../../../shared/schema'
import { useJobs } from '../../store/jobsStore'
import { queueBusy, useTrainQueue, type QueuedRun } from '../../store/trainQueue'

export function describeTrain(r: TrainRequest): string {
  return `Dataset ${r.datasetId} · ${r.configuration} · fold ${r.fold}${r.trainer ? ` · ${r.trainer}` : ''}${r.epochs ? ` · ${r.epochs} epochs` : ''}`
}

export function describeRun(run: QueuedRun): string {
  if (run.kind === 'train') return describeTrain(run.request)
  const r = run.request
  const what = run.after ? `${r.configurations.join(', ')} (and other configurations finished on the same folds)` : r.configurations.join(', ')
  const folds = run.after ? 'the folds above' : `fold${r.folds && r.folds.length === 1 ? '' : 's'} ${(r.folds ?? [0, 1, 2, 3, 4]).join(', ')}`
  return `Find the best configuration · dataset ${r.datasetId} · ${what} · ${folds}`
}

export function QueueCard() {
  const { waiting, remove, clear, pump } = useTrainQueue()
  const idle = useJobs((s) => !queueBusy(s.jobs))
  if (waiting.length === 0) return null
  return (
    <section className="card" data-testid="train-queue">
      <div className="row">
        <h2 className="grow">Waiting</h2>
        {idle && (
          <button type="button" className="btn btn-small" onClick={() => void pump()} data-testid="queue-resume">
            Start the next run
          </button>
        )}
        <button type="button" className="btn btn-small" onClick={clear}>
          Clear the queue
        </button>
      </div>
      <ol>
        {waiting.map((w) => (
          <li key={w.key} className="row" data-testid={`queued-${w.kind}`}>
            <span className="grow">{describeRun(w)}</span>
            <button type="button" className="btn btn-small btn-quiet" onClick={() => remove(w.key)}>
              Remove
            </button>
          </li>
        ))}
      </ol>
    </section>
  )
}
