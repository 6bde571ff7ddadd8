// Continue vs. train longer, per trained fold of the chosen dataset and configuration: a fold
// with checkpoints but no final one was interrupted ("Continue" = nnU-Net's --c); a finished
// fold can be taken to more epochs from its final checkpoint ("Train longer", v2: a trainer for
// the new count continues from it, the old results stay; electron/nnunet/trainLonger.ts).
import { useState } from 'react'
import type { TrainedModel } from '../../../shared/api'
import type { Configuration, Fold, TrainRequest } from '../../../shared/schema'
import { epochsFromTrainerName } from '../../../shared/trainingLog'
import { useTrainQueue } from '../../store/trainQueue'

const iterationsOf = (trainer: string): number | undefined => {
  const m = /_(\d+)it(?:_|$)/.exec(trainer)
  return m ? Number(m[1]) : undefined
}

export function TrainLongerCard({ models, datasetId, configuration, v1 }: { models: readonly TrainedModel[]; datasetId: number | null; configuration: Configuration; v1: boolean }) {
  const { enqueue } = useTrainQueue()
  const [target, setTarget] = useState<Record<string, number>>({})
  const mine = models.filter((m) => m.datasetId === datasetId && m.configuration === configuration)
  const rows = mine.flatMap((m) => m.folds.map((f) => ({ m, fold: f, finished: m.finished.includes(f) })))
  if (!rows.length || datasetId === null) return null
  const foldOf = (f: string): Fold => (f === 'all' ? 'all' : Number(f))
  const base = (m: TrainedModel): Partial<TrainRequest> => ({ datasetId, configuration, plans: m.plans })
  return (
    <section className="card" data-testid="train-longer-card">
      <h2>Trained folds: continue or train longer</h2>
      <table className="small">
        <thead>
          <tr>
            <th>Trainer</th>
            <th>Fold</th>
            <th>Epochs</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ m, fold, finished }) => {
            const key = `${m.trainer}/${fold}`
            const epochs = epochsFromTrainerName(m.trainer) ?? 1000
            const next = target[key] ?? epochs * 2
            return (
              <tr key={key} data-testid="trained-fold">
                <td className="mono">{m.trainer}</td>
                <td>{fold}</td>
                <td>{finished ? `${epochs} (finished)` : `interrupted (of ${epochs})`}</td>
                <td className="row">
                  {finished ? (
                    !v1 && (
                      <>
                        <input type="number" min={epochs + 1} value={next} onChange={(e) => setTarget({ ...target, [key]: Number(e.target.value) })} aria-label={`New epoch count for ${m.trainer} fold ${fold}`} data-testid="longer-epochs" />
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={!(next > epochs)}
                          onClick={() => void enqueue([{ ...base(m), fold: foldOf(fold), epochs: next, iterationsPerEpoch: iterationsOf(m.trainer), longerFrom: m.trainer, npz: true, continueTraining: false, validationOnly: false } as TrainRequest])}
                          data-testid="train-longer"
                        >
                          Train longer to {next} epochs
                        </button>
                      </>
                    )
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => void enqueue([{ ...base(m), fold: foldOf(fold), trainer: m.trainer, npz: true, continueTraining: true, validationOnly: false } as TrainRequest])}
                      data-testid="continue-fold"
                    >
                      Continue (--c)
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <p className="help">Continue resumes an interrupted fold from its last checkpoint. Train longer takes a finished fold on to more epochs from its final checkpoint, as a new model; the finished one stays as it is.</p>
    </section>
  )
}
