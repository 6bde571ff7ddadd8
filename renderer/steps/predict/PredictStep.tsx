// Predict: segment a folder of scans with a trained model (nnUNetv2_predict / nnUNet_predict).
import { useState } from 'react'
import type { Configuration, Fold } from '../../../shared/schema'
import { api } from '../../api'
import { CopyButton } from '../../components/CopyButton'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { PredictionView } from './PredictionView'
import { isActive, startJob, useJobs } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'
import { DatasetIdField } from '../../components/DatasetIdField'

const CONFIGS: Configuration[] = ['2d', '3d_fullres', '3d_lowres', '3d_cascade_fullres']
const FOLDS: Fold[] = [0, 1, 2, 3, 4, 'all']

export function PredictStep() {
  const outputId = useProject((s) => s.output.id)
  const v1 = useSettings((s) => s.settings?.nnunetVersion === 'v1')
  const jobId = useJobs((s) => s.latest.predict)
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined))
  const [datasetId, setDatasetId] = useState<number | null>(outputId)
  const [input, setInput] = useState('')
  const [output, setOutput] = useState('')
  const [configuration, setConfiguration] = useState<Configuration>('3d_fullres')
  const [folds, setFolds] = useState<Set<string>>(new Set(['0']))
  const [trainer, setTrainer] = useState('')
  const [checkpoint, setCheckpoint] = useState('')
  const [error, setError] = useState<unknown>(null)
  // The folders the latest run used: editing the fields afterwards must not re-pair its results.
  const [ran, setRan] = useState<{ input: string; output: string } | null>(null)

  const chosenFolds = FOLDS.filter((f) => folds.has(String(f)))
  const ready = datasetId !== null && input.trim() && output.trim() && chosenFolds.length > 0
  const start = () => {
    if (!ready || datasetId === null) return
    setError(null)
    setRan({ input: input.trim(), output: output.trim() })
    startJob('predict', () =>
      api.predict({
        datasetId,
        input: input.trim(),
        output: output.trim(),
        configuration,
        folds: chosenFolds,
        trainer: trainer.trim() || undefined,
        checkpoint: checkpoint.trim() || undefined,
      }),
    ).catch(setError)
  }

  const done = ran ?? { input: input.trim(), output: output.trim() }
  return (
    <div className="stack">
      <section className="card">
        <PathPicker label="Scans to segment (files named like case_0000.nii.gz, e.g. imagesTs)" value={input} onChange={setInput} testId="predict-input" />
        <PathPicker label="Where to write the segmentations" value={output} onChange={setOutput} testId="predict-output" />
        <div className="grid-3">
          <DatasetIdField id="pr-id" value={datasetId} onChange={setDatasetId} />
          <div className="field">
            <label htmlFor="pr-config">Configuration</label>
            <select id="pr-config" value={configuration} onChange={(e) => setConfiguration(e.target.value as Configuration)}>
              {CONFIGS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pr-trainer">Trainer</label>
            <input id="pr-trainer" value={trainer} placeholder={v1 ? 'nnUNetTrainerV2 (default)' : 'nnUNetTrainer (default)'} onChange={(e) => setTrainer(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="pr-ckpt">Checkpoint</label>
            <input id="pr-ckpt" value={checkpoint} placeholder={v1 ? 'model_final_checkpoint' : 'checkpoint_final.pth'} onChange={(e) => setCheckpoint(e.target.value)} />
            <div className="help">{v1 ? 'model_best uses the best validation epoch.' : 'checkpoint_best.pth uses the best validation epoch.'}</div>
          </div>
        </div>
        <div className="field">
          <span className="label">Folds (several = ensemble)</span>
          <div className="row wrap">
            {FOLDS.map((f) => (
              <label key={String(f)} className="check">
                <input
                  type="checkbox"
                  checked={folds.has(String(f))}
                  onChange={(e) => {
                    const next = new Set(folds)
                    if (e.target.checked) next.add(String(f))
                    else next.delete(String(f))
                    setFolds(next)
                  }}
                />
                {String(f)}
              </label>
            ))}
          </div>
        </div>
        <button type="button" className="btn btn-primary" disabled={!ready || isActive(job)} onClick={start} data-testid="start-predict">
          Predict
        </button>
      </section>
      <ErrorBanner error={error} title="Prediction could not start" />
      <JobPanel jobId={jobId} logHeight={260} />
      {job?.state === 'done' && done.output && (
        <section className="card">
          <h2>Segmentations written</h2>
          <div className="row">
            <span className="mono">{done.output}</span>
            <button type="button" className="btn btn-small" onClick={() => void api.openPath({ path: done.output }).catch(() => undefined)}>
              Open folder
            </button>
            <CopyButton text={done.output} label="Copy path" />
          </div>
          <p className="small muted">Label maps with the values of your label table; they also open over their scans in ITK-SNAP, 3D Slicer or any NIfTI viewer.</p>
          {done.input && <PredictionView outputDir={done.output} inputDir={done.input} refreshKey={jobId} />}
        </section>
      )}
    </div>
  )
}
