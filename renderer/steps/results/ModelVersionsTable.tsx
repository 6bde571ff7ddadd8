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
  // Bumped when a round is queued: the new version is listed at once, before any fold finishes.
  // The note saying what was queued lives here: the form moves into the card when the first version appears.
  const [queued, setQueued] = useState(0)
  const [note, setNote] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    api.modelVersions({ datasetId: results.datasetId, ...(results.test.length > 0 && { testPredictions: results.test.map((t) => t.folder) }) }).then(
      (t) => live && (setTable(t), setError(null)),
      (err: Error) => live && setError(err.message),
    )
    return () => {
      live = false
    }
  }, [results, queued])
  const onQueued = (what: string) => {
    setNote(what)
    setQueued((n) => n + 1)
  }
  if (error) return <ErrorBanner error={error} title="Model versions" />
  if (!table?.versions.length) return <FineTuneForm results={results} note={note} onQueued={onQueued} />
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
      <FineTuneForm results={results} note={note} onQueued={onQueued} embedded />
    </section>
  )
}

/**
 * Starts a fine-tuning round of a trained model on the grown dataset (nnUNetv2_preprocess with its
 * plans, then its finished folds from their final checkpoints, or from scratch): the runs join the
 * run queue like any training, and the round appears above as the next version.
 */
/** What the epochs field holds: empty (the model's own count), a whole number 1..100000, or a reason it is neither. */
export function parseEpochs(text: string): { epochs?: number; problem?: string } {
  const t = text.trim()
  if (!t) return {}
  const n = Number(t)
  if (!/^\d+$/.test(t) || !Number.isInteger(n) || n < 1 || n > 100_000) return { problem: `Epochs must be a whole number from 1 to 100000 (“${t}” is not); leave it empty to train as many as the model did.` }
  return { epochs: n }
}

function FineTuneForm({ results, note, onQueued, embedded = false }: { results: DatasetResults; note: string | null; onQueued(what: string): void; embedded?: boolean }) {
  const models = results.version === 'v2' ? results.models.filter((m) => m.folds.some((f) => f.state === 'finished' && f.fold !== 'all')) : []
  const [model, setModel] = useState('')
  const [start, setStart] = useState<'previous' | 'scratch'>('previous')
  const [epochs, setEpochs] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  if (!models.length) return null
  const chosen = models.find((m) => m.model === model) ?? models[0]!
  const folds = chosen.folds.filter((f) => f.state === 'finished' && f.fold !== 'all').map((f) => f.fold as number)
  // An epoch count that is not a whole number >= 1 is said, not silently replaced by the model's.
  const parsed = parseEpochs(epochs)
  const go = async () => {
    if (parsed.problem) return
    setBusy(true)
    setError(null)
    try {
      const r = await api.fineTune({ datasetId: results.datasetId, configuration: chosen.configuration as Configuration, trainer: chosen.trainer, plans: chosen.plans, folds, start, ...(parsed.epochs && { epochs: parsed.epochs }) })
      onQueued(`Version ${r.version.version} (${r.version.trainer}) is queued: preprocessing, then ${folds.length} training${folds.length === 1 ? '' : 's'}. Follow them in Train.`)
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
          Epochs <input type="text" inputMode="numeric" value={epochs} placeholder="as the model" onChange={(e) => setEpochs(e.target.value)} style={{ width: '9em' }} aria-invalid={parsed.problem ? true : undefined} data-testid="fine-tune-epochs" />
        </label>
        <button type="button" className="btn" disabled={busy || !!parsed.problem} onClick={() => void go()} data-testid="fine-tune-start-button">
          Fine-tune folds {folds.join(', ')}
        </button>
      </div>
      {parsed.problem && (
        <p className="small field-error" role="alert" data-testid="fine-tune-epochs-problem">
          {parsed.problem}
        </p>
      )}
      {note && <p className="small" data-testid="fine-tune-queued">{note}</p>}
      {error !== null && <ErrorBanner error={error} title="Fine-tune" onDismiss={() => setError(null)} />}
    </div>
  )
  return embedded ? body : <section className="card stack">{body}</section>
}
