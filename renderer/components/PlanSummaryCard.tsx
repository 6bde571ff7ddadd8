// What nnU-Net planned for a dataset, per configuration: target spacing, patch size, batch size and
// the normalisation of each channel, read from nnUNetPlans.json (v2). Shown after Plan and on Train,
// so the choice of configuration is made knowing what each one means.
import { useEffect } from 'react'
import type { PlansSummary } from '../../shared/api'
import { useSettings } from '../store/settingsStore'

const mm = (v: number[]) => (v.length ? `${v.map((x) => Number(x.toPrecision(3))).join(' × ')} mm` : '–')
const vox = (v: number[]) => (v.length ? v.join(' × ') : '–')

export function PlanSummaryCard({ plans, v1 }: { plans: PlansSummary | undefined; v1?: boolean }) {
  if (v1) return <p className="small muted">The plan summary is shown for nnU-Net v2 only: v1 keeps its plans in a Python pickle.</p>
  if (!plans) return null
  return (
    <section className="card" data-testid="plan-summary">
      <h2>What nnU-Net planned</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Configuration</th>
              <th>Spacing</th>
              <th>Patch size</th>
              <th>Batch size</th>
              <th>Normalisation</th>
              <th>Median image size</th>
            </tr>
          </thead>
          <tbody>
            {plans.configurations.map((c) => (
              <tr key={c.name} data-testid={`plan-summary-${c.name}`}>
                <td className="mono">
                  {c.name}
                  {c.previousStage && <span className="muted small"> (after {c.previousStage})</span>}
                  {c.preprocessed === false && <span className="muted small"> – planned, not preprocessed (tick it in Plan to train it)</span>}
                </td>
                <td>{mm(c.spacing)}</td>
                <td>{vox(c.patchSize)}</td>
                <td>{c.batchSize || '–'}</td>
                <td>{c.normalization.join(', ') || '–'}</td>
                <td>{c.medianImageSize ? vox(c.medianImageSize.map(Math.round)) : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small muted">
        From <span className="mono">{plans.file}</span>. Axes in nnU-Net’s order (the first is the one it treats as out-of-plane).
      </p>
    </section>
  )
}

/** The plan summary of a dataset as the nnU-Net folders hold it now, read again when a plan job ends. */
export function DatasetPlanSummary({ datasetId, planState }: { datasetId: number | null; planState?: string }) {
  const status = useSettings((s) => s.folderStatus)
  const folders = useSettings((s) => s.settings?.folders)
  const v1 = useSettings((s) => s.settings?.nnunetVersion === 'v1')
  const refresh = useSettings((s) => s.refreshFolders)
  useEffect(() => {
    if (folders) void refresh()
  }, [folders, planState, refresh])
  const plans = status?.datasets.find((d) => d.id === datasetId)?.plans
  return <PlanSummaryCard plans={plans} v1={v1 && planState === 'done'} />
}
