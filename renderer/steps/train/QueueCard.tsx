// The runs waiting their turn in the app's run queue (trainings, find_best_configuration, plans,
// predictions), in start order, each with what it waits for. The queue is the Node side's: it
// goes on with this window closed.
import type { QueueEntry } from '../../../shared/api'
import type { TrainRequest } from '../../../shared/schema'
import { useTrainQueue } from '../../store/trainQueue'

export function describeTrain(r: TrainRequest): string {
  return `Dataset ${r.datasetId} · ${r.configuration} · fold ${r.fold}${r.trainer ? ` · ${r.trainer}` : ''}${r.epochs ? ` · ${r.epochs} epochs` : ''}`
}

export function describeRun(run: QueueEntry): string {
  if (run.kind === 'train') return describeTrain(run.request)
  if (run.kind !== 'find-best') return run.title
  const r = run.request
  const what = run.after ? `${r.configurations.join(', ')} (and other configurations finished on the same folds)` : r.configurations.join(', ')
  const folds = run.after ? 'the folds queued with it' : `fold${r.folds && r.folds.length === 1 ? '' : 's'} ${(r.folds ?? [0, 1, 2, 3, 4]).join(', ')}`
  return `Find the best configuration · dataset ${r.datasetId} · ${what} · ${folds}`
}

export function QueueCard() {
  const { waiting, paused, remove, clear, resume } = useTrainQueue()
  if (waiting.length === 0) return null
  return (
    <section className="card" data-testid="train-queue">
      <div className="row">
        <h2 className="grow">Waiting</h2>
        {paused && (
          <button type="button" className="btn btn-small" onClick={() => void resume()} data-testid="queue-resume">
            Start the next run
          </button>
        )}
        <button type="button" className="btn btn-small" onClick={() => void clear()} data-testid="queue-clear">
          Clear the queue
        </button>
      </div>
      {paused && <p className="small muted">A run was cancelled, so the queue holds until you start the next run.</p>}
      <ol>
        {waiting.map((w) => (
          <li key={w.id} className="row" data-testid={`queued-${w.kind}`}>
            <span className="grow">
              {describeRun(w)} <span className="muted small">({w.waitsFor})</span>
            </span>
            <button type="button" className="btn btn-small btn-quiet" onClick={() => void remove(w.id)}>
              Remove
            </button>
          </li>
        ))}
      </ol>
    </section>
  )
}
