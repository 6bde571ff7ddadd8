// Model versions side by side (issue 21): each fine-tuning round of a configuration (v1 the first
// model, v2 fine-tuned from it on the grown dataset, ...) with its cross-validation Dice per label
// over the round's finished folds, the change against its parent, and the test set's Dice where a
// prediction of that version was evaluated. The figures come from the service (modelVersions),
// read from nnU-Net's own summaries; nothing is computed here but the differences shown.
import { useEffect, useState } from 'react'
import type { DatasetResults, ModelVersionRow, ModelVersionsTable as Table } from '../../../shared/api'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'

const d4 = (d: number | null | undefined) => (d === null || d === undefined ? '–' : d.toFixed(4))

/** "+0.0123" / "−0.0040" against the parent, or nothing when either side has no figure. */
function delta(now: number | null | undefined, before: number | null | undefined): string {
  if (now === null || now === undefined || before === null || before === undefined) return ''
  const d = now - before
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(4)}`
}

const started = (v: ModelVersionRow) => (v.start === 'first' ? 'first model' : v.start === 'scratch' ? 'from scratch' : `from v${v.parent?.version ?? '?'}`)

interface Props {
  /** The results shown (the table is read again whenever they are). */
  results: DatasetResults
}

export function ModelVersionsTable({ results }: Props) {
  const [table, setTable] = useState<Table | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    api.modelVersions({ datasetId: results.datasetId, ...(results.test.length > 0 && { testPredictions: results.test.map((t) => t.folder) }) }).then(
      (t) => live && (setTable(t), setError(null)),
      (err: Error) => live && setError(err.message),
    )
    return () => {
      live = false
    }
  }, [results])
  if (error) return <ErrorBanner error={error} title="Model versions" />
  if (!table?.versions.length) return <FineTuneForm results={results} />
  const byKey = new Map(table.versions.map((v) => [`${v.configuration}/${v.version}`, v]))
  const hasTest = table.versions.some((v) => v.test)
  return (
    <section className="card stack" data-testid="model-versions">
      <h2>Model versions</h2>
      <p className="small muted">Each fine-tuning round on the grown dataset is a version. Cross-validation Dice is the mean over the version’s finished folds; the existing cases kept their folds, so a change on them is what the corrections bought.</p>
      <div className="table-wrap">
        <table className="fold-table" data-testid="model-versions-table">
          <thead>
            <tr>
              <th>Version</th>
              <th>Configuration</th>
              <th>Trainer</th>
              <th>Started</th>
              <th>Cases</th>
              <th>Folds done</th>
              {table.labels.map((l) => (
                <th key={l}>{l}</th>
              ))}
              <th>Mean</th>
              {hasTest && <th>Test mean</th>}
            </tr>
          </thead>
          <tbody>
            {table.versions.map((v) => {
              const parent = v.parent ? byKey.get(`${v.configuration}/${v.parent.version}`) : undefined
              return (
                <tr key={`${v.configuration}/${v.version}`} data-testid="model-version-row" data-version={v.version}>
                  <td>v{v.version}</td>
                  <td>{v.configuration}</td>
                  <td className="mono">{v.trainer}</td>
                  <td>{started(v)}</td>
                  <td>{v.cases}</td>
                  <td>
                    {v.finishedFolds} / {v.folds.length}
                  </td>
                  {table.labels.map((l) => (
                    <td key={l} title={parent ? `v${parent.version}: ${d4(parent.cvDice[l])}` : undefined}>
                      {d4(v.cvDice[l])} <span className="muted">{parent ? delta(v.cvDice[l], parent.cvDice[l]) : ''}</span>
                    </td>
                  ))}
                  <td>
                    <b>{d4(v.cvMean)}</b> <span className="muted">{parent ? delta(v.cvMean, parent.cvMean) : ''}</span>
                  </td>
                  {hasTest && (
                    <td title={v.test?.folder}>
                      {d4(v.test?.mean)} <span className="muted">{parent?.test ? delta(v.test?.mean, parent.test.mean) : ''}</span>
                    </td>
                  )}
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <FineTuneForm results={results} embedded />
    </section>
  )
}

/**
 * Starts a fine-tuning round of a trained model on the grown dataset (nnUNetv2_preprocess with its
 * plans, then its finished folds from their final checkpoints, or from scratch): the runs join the
 * run queue like any training, and the round appears above as the next version.
 */
function FineTuneForm({ results, embedded = false }: { results: DatasetResults; embedded?: boolean }) {
  const models = results.version === 'v2' ? results.models.filter((m) => m.folds.some((f) => f.state === 'finished' && f.fold !== 'all')) : []
  const [model, setModel] = useState('')
  const [start, setStart] = useState<'previous' | 'scratch'>('previous')
  const [epochs, setEpochs] = useState('')
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  if (!models.length) return null
  const chosen = models.find((m) => m.model === model) ?? models[0]!
  const folds = chosen.folds.filter((f) => f.state === 'finished' && f.fold !== 'all').map((f) => f.fold as number)
  const go = async () => {
    setBusy(true)
    setError(null)
    try {
      const n = Number(epochs)
      const r = await api.fineTune({ datasetId: results.datasetId, configuration: chosen.configuration as Configuration, trainer: chosen.trainer, plans: chosen.plans, folds, start, ...(epochs.trim() && Number.isInteger(n) && n > 0 && { epochs: n }) })
      setDone(`Version ${r.version.version} (${r.version.trainer}) is queued: preprocessing, then ${folds.length} training${folds.length === 1 ? '' : 's'}. Follow them in Train.`)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const body = (
    <div className="stack" data-testid="fine-tune-form">
      {!embedded && <h2>Fine-tune on the grown dataset</h2>}
      <div className="row wrap">
        <label>
          Model{' '}
          <select value={chosen.model} onChange={(e) => setModel(e.target.value)} data-testid="fine-tune-model">
            {models.map((m) => (
              <option key={m.model} value={m.model}>
                {m.model}
              </option>
            ))}
          </select>
        </label>
        <label>
          Start{' '}
          <select value={start} onChange={(e) => setStart(e.target.value as 'previous' | 'scratch')} data-testid="fine-tune-start">
            <option value="previous">from its final checkpoint (-pretrained_weights)</option>
            <option value="scratch">from scratch</option>
          </select>
        </label>
        <label>
          Epochs <input type="number" min={1} value={epochs} placeholder="as the model" onChange={(e) => setEpochs(e.target.value)} style={{ width: '7em' }} data-testid="fine-tune-epochs" />
        </label>
        <button type="button" className="btn" disabled={busy} onClick={() => void go()} data-testid="fine-tune-start-button">
          Fine-tune folds {folds.join(', ')}
        </button>
      </div>
      {done && <p className="small" data-testid="fine-tune-queued">{done}</p>}
      {error !== null && <ErrorBanner error={error} title="Fine-tune" onDismiss={() => setError(null)} />}
    </div>
  )
  return embedded ? body : <section className="card stack">{body}</section>
}
