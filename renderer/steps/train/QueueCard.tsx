// The runs waiting their turn in the app's run queue (trainings, find_best_configuration, plans,
// predictions), in start order, each with what it waits for and the GPUs a training is given, and
// the runs going side by side on separate GPUs. The queue is the Node side's: it goes on with this
// window closed.
import type { QueueEntry } from '../../../shared/api'
import type { TrainRequest } from '../../../shared/schema'
import { useTrainQueue } from '../../store/trainQueue'
import { gpuText } from '../../../shared/queueConcurrency'

/** " · GPU 1", " · GPUs 0, 1 (-num_gpus 2)"; nothing for a run that sees every GPU. */
function gpuPart(r: TrainRequest): string {
  if (!r.gpus?.length) return ''
  return ` · ${gpuText(r.gpus)}${r.numGpus && r.numGpus > 1 ? ` (-num_gpus ${r.numGpus})` : ''}`
}

export function describeTrain(r: TrainRequest): string {
  return `Dataset ${r.datasetId} · ${r.configuration} · fold ${r.fold}${r.trainer ? ` · ${r.trainer}` : ''}${r.epochs ? ` · ${r.epochs} epochs` : ''}${gpuPart(r)}`
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
  const { waiting, started, running, paused, remove, clear, resume } = useTrainQueue()
  // Several runs going at once: trainings on separate GPUs; each is listed with its GPU.
  const sideBySide = running.length > 1 ? started.filter((e) => running.includes(e.id)) : []
  if (waiting.length === 0 && sideBySide.length === 0) return null
  return (
    <section className="card" data-testid="train-queue">
      <div className="row">
        <h2 className="grow">{waiting.length ? 'Waiting' : 'Running'}</h2>
        {paused && (
          <button type="button" className="btn btn-small" onClick={() => void resume()} data-testid="queue-resume">
            Start the next run
          </button>
        )}
        {waiting.length > 0 && (
          <button type="button" className="btn btn-small" onClick={() => void clear()} data-testid="queue-clear">
            Clear the queue
          </button>
        )}
      </div>
      {paused && <p className="small muted">A run was cancelled, so the queue holds until you start the next run.</p>}
      {sideBySide.length > 0 && (
        <p className="small" data-testid="queue-side-by-side">
          Running side by side: {sideBySide.map(describeRun).join('; ')}
        </p>
      )}
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
