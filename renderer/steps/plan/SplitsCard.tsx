// The dataset's cross-validation folds after planning: nnU-Net's splits_final.json, where it came
// from (the wizard, nnU-Net's random folds, or edited by hand), the cases per fold, and any
// patient on both sides. Writes the folds grouped by patient when the dataset has patient groups
// (Output step's patient pattern), and N folds over the cases when there are fewer than 5 training
// cases (nnU-Net's own 5 would fail); a file the wizard did not write is replaced only when asked.
import { useCallback, useEffect, useState } from 'react'
import type { SplitsStatus } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { tooFewForFolds } from '../../../shared/splits'
import { useSettings } from '../../store/settingsStore'

export function SplitsCard({ datasetId, refreshKey }: { datasetId: number | null; refreshKey: string }) {
  const [status, setStatus] = useState<SplitsStatus | null>(null)
  const [error, setError] = useState<unknown>(null)
  // Fewer than 5 training cases: nnU-Net's own 5 folds would fail at the first training; N folds are offered.
  const trainingCases = useSettings((st) => st.folderStatus?.datasets.find((d) => d.id === datasetId)?.trainingCases)
  const few = trainingCases !== undefined ? tooFewForFolds(trainingCases) : undefined
  const [folds, setFolds] = useState(5)
  const fewFolds = few?.folds
  useEffect(() => {
    if (fewFolds !== undefined && fewFolds >= 2) setFolds(fewFolds)
  }, [fewFolds])
  // Folds written before the dataset changed: offered again in the same number (the cases still there keep their folds).
  const staleFolds = status?.coverage ? status.folds?.length : undefined
  useEffect(() => {
    if (staleFolds !== undefined && staleFolds >= 2) setFolds(staleFolds)
  }, [staleFolds])
  const [overwrite, setOverwrite] = useState(false)
  const load = useCallback(() => {
    if (datasetId === null) return
    api.splits({ datasetId }).then(setStatus, setError)
  }, [datasetId])
  useEffect(load, [load, refreshKey])
  if (datasetId === null || !status || (!status.exists && !status.groups && !few)) return null
  const write = () => {
    setError(null)
    api.splits({ datasetId, folds, write: true, overwrite }).then(setStatus, setError)
  }
  const foreign = status.exists && status.source !== 'wizard'
  return (
    <section className="card stack-tight" data-testid="splits-card">
      <h2>Cross-validation folds</h2>
      <p data-testid="splits-message" className={status.leaks?.length ? 'text-error' : undefined}>
        {status.message}
      </p>
      {status.folds && (
        <table className="small" data-testid="splits-folds">
          <thead>
            <tr>
              <th>Fold</th>
              <th>Training cases</th>
              <th>Validation cases</th>
              {status.folds.some((f) => f.valGroups !== undefined) && <th>Validation patients</th>}
            </tr>
          </thead>
          <tbody>
            {status.folds.map((f, i) => (
              <tr key={i} data-testid="splits-fold">
                <td>{i}</td>
                <td className="num">{f.train}</td>
                <td className="num">{f.val}</td>
                {f.valGroups !== undefined && <td className="num">{f.valGroups}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status.coverage && (
        <div className="banner banner-warning small" data-testid="splits-stale">
          These folds were written for another version of the dataset: nnU-Net would train on them as they are.
          {status.coverage.missing.length > 0 && <> In no fold (never trained on or validated): {status.coverage.missing.join(', ')}.</>}
          {status.coverage.extra.length > 0 && <> No longer training cases: {status.coverage.extra.join(', ')}.</>} Write the {staleFolds} folds again below before training; Train refuses these folds.
        </div>
      )}
      {few && !status.exists && (
        <div className="banner banner-warning small" data-testid="splits-few-cases">
          {few.text}
        </div>
      )}
      {(status.groups !== undefined || few || status.coverage) && (
        <div className="row wrap">
          <label className="small">
            Folds{' '}
            <input type="number" min={2} max={20} value={folds} onChange={(e) => setFolds(Math.max(2, Math.min(20, Number(e.target.value) || 5)))} data-testid="splits-count" />
          </label>
          {foreign && (
            <label className="check small">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-testid="splits-overwrite" />
              Replace the existing splits_final.json ({status.source === 'edited' ? 'edited by hand' : 'not written by the wizard'})
            </label>
          )}
          <button type="button" className="btn" disabled={foreign && !overwrite} onClick={write} data-testid="splits-write">
            {status.groups !== undefined ? `Write ${folds} folds grouped by patient (${status.groups} patients)` : `Write ${folds} folds`}
          </button>
        </div>
      )}
      <ErrorBanner error={error} title="The folds were not written" />
    </section>
  )
}
