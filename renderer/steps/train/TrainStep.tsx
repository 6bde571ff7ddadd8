// Train: configuration, trainer, epochs, fold and options; runs go into a queue and start one
// after another. The running job shows epoch n of N, the time left, live loss and Dice curves and
// the log.
import { useMemo, useState } from 'react'
import type { JobInfo } from '../../../shared/api'
import type { Configuration, Fold, TrainRequest } from '../../../shared/schema'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { MetricsChart } from '../../components/MetricsChart'
import { PathPicker } from '../../components/PathPicker'
import { ProgressBar } from '../../components/ProgressBar'
import { metricSeries, trainingProgress } from '../../lib/chartMath'
import { isActive, useJobs } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'
import { useTrainQueue } from '../../store/trainQueue'

const CONFIGS: { id: Configuration; text: string }[] = [
  { id: '2d', text: '2d' },
  { id: '3d_fullres', text: '3d_fullres (the usual first choice)' },
  { id: '3d_lowres', text: '3d_lowres (first stage of the cascade)' },
  { id: '3d_cascade_fullres', text: '3d_cascade_fullres (needs 3d_lowres trained)' },
]

const FOLDS: Fold[] = [0, 1, 2, 3, 4, 'all']
const EMPTY_METRICS: never[] = []

function describe(r: TrainRequest): string {
  return `Dataset ${r.datasetId} · ${r.configuration} · fold ${r.fold}${r.trainer ? ` · ${r.trainer}` : ''}${r.epochs ? ` · ${r.epochs} epochs` : ''}`
}

/** A finished 3d_lowres training of this dataset, seen in the job history. */
function hasLowres(jobs: Record<string, JobInfo>, datasetId: number | null): boolean {
  // v2 passes the id as its own argument (502), v1 as a task name (Task005_Liver).
  const isDataset = (a: string) => datasetId !== null && (a === String(datasetId) || new RegExp(`^(Task|Dataset)0*${datasetId}(_|$)`).test(a))
  return Object.values(jobs).some((j) => j.kind === 'train' && j.state === 'done' && (j.command ?? []).includes('3d_lowres') && (j.command ?? []).some(isDataset))
}

function TrainingProgress({ job, plannedEpochs }: { job: JobInfo; plannedEpochs?: number }) {
  const metrics = useJobs((s) => s.metrics[job.id] ?? job.metrics ?? EMPTY_METRICS)
  const p = trainingProgress(metrics, plannedEpochs)
  const series = useMemo(() => metricSeries(metrics), [metrics])
  const active = isActive(job)
  const lr = metrics[metrics.length - 1]?.learningRate
  return (
    <div className="stack">
      <ProgressBar
        testId="train-progress"
        busy={active}
        progress={p.total ? { done: p.finished, total: p.total, unit: 'epochs finished', etaSeconds: active ? p.etaSeconds : undefined } : job.progress}
        idleText={active ? 'Preparing the data loaders (the first epoch can take a while)…' : ''}
      />
      <div className="row small" data-testid="epoch-text">
        {p.current > 0 || p.finished > 0 ? (
          <span>
            {active ? `Epoch ${Math.max(p.current, p.finished + 1)}` : `Stopped after ${p.finished} epoch${p.finished === 1 ? '' : 's'}`}
            {active && p.total ? ` of ${p.total}` : ''}
            {lr !== undefined ? ` · learning rate ${Number(lr.toPrecision(3))}` : ''}
          </span>
        ) : (
          <span className="muted">No epoch started yet.</span>
        )}
      </div>
      <div className="grid-2">
        <MetricsChart title="Loss" series={series.loss} testId="chart-loss" />
        <MetricsChart title="Pseudo Dice" series={series.dice} yDomain={{ min: 0, max: 1 }} testId="chart-dice" />
      </div>
    </div>
  )
}

