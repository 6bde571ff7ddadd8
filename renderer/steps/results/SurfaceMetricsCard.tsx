// HD95 and the normalised surface Dice beside nnU-Net's Dice: the NSD tolerance (one for all labels,
// or one per label), a button that measures every scored case not measured yet (a job in the
// app's worker threads; the service keeps the figures), and the figures over each model's
// validation cases and each scored test folder. The per-case figures are columns of the case table.
import type { DatasetResults, SurfaceSummary } from '../../../shared/api'
import { surfaceSummaryText } from '../../../shared/surfaceFigures'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useProjectForm } from '../../store/projectForms'

const SURFACE_DEFAULTS = {
  /** mm, for every label without its own. */
  tolerance: 1,
  /** Label name -> mm. */
  tolerances: {} as Record<string, number>,
}

interface Props {
  results: DatasetResults
  testFolder: string | null
}

export function SurfaceMetricsCard({ results, testFolder }: Props) {
  const [form, setForm] = useProjectForm('surface', SURFACE_DEFAULTS)
  const job = useLatestJob('surface-metrics')
  const labels = results.labels.map((l) => l.name)
  const scored = results.cases.length
  const measured = results.cases.filter((c) => c.surface).length
  const valid = (v: unknown): v is number => typeof v === 'number' && v > 0 && v <= 1000
  const tolerances = Object.fromEntries(Object.entries(form.tolerances).filter(([l, v]) => labels.includes(l) && valid(v)))
  const measure = () =>
    job.start(() => api.surfaceMetrics({ datasetId: results.datasetId, ...(testFolder && { testPredictions: [testFolder] }), tolerance: valid(form.tolerance) ? form.tolerance : 1, tolerances }))
  const rows: { what: string; surface?: Record<string, SurfaceSummary> }[] = [
    ...results.models.map((m) => ({ what: `${m.configuration} (validation)`, surface: m.surface })),
    ...results.test.map((t) => ({ what: `test: ${t.folder}`, surface: t.surface })),
  ].filter((r) => r.surface)
  return (
    <section className="card stack" data-testid="surface-card">
      <h2>Surface distances (HD95, NSD)</h2>
      <p className="small muted">
        The 95th-percentile Hausdorff distance (mm) and the normalised surface Dice at a tolerance in mm, per case and label, on each case’s own voxel spacing, computed as DeepMind’s surface-distance does. An empty prediction or reference gives HD95 ∞ and NSD 0; a label empty on both sides has neither. {measured} of {scored} scored case{scored === 1 ? '' : 's'} measured.
      </p>
      <div className="row wrap">
        <label className="small">
          NSD tolerance (mm){' '}
          <input type="number" min={0.01} step={0.1} style={{ width: 80 }} value={form.tolerance} onChange={(e) => setForm({ tolerance: Number(e.target.value) })} data-testid="surface-tolerance" />
        </label>
        {labels.map((l) => (
          <label key={l} className="small">
            {l}{' '}
            <input
              type="number"
              min={0.01}
              step={0.1}
              style={{ width: 70 }}
              placeholder={String(form.tolerance)}
              value={form.tolerances[l] ?? ''}
              onChange={(e) => {
                const { [l]: _, ...rest } = form.tolerances
                setForm({ tolerances: e.target.value === '' ? rest : { ...rest, [l]: Number(e.target.value) } })
              }}
              data-testid={`surface-tolerance-${l}`}
            />
          </label>
        ))}
        <button type="button" className="btn btn-primary" disabled={isActive(job.job) || scored === 0} onClick={measure} data-testid="surface-measure">
          Measure HD95 and NSD
        </button>
        {scored === 0 && <span className="small muted">No scored case yet: a fold’s validation or scored test predictions are measured.</span>}
      </div>
      <ErrorBanner error={job.error} title="Surface distances" />
      {job.jobId && <JobPanel jobId={job.jobId} logHeight={120} />}
      {rows.length > 0 && (
        <table className="fold-table" data-testid="surface-summary">
          <thead>
            <tr>
              <th>cases</th>
              {labels.map((l) => (
                <th key={l}>{l}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.what}>
                <td>{r.what}</td>
                {labels.map((l) => (
                  <td key={l} className="small">
                    {r.surface![l] ? surfaceSummaryText(r.surface![l]!) : '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
