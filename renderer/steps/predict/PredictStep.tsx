// Predict: segment a folder of scans with a trained model (nnUNetv2_predict / nnUNet_predict).
// It defaults from what exists: the trained models in the results folder (the newest preselected,
// with its finished folds), its dataset's imagesTs, and a folder for the segmentations under
// nnUNet_results named after the model and the input (shared/predictionFolders.ts), never inside the dataset.
// The form is part of the project; the Node side checks the checkpoint before queueing.
import { useEffect, useMemo, useState } from 'react'
import type { TrainedModel } from '../../../shared/api'
import type { Configuration, Fold } from '../../../shared/schema'
import { api } from '../../api'
import { CopyButton } from '../../components/CopyButton'
import { OpenFolderButton } from '../../components/OpenFolderButton'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { PredictionView } from './PredictionView'
import { SlicerExport } from './SlicerExport'
import { DicomExport } from './DicomExport'
import { PostprocessPredictions } from './PostprocessPredictions'
import { isActive, startJob, useJobs } from '../../store/jobsStore'
import { useProjectForm } from '../../store/projectForms'
import { useSettings } from '../../store/settingsStore'
import { useTrainQueue } from '../../store/trainQueue'
import { predictionWait } from '../../../shared/predictQueue'
import { OlderDatasetFlag } from '../../components/OlderDatasetFlag'
import { resolvePredictFolders } from './predictFolders'

/** The Predict form, kept in the project. null follows the facts: the newest model, its dataset's imagesTs, its finished folds. */
const PREDICT_DEFAULTS = {
  /** The chosen model's folder (TrainedModel.folder). */
  model: null as string | null,
  input: null as string | null,
  output: null as string | null,
  folds: null as string[] | null,
  checkpoint: '',
  /** Also write each prediction as a 3D Slicer .seg.nrrd (OUTPUT/slicer) when a run ends. */
  slicer: false,
  /** Apply the model's nnU-Net postprocessing (determined in Results) when a run ends. */
  postprocess: false,
  /** v2 --save_probabilities: CASE.npz beside each prediction, which Review ranks the cases by (issue 21). */
  probabilities: false,
}

const modelText = (m: TrainedModel) =>
  `${m.dataset} · ${m.configuration} · ${m.trainer}${m.plans.startsWith('nnUNetPlans') ? '' : ` · ${m.plans}`} · fold${m.folds.length === 1 ? '' : 's'} ${m.folds.join(', ')}${m.finished.length ? '' : ' (none finished)'}${m.olderDataset ? ' · older dataset' : ''}`

const asFold = (f: string): Fold => (f === 'all' ? 'all' : Number(f))