export function TrainStep() {
  const outputId = useProject((s) => s.output.id)
  const env = useSettings((s) => s.env)
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const jobs = useJobs((s) => s.jobs)
  const latestTrain = useJobs((s) => s.latest.train)
  const { waiting, started, error: queueError, enqueue, remove, clear } = useTrainQueue()
  const [datasetId, setDatasetId] = useState<number | null>(outputId)
  const [configuration, setConfiguration] = useState<Configuration>('3d_fullres')
  const [trainer, setTrainer] = useState('')
  const [epochs, setEpochs] = useState<number | null>(null)
  const [iterations, setIterations] = useState<number | null>(null)
  const [fold, setFold] = useState<Fold>(0)
  const [npz, setNpz] = useState(true)
  const [cont, setCont] = useState(false)
  const [valOnly, setValOnly] = useState(false)
  const [pretrained, setPretrained] = useState('')
  const [viewJob, setViewJob] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)

  const trainerOk = trainer === '' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(trainer)
  const lowresDone = hasLowres(jobs, datasetId)
  const request = (f: Fold): TrainRequest | null =>
    datasetId === null || !trainerOk
      ? null
      : {
          datasetId,
          configuration,
          fold: f,
          trainer: trainer || undefined,
          epochs: epochs ?? undefined,
          iterationsPerEpoch: iterations ?? undefined,
          npz,
          continueTraining: cont,
          validationOnly: valOnly,
          pretrainedWeights: pretrained.trim() || undefined,
        }

  const add = (folds: Fold[]) => {
    setError(null)
    const reqs = folds.map(request)
    if (reqs.some((r) => !r)) return
    enqueue(reqs as TrainRequest[])
  }

  const trainJobs = Object.values(jobs)
    .filter((j) => j.kind === 'train')
    .sort((a, b) => b.createdAt - a.createdAt)
  const shownId = viewJob ?? latestTrain
  const shown = shownId ? jobs[shownId] : undefined
  const planned = started.find((s) => s.jobId === shownId)?.request.epochs
  const trainers = env?.selected?.trainers ?? []

  return (
    <div className="stack">
      {!settings?.folders && <div className="banner banner-warning">Set the nnU-Net folders in the Environment step first.</div>}
      <section className="card">
        <div className="grid-3">
          <div className="field">
            <label htmlFor="tr-id">Dataset id</label>
            <input id="tr-id" type="number" min={1} max={999} value={datasetId ?? ''} onChange={(e) => setDatasetId(e.target.value === '' ? null : Number(e.target.value))} data-testid="train-dataset-id" />
          </div>
          <div className="field">
            <label htmlFor="tr-config">Configuration</label>
            <select id="tr-config" value={configuration} onChange={(e) => setConfiguration(e.target.value as Configuration)} data-testid="train-config">
              {CONFIGS.map((c) => (
                <option key={c.id} value={c.id} disabled={c.id === '3d_cascade_fullres' && !lowresDone && configuration !== c.id}>
                  {c.text}
                </option>
              ))}
            </select>
            {!lowresDone && <div className="help">The cascade becomes available once a 3d_lowres training of this dataset has finished here.</div>}
          </div>
          <div className="field">
            <label htmlFor="tr-fold">Fold</label>
            <select id="tr-fold" value={String(fold)} onChange={(e) => setFold(e.target.value === 'all' ? 'all' : Number(e.target.value))} data-testid="train-fold">
              {FOLDS.map((f) => (
                <option key={String(f)} value={String(f)}>
                  {f === 'all' ? 'all (train on every case, no validation)' : `fold ${f}`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tr-trainer">Trainer</label>
            <input id="tr-trainer" list="trainer-list" value={trainer} placeholder={settings?.nnunetVersion === 'v1' ? 'nnUNetTrainerV2 (default)' : 'nnUNetTrainer (default)'} onChange={(e) => setTrainer(e.target.value.trim())} data-testid="train-trainer" />
            <datalist id="trainer-list">
              {trainers.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
            {!trainerOk && <div className="help text-error">A trainer is a Python class name (letters, digits, _).</div>}
          </div>
          <div className="field">
            <label htmlFor="tr-epochs">Epochs</label>
            <input id="tr-epochs" type="number" min={1} placeholder="trainer default (1000)" value={epochs ?? ''} onChange={(e) => setEpochs(e.target.value === '' ? null : Number(e.target.value))} data-testid="train-epochs" />
          </div>
          <div className="field">
            <label htmlFor="tr-iters">Iterations per epoch</label>
            <input id="tr-iters" type="number" min={1} placeholder="trainer default (250)" value={iterations ?? ''} onChange={(e) => setIterations(e.target.value === '' ? null : Number(e.target.value))} data-testid="train-iterations" />
          </div>
          <div className="field">
            <label htmlFor="tr-device">Device</label>
            <select id="tr-device" value={settings?.device ?? 'cuda'} onChange={(e) => void update({ device: e.target.value as 'cuda' | 'cpu' | 'mps' })} data-testid="train-device">
              <option value="cuda">GPU (CUDA)</option>
              <option value="cpu">CPU</option>
              <option value="mps">Apple GPU (MPS)</option>
            </select>
          </div>
        </div>
        <div className="row wrap">
          <label className="check">
            <input type="checkbox" checked={npz} onChange={(e) => setNpz(e.target.checked)} />
            Save softmax (--npz; needed to compare configurations and ensemble)
          </label>
          <label className="check">
            <input type="checkbox" checked={cont} onChange={(e) => setCont(e.target.checked)} />
            Continue from the last checkpoint
          </label>
          <label className="check">
            <input type="checkbox" checked={valOnly} onChange={(e) => setValOnly(e.target.checked)} />
            Validation only
          </label>
        </div>
        <PathPicker label="Pretrained weights (optional checkpoint file)" value={pretrained} onChange={setPretrained} placeholder="/path/to/checkpoint_final.pth" />
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={!request(fold)} onClick={() => add([fold])} data-testid="start-train">
            Start training
          </button>
          <button type="button" className="btn" disabled={!request(0)} onClick={() => add([0, 1, 2, 3, 4])} data-testid="queue-folds">
            Queue folds 0–4
          </button>
          <span className="muted small">Runs wait in the queue and start one after another.</span>
        </div>
      </section>
      <ErrorBanner error={error ?? queueError} title="Training could not start" onDismiss={() => setError(null)} />
      {waiting.length > 0 && (
        <section className="card" data-testid="train-queue">
          <div className="row">
            <h2 className="grow">Waiting</h2>
            <button type="button" className="btn btn-small" onClick={clear}>
              Clear the queue
            </button>
          </div>
          <ol>
            {waiting.map((w) => (
              <li key={w.key} className="row">
                <span className="grow">{describe(w.request)}</span>
                <button type="button" className="btn btn-small btn-quiet" onClick={() => remove(w.key)}>
                  Remove
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}
      {trainJobs.length > 1 && (
        <div className="row small">
          <label htmlFor="tr-show">Show run</label>
          <select id="tr-show" value={shownId ?? ''} onChange={(e) => setViewJob(e.target.value)}>
            {trainJobs.map((j) => (
              <option key={j.id} value={j.id}>
                {j.title} — {j.state}
              </option>
            ))}
          </select>
        </div>
      )}
      {shown && <JobPanel jobId={shown.id} logHeight={280} progress={<TrainingProgress job={shown} plannedEpochs={planned} />} />}
      {shown && !isActive(shown) && shown.state === 'done' && (
        <p className="small muted">
          Finished. Train the other folds, then compare configurations with nnU-Net’s find_best_configuration (it needs --npz), or go on to Predict.{' '}
          <button type="button" className="btn btn-small" onClick={() => useProject.getState().setStep('predict')}>
            Predict →
          </button>
        </p>
      )}
    </div>
  )
}
