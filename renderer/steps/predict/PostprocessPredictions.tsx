// After a prediction: nnU-Net's postprocessing of the model (determined in Results) applied to the
// segmentations, into OUTPUT_postprocessed (nnUNetv2_apply_postprocessing); the predictions stay
// as nnU-Net wrote them. By itself after each run when the form asks for it, else on the button.
import { useEffect, useRef } from 'react'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { isActive, useLatestJob } from '../../store/jobsStore'

interface Props {
  model: { datasetId: number; configuration: string; trainer: string; plans: string }
  /** The prediction folder. */
  folder: string
  /** Apply once, by itself, for this finished prediction run. */
  autoFor?: string | null
}

export function PostprocessPredictions({ model, folder, autoFor }: Props) {
  const job = useLatestJob('postprocessing')
  const started = useRef<string | null>(null)
  const apply = () => job.start(() => api.applyPostprocessing({ datasetId: model.datasetId, configuration: model.configuration as Configuration, trainer: model.trainer, plans: model.plans, input: folder }))
  useEffect(() => {
    if (!autoFor || started.current === autoFor) return
    started.current = autoFor
    apply()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoFor])
  const result = job.job?.state === 'done' ? (job.job.result as { output?: string; files?: string[]; steps?: string[] } | undefined) : undefined
  return (
    <div className="stack" data-testid="predict-postprocess">
      <div className="row wrap">
        <button type="button" className="btn" disabled={isActive(job.job)} onClick={apply} data-testid="predict-postprocess-start">
          Apply nnU-Net’s postprocessing
        </button>
        <span className="small muted">The model’s postprocessing.pkl (determine it in Results), into {folder}_postprocessed.</span>
      </div>
      <ErrorBanner error={job.error} title="Postprocessing" />
      {job.jobId && (isActive(job.job) || job.job?.state === 'failed') && <JobPanel jobId={job.jobId} logHeight={100} />}
      {result?.output && (
        <p className="small" data-testid="predict-postprocess-done">
          {result.files?.length ?? 0} postprocessed segmentation{result.files?.length === 1 ? '' : 's'} in <span className="mono">{result.output}</span>
          {result.steps && ` (${result.steps.length ? result.steps.join('; ') : 'nothing to change: no step raised the cross-validation Dice'})`}.
        </p>
      )}
    </div>
  )
}