export function PredictStep() {
  const v1 = useSettings((s) => s.settings?.nnunetVersion === 'v1')
  const folders = useSettings((s) => s.settings?.folders)
  const folderStatus = useSettings((s) => s.folderStatus)
  const refreshFolders = useSettings((s) => s.refreshFolders)
  const jobId = useJobs((s) => s.latest.predict)
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined))
  const endedRuns = useJobs((s) => Object.values(s.jobs).filter((j) => !isActive(j)).length)
  const queue = useTrainQueue()
  const [form, setForm] = useProjectForm('predict', PREDICT_DEFAULTS)
  const [error, setError] = useState<unknown>(null)
  // The folders the latest run used: editing the fields afterwards must not re-pair its results.
  const [ran, setRan] = useState<{ input: string; output: string; model?: { datasetId: number; configuration: string; trainer: string; plans: string } } | null>(null)

  // The models in the results folder now, again whenever a run ends (a training finishing adds one).
  useEffect(() => {
    if (folders) void refreshFolders()
  }, [folders, endedRuns, refreshFolders])

  // The same rule tells Review where the segmentations went (predictFolders.ts).
  const { models, model, input, output } = useMemo(() => resolvePredictFolders(form, folderStatus), [form, folderStatus])
  // Folds with the final checkpoint: finished ones (validated), else ones validating or stopped in validation (they predict, unscored).
  const withFinal = model ? [...model.finished, ...(model.unvalidated ?? [])] : []
  const folds = form.folds?.filter((f) => model?.folds.includes(f)) ?? (model ? (model.finished.length ? model.finished : withFinal.length ? withFinal : model.folds) : [])
  const checkpoints = v1 ? ['model_final_checkpoint', 'model_best', 'model_latest'] : ['checkpoint_final.pth', 'checkpoint_best.pth', 'checkpoint_latest.pth']
  const checkpoint = checkpoints.includes(form.checkpoint) ? form.checkpoint : checkpoints[0]!
  const unfinished = checkpoint === checkpoints[0] && model ? folds.filter((f) => !withFinal.includes(f)) : []

  const request = model && input.trim() && output.trim() && folds.length > 0 && unfinished.length === 0
    ? {
        datasetId: model.datasetId,
        input: input.trim(),
        output: output.trim(),
        configuration: model.configuration as Configuration,
        folds: folds.map(asFold),
        trainer: model.trainer,
        checkpoint: checkpoint === checkpoints[0] ? undefined : checkpoint,
        // The model's own plans, always: the dataset's planned plans (the service's default) may be others.
        plans: model.plans,
        ...(!v1 && form.probabilities && { saveProbabilities: true }),
      }
    : null
  const wait = request ? predictionWait(request, queue) : null

  const start = () => {
    if (!request) return
    setError(null)
    setRan({ input: request.input, output: request.output, model: { datasetId: request.datasetId, configuration: request.configuration, trainer: request.trainer, plans: request.plans } })
    startJob('predict', () => api.predict(request)).catch(setError)
  }

  const done = ran ?? { input: input.trim(), output: output.trim() }
  return (
    <div className="stack">
      <section className="card">
        {models.length === 0 ? (
          <div className="banner banner-info" data-testid="predict-no-models">
            {folders
              ? `No trained model in the results folder (${folders.results}) yet. Train one in the Train step; it appears here once it has a checkpoint.`
              : 'Set the nnU-Net folders in the Environment step first: trained models are found in nnUNet_results.'}
          </div>
        ) : (
          <div className="field">
            <label htmlFor="pr-model">Trained model</label>
            <select id="pr-model" value={model?.folder ?? ''} onChange={(e) => setForm({ model: e.target.value, folds: null })} data-testid="predict-model">
              {models.map((m) => (
                <option key={m.folder} value={m.folder}>
                  {modelText(m)}
                </option>
              ))}
            </select>
            <div className="help">The newest model is chosen unless you pick another; each is a dataset, configuration, trainer and plans with the folds that have a checkpoint.</div>
            <OlderDatasetFlag model={model} name="This model" />
          </div>
        )}
        <PathPicker
          label="Scans to segment (files named like case_0000.nii.gz, e.g. imagesTs)"
          value={input}
          onChange={(v) => setForm({ input: v })}
          testId="predict-input"
        />
        <PathPicker label="Where to write the segmentations" value={output} onChange={(v) => setForm({ output: v })} testId="predict-output" />
        {model && (
          <div className="grid-3">
            <div className="field">
              <span className="label">Folds (several = ensemble)</span>
              <div className="row wrap">
                {model.folds.map((f) => (
                  <label key={f} className="check">
                    <input
                      type="checkbox"
                      data-testid={`predict-fold-${f}`}
                      checked={folds.includes(f)}
                      onChange={(e) => setForm({ folds: e.target.checked ? [...folds, f] : folds.filter((x) => x !== f) })}
                    />
                    {f}
                    {model.unvalidated?.includes(f) ? <span className="muted small"> (not validated)</span> : !model.finished.includes(f) && <span className="muted small"> (still training)</span>}
                  </label>
                ))}
              </div>
            </div>
            <div className="field">
              <label htmlFor="pr-ckpt">Checkpoint</label>
              <select id="pr-ckpt" value={checkpoint} onChange={(e) => setForm({ checkpoint: e.target.value })} data-testid="predict-checkpoint">
                {checkpoints.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              <div className="help">{v1 ? 'model_best uses the best validation epoch.' : 'checkpoint_best.pth uses the epoch with the best EMA pseudo Dice.'}</div>
            </div>
          </div>
        )}
        {unfinished.length > 0 && (
          <div className="banner banner-warning" data-testid="predict-unfinished">
            Fold {unfinished.join(', ')} has not finished training, so it has no {checkpoint} yet: untick it, or choose {checkpoints[1]} / {checkpoints[2]}.
          </div>
        )}
        <label className="check">
          <input type="checkbox" checked={form.slicer} onChange={(e) => setForm({ slicer: e.target.checked })} data-testid="predict-slicer" />
          Also write each segmentation for 3D Slicer (.seg.nrrd with the label names and colours, in a slicer folder inside the output)
        </label>
        {!v1 && (
          <label className="check">
            <input type="checkbox" checked={form.probabilities} onChange={(e) => setForm({ probabilities: e.target.checked })} data-testid="predict-probabilities" />
            Save the probabilities too (nnU-Net --save_probabilities): Review then ranks the cases by how unsure the model is. Takes disk space: one .npz per case.
          </label>
        )}
        {!v1 && (
          <label className="check">
            <input type="checkbox" checked={form.postprocess} onChange={(e) => setForm({ postprocess: e.target.checked })} data-testid="predict-postprocess" />
            Also apply nnU-Net’s postprocessing (determined for the model in Results) into a folder beside the output
          </label>
        )}
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={!request || isActive(job)} onClick={start} data-testid="start-predict">
            Predict
          </button>
          {wait && (
            <span className="small muted" data-testid="predict-wait">
              {wait}
            </span>
          )}
        </div>
      </section>
      <ErrorBanner error={error} title="Prediction could not start" />
      <JobPanel jobId={jobId} logHeight={260} />
      {job?.state === 'done' && done.output && (
        <section className="card">
          <h2>Segmentations written</h2>
          <div className="row">
            <span className="mono">{done.output}</span>
            <OpenFolderButton path={done.output} />
            <CopyButton text={done.output} label="Copy path" />
          </div>
          <p className="small muted">Label maps with the values of your label table; they also open over their scans in ITK-SNAP, 3D Slicer or any NIfTI viewer.</p>
          {(ran?.model ?? model) && <SlicerExport datasetId={(ran?.model ?? model)!.datasetId} folder={done.output} autoFor={ran && form.slicer ? jobId : null} />}
          {(ran?.model ?? model) && done.input && <DicomExport datasetId={(ran?.model ?? model)!.datasetId} folder={done.output} input={done.input} />}
          {!v1 && (ran?.model ?? model) && <PostprocessPredictions model={(ran?.model ?? model)!} folder={done.output} autoFor={ran && form.postprocess ? jobId : null} />}
          {done.input && <PredictionView outputDir={done.output} inputDir={done.input} refreshKey={jobId} />}
        </section>
      )}
    </div>
  )
}
