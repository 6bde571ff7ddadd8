// Model versions side by side (issue 21): each fine-tuning round of a configuration (v1 the first
// model, v2 fine-tuned from it on the grown dataset, ...) with its cross-validation Dice per label
// over the round's finished folds, the change against its parent, and the test set's Dice where a
// prediction of that version was evaluated. The figures come from the service (modelVersions),
// read from nnU-Net's own summaries; nothing is computed here but the differences shown.
import { useEffect, useState } from 'react'
import type { DatasetResults, ModelVersionRow, ModelVersionsTable as Table } from '../../../shared/api'
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
  if (!table?.versions.length) return null
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
    </section>
  )
}
