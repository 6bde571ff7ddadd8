// Train: configuration, trainer, epochs, fold and options; runs go into the Node side's run queue
// and start one after another, optionally followed by find_best_configuration. The running job shows epoch n of
// N, the time left, live loss and Dice curves and the log.
import { useState } from 'react'
import type { JobInfo } from '../../../shared/api'
import type { Configuration, Fold, TrainRequest } from '../../../shared/schema'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { isActive, useJobs } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'
import { useTrainQueue } from '../../store/trainQueue'
import { FindBestCard, FindBestOutcome } from './FindBestCard'
import { TrainingProgress } from './TrainingProgress'
import { QueueCard } from './QueueCard'
import { DatasetIdField } from '../../components/DatasetIdField'

const CONFIGS: { id: Configuration; text: string }[] = [
  { id: '2d', text: '2d' },
  { id: '3d_fullres', text: '3d_fullres (the usual first choice)' },
  { id: '3d_lowres', text: '3d_lowres (first stage of the cascade)' },
  { id: '3d_cascade_fullres', text: '3d_cascade_fullres (needs 3d_lowres trained)' },
]

const FOLDS: Fold[] = [0, 1, 2, 3, 4, 'all']

/** A finished 3d_lowres training of this dataset, seen in the job history. */
function hasLowres(jobs: Record<string, JobInfo>, datasetId: number | null): boolean {
  // v2 passes the id as its own argument (502), v1 as a task name (Task005_Liver).
  const isDataset = (a: string) => datasetId !== null && (a === String(datasetId) || new RegExp(`^(Task|Dataset)0*${datasetId}(_|$)`).test(a))
  return Object.values(jobs).some((j) => j.kind === 'train' && j.state === 'done' && (j.command ?? []).includes('3d_lowres') && (j.command ?? []).some(isDataset))
}

export function TrainStep() {
  const outputId = useProject((s) => s.output.id)
  const env = useSettings((s) => s.env)
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const jobs = useJobs((s) => s.jobs)
  const latestTrain = useJobs((s) => s.latest.train)
  const latestFindBest = useJobs((s) => s.latest['find-best'])
  const { started, error: queueError, enqueue, dismissError } = useTrainQueue()
  const [datasetId, setDatasetId] = useState<number | null>(outputId)
  const [configuration, setConfiguration] = useState<Configuration>('3d_fullres')
  const [trainer, setTrainer] = useState('')
  const [epochs, setEpochs] = useState<number | null>(null)
  const [iterations, setIterations] = useState<number | null>(null)
  const [fold, setFold] = useState<Fold>(0)
  const [npz, setNpz] = useState(true)
  const [thenFindBest, setThenFindBest] = useState(false)
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

  const add = (folds: Fold[], opts?: { thenFindBest?: boolean }) => {
    setError(null)
    const reqs = folds.map(request)
    if (reqs.some((r) => !r)) return
    void enqueue(reqs as TrainRequest[], opts)
  }

  const runJobs = Object.values(jobs)
    .filter((j) => j.kind === 'train' || j.kind === 'find-best')
    .sort((a, b) => b.createdAt - a.createdAt)
  const newest = [latestTrain, latestFindBest].map((id) => (id ? jobs[id] : undefined)).sort((a, b) => (b?.createdAt ?? 0) - (a?.createdAt ?? 0))[0]
  const shownId = viewJob ?? newest?.id
  const shown = shownId ? jobs[shownId] : undefined
  const startedRun = started.find((s) => s.jobId !== undefined && s.jobId === shownId)
  const planned = startedRun?.kind === 'train' ? startedRun.request.epochs : undefined
  const trainers = env?.selected?.trainers ?? []

  return (
    <div className="stack">
      {!settings?.folders && <div className="banner banner-warning">Set the nnU-Net folders in the Environment step first.</div>}
      <section className="card">
        <div className="grid-3">
          <DatasetIdField id="tr-id" value={datasetId} onChange={setDatasetId} testId="train-dataset-id" />
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
          <button type="button" className="btn" disabled={!request(0)} onClick={() => add([0, 1, 2, 3, 4], { thenFindBest })} data-testid="queue-folds">
            Queue folds 0–4
          </button>
          <label className="check">
            <input type="checkbox" checked={thenFindBest} onChange={(e) => setThenFindBest(e.target.checked)} data-testid="queue-find-best" />
            then find the best configuration
          </label>
          <span className="muted small">Runs wait in the queue and start one after another.</span>
        </div>
        {thenFindBest && !npz && (
          <div className="banner banner-warning" data-testid="find-best-npz-warning">
            find_best_configuration compares configurations by ensembling their validation softmax files, which only --npz writes: without it,
            comparing this configuration with the others is refused. Tick “Save softmax (--npz)”.
          </div>
        )}
      </section>
      <ErrorBanner
        error={error ?? queueError}
        title="Could not start"
        onDismiss={() => {
          setError(null)
          dismissError()
        }}
      />
      <QueueCard />
      <FindBestCard datasetId={datasetId} />
      {runJobs.length > 1 && (
        <div className="row small">
          <label htmlFor="tr-show">Show run</label>
          <select id="tr-show" value={shownId ?? ''} onChange={(e) => setViewJob(e.target.value)}>
            {runJobs.map((j) => (
              <option key={j.id} value={j.id}>
                {j.title} — {j.state}
              </option>
            ))}
          </select>
        </div>
      )}
      {shown && <JobPanel jobId={shown.id} logHeight={280} progress={shown.kind === 'train' ? <TrainingProgress job={shown} plannedEpochs={planned} /> : undefined} />}
      {shown && <FindBestOutcome job={shown} />}
      {shown && !isActive(shown) && shown.state === 'done' && (
        <p className="small muted">
          Finished.{' '}
          {shown.kind === 'train' ? 'Train the other folds, then find the best configuration above (it needs --npz), or go on to Predict.' : 'Go on to Predict with the best model.'}{' '}
          <button type="button" className="btn btn-small" onClick={() => useProject.getState().setStep('predict')}>
            Predict →
          </button>
        </p>
      )}
    </div>
  )
}
