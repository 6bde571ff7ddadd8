// nnU-Net's postprocessing in Results (v2): per trained model, determine it on the cross-validation
// results (nnU-Net tries keeping only the largest connected component and keeps what raises the
// Dice), see the Dice before and after and what is applied, and apply it to the test predictions
// (into a folder of their own, scored there like any prediction folder).
import type { DatasetResults, ModelResults } from '../../../shared/api'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useSettings } from '../../store/settingsStore'
import { postprocessingCaution } from '../../lib/postprocessingCaution'

const d4 = (d: number | null | undefined) => (d === null || d === undefined ? 'NaN' : d.toFixed(4))

interface Props {
  results: DatasetResults
  /** The test prediction folder chosen in Results. */
  testFolder: string | null
  /** Show this folder as the test predictions (the postprocessed copy). */
  onShowFolder(folder: string): void
}

export function PostprocessingCard({ results, testFolder, onShowFolder }: Props) {
  const job = useLatestJob('postprocessing')
  // The dataset's cross-validation folds (its splits_final.json, else nnU-Net's 5).
  const splitFolds = useSettings((s) => s.folderStatus?.datasets.find((d) => d.id === results.datasetId)?.folds) ?? 5
  if (results.version !== 'v2') return null
  const models = results.models.filter((m) => m.folds.some((f) => f.fold !== 'all' && f.summary))
  if (!models.length) return null
  const busy = isActive(job.job)
  const determine = (m: ModelResults) => job.start(() => api.determinePostprocessing({ datasetId: results.datasetId, configuration: m.configuration as Configuration, trainer: m.trainer, plans: m.plans }))
  const apply = (m: ModelResults) => job.start(() => api.applyPostprocessing({ datasetId: results.datasetId, configuration: m.configuration as Configuration, trainer: m.trainer, plans: m.plans, input: testFolder! }))
  const applied = job.job?.state === 'done' ? (job.job.result as { output?: string } | undefined)?.output : undefined
  return (
    <section className="card stack" data-testid="postprocessing-card">
      <h2>nnU-Net’s postprocessing</h2>
      <p className="small muted">
        Determined on the cross-validation results with nnU-Net’s own commands (nnUNetv2_accumulate_crossval_results, nnUNetv2_determine_postprocessing): keeping only the largest connected component, of all labels and of each, where it raises the Dice. Applied with nnUNetv2_apply_postprocessing into a folder beside the predictions.
      </p>
      {models.map((m) => {
        const pp = m.postprocessing
        // Determined from (or, by default, about to use) the folds whose validation finished.
        const used = pp ? pp.folds : m.folds.flatMap((f) => (f.fold !== 'all' && f.summary ? [Number(f.fold)] : []))
        const caution = postprocessingCaution(used, splitFolds, !!pp)
        return (
          <div key={m.model} className="stack" data-testid="postprocessing-model" data-model={m.model}>
            <div className="row wrap">
              <b>{m.configuration}</b>
              <span className="small muted">{m.trainer}</span>
              <button type="button" className="btn btn-small" disabled={busy} onClick={() => determine(m)} data-testid="postprocessing-determine">
                {pp ? 'Determine again' : 'Determine the postprocessing'}
              </button>
              {pp && testFolder && (
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => apply(m)} data-testid="postprocessing-apply">
                  Apply to the test predictions
                </button>
              )}
            </div>
            {caution && (
              <div className="banner banner-warning small" data-testid="postprocessing-caution">
                <span>{caution}</span>
              </div>
            )}
            {pp && (
              <p className="small" data-testid="postprocessing-result">
                On folds {pp.folds.join(', ')}: {pp.steps.length ? pp.steps.join('; ') : 'nothing raises the Dice, so applying it changes nothing'}. Cross-validation Dice {d4(pp.before.mean)} → {d4(pp.after.mean)}
                {Object.keys(pp.before.dice).length > 1 && ` (${Object.keys(pp.before.dice).map((l) => `${l} ${d4(pp.before.dice[l])} → ${d4(pp.after.dice[l])}`).join(', ')})`}. <span className="mono small">{pp.pkl}</span>
              </p>
            )}
          </div>
        )
      })}
      <ErrorBanner error={job.error} title="Postprocessing" />
      {job.jobId && <JobPanel jobId={job.jobId} logHeight={140} />}
      {applied && (
        <div className="row" data-testid="postprocessing-applied">
          <span className="small">
            Postprocessed predictions in <span className="mono">{applied}</span>
          </span>
          <button type="button" className="btn btn-small" onClick={() => onShowFolder(applied)} data-testid="postprocessing-show">
            Show and score them here
          </button>
        </div>
      )}
    </section>
  )
}
