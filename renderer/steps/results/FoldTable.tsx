// One model's cross-validation: each fold's state, epochs and mean validation Dice per label
// (nnU-Net's summary.json), and the mean ± standard deviation over the folds that have one.
import type { ModelResults, Spread } from '../../../shared/api'

const d3 = (d: number | null | undefined) => (d === null || d === undefined ? 'NaN' : d.toFixed(3))
const spread = (s: Spread | undefined) => (!s || s.mean === null ? '—' : `${s.mean.toFixed(3)}${s.sd !== null ? ` ± ${s.sd.toFixed(3)}` : ''}`)

const STATE_TEXT = { missing: 'not trained', running: 'training', stopped: 'stopped', validating: 'validating', unvalidated: 'not validated (stopped in validation)', finished: 'finished' } as const

export function FoldTable({ model, labels }: { model: ModelResults; labels: readonly string[] }) {
  return (
    <section className="card" data-testid="fold-table" data-model={model.model}>
      <h2>
        {model.configuration} <span className="small muted">{model.trainer} · {model.plans}</span>
      </h2>
      <div className="table-wrap">
        <table className="fold-table">
          <thead>
            <tr>
              <th>fold</th>
              <th>state</th>
              <th>epochs</th>
              {labels.map((l) => (
                <th key={l}>{l}</th>
              ))}
              <th>mean</th>
              <th>cases</th>
            </tr>
          </thead>
          <tbody>
            {model.folds.map((f) => (
              <tr key={String(f.fold)} data-testid="fold-row" data-fold={String(f.fold)} data-state={f.state}>
                <td>{f.fold}</td>
                <td className={`state-${f.state}`}>{STATE_TEXT[f.state]}</td>
                <td className="num">
                  {f.epochsDone}/{f.totalEpochs}
                </td>
                {labels.map((l) => (
                  <td key={l} className="num">
                    {f.summary ? d3(f.dice[l]) : '—'}
                  </td>
                ))}
                <td className="num">{f.summary ? d3(f.mean) : '—'}</td>
                <td className="num">{f.summary ? f.cases : '—'}</td>
              </tr>
            ))}
            <tr className="fold-summary">
              <th colSpan={3}>mean ± sd over {model.mean.n} fold{model.mean.n === 1 ? '' : 's'}</th>
              {labels.map((l) => (
                <th key={l} className="num">
                  {spread(model.dice[l])}
                </th>
              ))}
              <th className="num">{spread(model.mean)}</th>
              <th />
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  )
}
