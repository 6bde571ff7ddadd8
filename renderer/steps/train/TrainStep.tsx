// Train: configuration, trainer, epochs, fold and options; runs go into the Node side's run queue
// and start one after another (folds on separate GPUs side by side, GpuField), optionally followed
// by find_best_configuration. The running job shows epoch n of N, the time left, live loss and
// Dice curves and the log; a finished one its final Dice per label.
// The form is part of the project (useProjectForm); what it offers comes from facts: the
// configurations the dataset's plans contain, the device detection found.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { FolderStatus, ValidationSummary } from '../../../shared/api'
import type { Configuration, Fold, TrainRequest } from '../../../shared/schema'
import { useProjectForm } from '../../store/projectForms'
import { PlanSummaryCard } from '../../components/PlanSummaryCard'
import { namedLabels } from '../../lib/namedLabels'
import { TrainingResults } from './TrainingResults'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { CancelTraining } from './CancelTraining'
import { longRunWarning } from '../../../shared/nnunetProgress'
import { firstTry, longRunQuestion, type LongRunQuestion } from '../../../shared/longRunQuestion'
import { trainOutcome, type TrainOutcomeResult } from '../../../shared/trainOutcome'
import { PathPicker } from '../../components/PathPicker'
import { isActive, useJobs } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { useDetectedEnv, useSettings } from '../../store/settingsStore'
import { useTrainQueue } from '../../store/trainQueue'
import { FindBestCard, FindBestOutcome } from './FindBestCard'
import { TrainingProgress } from './TrainingProgress'
import { QueueCard } from './QueueCard'
import { DatasetIdField } from '../../components/DatasetIdField'
import { PlansPicker, shownPlans } from './PlansPicker'
import { TrainLongerCard } from './TrainLongerCard'
import { OwnTrainerCard } from './OwnTrainerCard'
import { ClusterCard } from './ClusterCard'
import { StopAfterEpochButton } from './StopAfterEpochButton'
import { chosenGpus, GpuField } from './GpuField'
import { assignGpus, leastBusyFirst, type GpuUse } from '../../../shared/gpuAssign'

const CONFIGS: { id: Configuration; text: string }[] = [
  { id: '2d', text: '2d' },
  { id: '3d_fullres', text: '3d_fullres (usual first choice)' },
  { id: '3d_lowres', text: '3d_lowres (first stage of the cascade)' },
  { id: '3d_cascade_fullres', text: '3d_cascade_fullres (needs 3d_lowres trained)' },
]

/** Folds 0..n-1 of a dataset with n cross-validation folds (DatasetStatus.folds: its splits_final.json, else 5). */
export const numberedFolds = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
const foldRange = (n: number) => (n === 1 ? 'fold 0' : `folds 0–${n - 1}`)

/** A finished 3d_lowres training of this dataset, as the service finds it in the results folder (refreshed when a job ends). */
function hasLowres(status: FolderStatus | null, datasetId: number | null): boolean {
  return !!status?.datasets.find((d) => d.id === datasetId)?.finishedConfigurations?.includes('3d_lowres')
}

/** The Train form, kept in the project. null follows the facts: the project's dataset id, the first configuration its plans hold. */
const TRAIN_DEFAULTS = {
  datasetId: null as number | null,
  configuration: null as string | null,
  trainer: '',
  epochs: null as number | null,
  iterations: null as number | null,
  /** "0".."4" or "all" (a string: the form is plain JSON of one kind per field). */
  fold: '0',
  npz: true,
  thenFindBest: false,
  continueTraining: false,
  validationOnly: false,
  pretrained: '',
  /** A plans identifier picked on this form; null: the dataset's chosen plans (PlansPicker). */
  plans: null as string | null,
  /** GPU indices (as nvidia-smi lists them) the queued trainings use; none: every run sees all GPUs. */
  gpus: [] as number[],
  gpuUse: 'per-fold' as GpuUse,
}

const asFold = (f: string): Fold => (f === 'all' ? 'all' : Number(f))

/** The part of a training job's result the results card reads (the Node side's TrainResult). */
type TrainResult = TrainOutcomeResult & { validation?: ValidationSummary }

export function TrainStep() {
  const outputId = useProject((s) => s.output.id)
  const projectLabels = useProject((s) => s.labels)
  const env = useDetectedEnv()
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const folderStatus = useSettings((s) => s.folderStatus)
  const refreshFolders = useSettings((s) => s.refreshFolders)
  const jobs = useJobs((s) => s.jobs)
  const latestTrain = useJobs((s) => s.latest.train)
  const latestFindBest = useJobs((s) => s.latest['find-best'])
  const { started, waiting, running, error: queueError, enqueue, dismissError } = useTrainQueue()
  const [form, setForm] = useProjectForm('train', TRAIN_DEFAULTS)
  const { trainer, epochs, iterations, npz, thenFindBest, pretrained } = form
  const datasetId = form.datasetId ?? outputId
  const formFold = asFold(form.fold)
  const cont = form.continueTraining
  const valOnly = form.validationOnly
  const [viewJob, setViewJob] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)

  // What the nnU-Net folders hold now (plans, trained models), again whenever a run ends.
  const ended = Object.values(jobs).filter((j) => !isActive(j)).length
  useEffect(() => {
    if (settings?.folders) void refreshFolders()
  }, [settings?.folders, ended, refreshFolders])

  const dataset = folderStatus?.datasets.find((d) => d.id === datasetId)
  const v1 = settings?.nnunetVersion === 'v1'
  const planned = dataset?.plans?.configurations.map((c) => c.name)
  // A fold the dataset no longer has (a splits file with fewer folds written since): fold 0.
  const fold: Fold = formFold !== 'all' && formFold >= (dataset?.folds ?? 5) ? 0 : formFold
  // Only what the plans contain (v2); without plans (v1, or not planned yet) every configuration.
  const offered = CONFIGS.filter((c) => !planned || planned.includes(c.id))
  // In the plans but not preprocessed (Plan ran with other configurations ticked).
  const notPreprocessed = (id: string) => dataset?.plans?.configurations.find((c) => c.name === id)?.preprocessed === false
  // Unless chosen: 3d_fullres (the usual first choice) if it can be trained now, else the first that can.
  const ready = offered.filter((c) => !notPreprocessed(c.id))
  const fallback = ready.find((c) => c.id === '3d_fullres') ?? ready[0] ?? offered.find((c) => c.id === '3d_fullres') ?? offered[0]
  const configuration = (form.configuration && offered.some((c) => c.id === form.configuration) ? form.configuration : (fallback?.id ?? '3d_fullres')) as Configuration
  const notPlanned = !v1 && !!folderStatus && !!settings?.folders && datasetId !== null && !dataset?.plans
  // A plan of this dataset waiting or running in the queue: a training may queue behind it (the service allows it too).
  const planQueued = [...waiting, ...started.filter((e) => running.includes(e.id))].some((e) => e.kind === 'plan' && e.request.datasetId === datasetId)
  const needsPlan = !planQueued && (notPlanned || notPreprocessed(configuration))
  const labels = useMemo(() => namedLabels(dataset?.labels, projectLabels), [dataset?.labels, projectLabels])
  const noGpu = !!env && env.gpus.length === 0 && !env.selected?.cuda?.available
  // nnU-Net cuts 5 folds from the training cases when no splits_final.json exists (sklearn's KFold refuses fewer cases).
  // Hours on this device (a CPU with nnU-Net's 250 iterations per epoch): said before the start, with fewer iterations offered.
  const longRun = longRunWarning({ device: settings?.device ?? 'cuda', configuration, epochs, iterations })
  // The dataset's folds as the service reads them (splits_final.json, else nnU-Net's 5): what Train offers and queues.
  const foldCount = dataset?.folds ?? 5
  const cvFolds = numberedFolds(foldCount)
  const fewCases = dataset?.trainingCases !== undefined && dataset.trainingCases < foldCount && fold !== 'all'
  // Several GPUs (CUDA only): the ticked ones, and one fold per GPU or one run over them all (v2).
  const detectedGpus = (settings?.device ?? 'cuda') === 'cuda' ? (env?.gpus ?? []) : []
  const gpus = detectedGpus.length >= 2 ? chosenGpus(detectedGpus, form.gpus) : []
  const gpuUse: GpuUse = v1 ? 'per-fold' : form.gpuUse
  const sideBySide = gpus.length >= 2 && gpuUse === 'per-fold'

  const trainerOk = trainer === '' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(trainer)
  const lowresDone = hasLowres(folderStatus, datasetId)
  /** `short`: the first try the long-run question offers (10 iterations per epoch; 10 epochs when none were set). */
  const request = (f: Fold, short = false): TrainRequest | null =>
    datasetId === null || !trainerOk
      ? null
      : {
          datasetId,
          configuration,
          fold: f,
          trainer: trainer || undefined,
          epochs: (short ? firstTry(epochs).epochs : epochs) ?? undefined,
          iterationsPerEpoch: (short ? firstTry(epochs).iterations : iterations) ?? undefined,
          npz,
          continueTraining: cont,
          validationOnly: valOnly,
          pretrainedWeights: pretrained.trim() || undefined,
          // Unpicked: the service uses the plans the dataset was planned with.
          plans: form.plans ? shownPlans(form.plans, dataset) : undefined,
        }

  const queueCard = useRef<HTMLDivElement>(null)
  // A start that will take hours on this device is asked about once, with a short first try offered.
  const [asking, setAsking] = useState<{ folds: Fold[]; opts?: { thenFindBest?: boolean }; question: LongRunQuestion } | null>(null)
  const ask = (folds: Fold[], opts?: { thenFindBest?: boolean }) => {
    setError(null)
    // A named trainer with no epochs or iterations typed runs its own length, which the app does not know: not asked.
    const ownLength = trainer !== '' && epochs === null && iterations === null
    const question = ownLength ? undefined : longRunQuestion({ device: settings?.device ?? 'cuda', configuration, epochs, iterations, runs: folds.length })
    if (question) setAsking({ folds, opts, question })
    else add(folds, opts)
  }
  const add = (folds: Fold[], opts?: { thenFindBest?: boolean }, short = false) => {
    setError(null)
    setAsking(null)
    if (short) setForm({ iterations: firstTry(epochs).iterations, ...(epochs === null ? { epochs: firstTry(epochs).epochs } : {}) })
    const reqs = folds.map((f) => request(f, short))
    if (reqs.some((r) => !r)) return
    // One fold per GPU starts on the least busy ticked GPU (a single fold too).
    const pending = [...started.filter((e) => running.includes(e.id)), ...waiting]
    // The queue and the live run sit below four cards: show them the run just started.
    void enqueue(assignGpus(reqs as TrainRequest[], gpuUse === 'per-fold' ? leastBusyFirst(gpus, pending) : gpus, gpuUse), opts).then(() => {
      if (!useTrainQueue.getState().error) queueCard.current?.scrollIntoView({ behavior: 'smooth', block: 'start' })
    })
  }

  const runJobs = Object.values(jobs)
    .filter((j) => j.kind === 'train' || j.kind === 'find-best')
    .sort((a, b) => b.createdAt - a.createdAt)
  const newest = [latestTrain, latestFindBest].map((id) => (id ? jobs[id] : undefined)).sort((a, b) => (b?.createdAt ?? 0) - (a?.createdAt ?? 0))[0]
  const shownId = viewJob ?? newest?.id
  const shown = shownId ? jobs[shownId] : undefined
  const startedRun = started.find((s) => s.jobId !== undefined && s.jobId === shownId)
  const plannedEpochs = startedRun?.kind === 'train' ? startedRun.request.epochs : undefined
  const shownResult = shown?.kind === 'train' && shown.state === 'done' ? (shown.result as TrainResult | undefined) : undefined
  // A run stopped on request is done as a job, not finished as a model: its badge and next step say so.
  const outcome = shown?.kind === 'train' ? trainOutcome(shownResult) : undefined
  // nnU-Net v1's nnUNetTrainerV2_2epochs/_5epochs are benchmarking trainers that save no model: not offered (Epochs does it properly).
  const trainers = (env?.selected?.trainers ?? []).filter((t) => !/^nnUNetTrainerV2_\d+epochs$/.test(t))

  return (
    <div className="stack">
      {!settings?.folders && <div className="banner banner-warning">Set the nnU-Net folders in the Environment step first.</div>}
      {longRun && (
        <div className="banner banner-warning stack" data-testid="train-long-run">
          <span>{longRun.text}</span>
          <span className="row">
            <button type="button" className="btn" onClick={() => setForm({ iterations: 10, ...(epochs === null ? { epochs: 10 } : {}) })} data-testid="train-fewer-iterations">
              {epochs === null ? 'Try 10 epochs of 10 iterations' : 'Use 10 iterations per epoch'}
            </button>
          </span>
        </div>
      )}
      {fewCases && (
        <div className="banner banner-warning" data-testid="train-few-cases">
          Dataset {datasetId} has {dataset!.trainingCases} training case{dataset!.trainingCases === 1 ? '' : 's'}; its {foldCount} folds need at least {foldCount} (each holds one out for validation), so {foldRange(foldCount)} fail
          unless the Plan step writes a splits_final.json with fewer folds. Train fold “all” (every case, no validation) or add cases.
        </div>
      )}
      <section className="card stack">
        <div className="grid-3">
          <DatasetIdField id="tr-id" value={datasetId} onChange={(id) => setForm({ datasetId: id })} testId="train-dataset-id" />
          <div className="field">
            <label htmlFor="tr-config">Configuration</label>
            <select id="tr-config" value={configuration} onChange={(e) => setForm({ configuration: e.target.value })} data-testid="train-config">
              {offered.map((c) => (
                <option key={c.id} value={c.id} disabled={c.id === '3d_cascade_fullres' && !lowresDone && configuration !== c.id}>
                  {c.text}
                  {notPreprocessed(c.id) ? ' – not preprocessed yet' : ''}
                </option>
              ))}
            </select>
            {planned && !planned.includes('3d_lowres') ? (
              <div className="help" data-testid="train-config-help">
                Only what nnU-Net planned for this dataset: its plans have no 3d_lowres (the images are small enough for 3d_fullres), so there is no cascade.
              </div>
            ) : (
              offered.some((c) => c.id === '3d_cascade_fullres') && !lowresDone && <div className="help">The cascade becomes available once a 3d_lowres training of this dataset has finished.</div>
            )}
          </div>
          <div className="field">
            <label htmlFor="tr-fold">Fold</label>
            <select id="tr-fold" value={String(fold)} onChange={(e) => setForm({ fold: e.target.value })} data-testid="train-fold">
              {[...cvFolds, 'all' as const].map((f) => (
                <option key={String(f)} value={String(f)}>
                  {f === 'all' ? 'all (train on every case, no validation)' : `fold ${f}`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tr-trainer">Trainer</label>
            <input id="tr-trainer" list="trainer-list" value={trainer} placeholder={settings?.nnunetVersion === 'v1' ? 'nnUNetTrainerV2 (default)' : 'nnUNetTrainer (default)'} onChange={(e) => setForm({ trainer: e.target.value.trim() })} data-testid="train-trainer" />
            <datalist id="trainer-list">
              {trainers.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
            {!trainerOk && <div className="help text-error">A trainer is a Python class name (letters, digits, _).</div>}
          </div>
          <PlansPicker dataset={dataset} picked={form.plans} onPick={(plans) => setForm({ plans })} />
          <div className="field">
            <label htmlFor="tr-epochs">Epochs</label>
            <input id="tr-epochs" type="number" min={1} placeholder="trainer default (1000)" value={epochs ?? ''} onChange={(e) => setForm({ epochs: e.target.value === '' ? null : Number(e.target.value) })} data-testid="train-epochs" />
            {epochs !== null && (
              <div className="help" data-testid="train-epochs-help">
                Runs a generated trainer with this length that saves checkpoints and validates ({v1 ? 'installed into nnU-Net v1’s nnunet/training/network_training/nnunet_wizard/' : 'found by nnU-Net through nnUNet_extTrainer'}).
              </div>
            )}
          </div>
          <div className="field">
            <label htmlFor="tr-iters">Iterations per epoch</label>
            <input id="tr-iters" type="number" min={1} placeholder="trainer default (250)" value={iterations ?? ''} onChange={(e) => setForm({ iterations: e.target.value === '' ? null : Number(e.target.value) })} data-testid="train-iterations" />
          </div>
          <div className="field">
            <label htmlFor="tr-device">Device</label>
            <select id="tr-device" value={settings?.device ?? 'cuda'} onChange={(e) => void update({ device: e.target.value as 'cuda' | 'cpu' | 'mps' })} data-testid="train-device">
              <option value="cuda">GPU (CUDA)</option>
              <option value="cpu">CPU</option>
              <option value="mps">Apple GPU (MPS)</option>
            </select>
            {noGpu && (
              <div className={`help${settings?.device === 'cuda' ? ' text-warning' : ''}`} data-testid="train-device-help">
                {settings?.device === 'cuda' ? 'Detection found no GPU that torch can use: a CUDA run would stop at once. Choose CPU.' : 'Detection found no GPU, so runs use the CPU (slow, fine for a first try).'}
              </div>
            )}
          </div>
        </div>
        <div className="row wrap">
          <label className="check">
            <input type="checkbox" checked={npz} onChange={(e) => setForm({ npz: e.target.checked })} />
            Save softmax (--npz; needed to compare configurations and ensemble)
          </label>
          <label className="check">
            <input type="checkbox" checked={cont} onChange={(e) => setForm({ continueTraining: e.target.checked })} />
            Continue from the last checkpoint
          </label>
          <label className="check">
            <input type="checkbox" checked={valOnly} onChange={(e) => setForm({ validationOnly: e.target.checked })} />
            Validation only
          </label>
        </div>
        <GpuField gpus={detectedGpus} chosen={form.gpus} use={gpuUse} v1={v1} onChange={setForm} />
        <PathPicker label="Pretrained weights (optional checkpoint file)" value={pretrained} onChange={(v) => setForm({ pretrained: v })} placeholder="/path/to/checkpoint_final.pth" />
        <div className="row">
          <button type="button" className="btn btn-primary" disabled={!request(fold) || needsPlan} onClick={() => ask([fold])} data-testid="start-train">
            Start training
          </button>
          <button type="button" className="btn" disabled={!request(0) || needsPlan} onClick={() => ask(cvFolds, { thenFindBest })} data-testid="queue-folds">
            Queue {foldRange(foldCount)}
          </button>
          <label className="check">
            <input type="checkbox" checked={thenFindBest} onChange={(e) => setForm({ thenFindBest: e.target.checked })} data-testid="queue-find-best" />
            then find the best configuration
          </label>
          <span className="muted small">{sideBySide ? 'Folds on different GPUs train side by side; the other runs wait in the queue.' : 'Runs wait in the queue and start one after another.'}</span>
        </div>
        {asking && (
          <div className="banner banner-warning stack" role="group" aria-label="Start a long training?" data-testid="train-long-ask">
            <span>{asking.question.text}</span>
            <span className="row">
              <button type="button" className="btn btn-primary" onClick={() => add(asking.folds, asking.opts, true)} data-testid="train-long-short">
                {epochs === null ? 'Start 10 epochs of 10 iterations' : 'Start with 10 iterations per epoch'}
              </button>
              <button type="button" className="btn" onClick={() => add(asking.folds, asking.opts)} data-testid="train-long-start">
                Start anyway
              </button>
              <button type="button" className="btn" onClick={() => setAsking(null)} data-testid="train-long-back">
                Not now
              </button>
            </span>
          </div>
        )}
        {dataset?.planStale && !planQueued && (
          <div className="banner banner-warning" data-testid="train-plan-stale">
            Plan again: {dataset.planStale}. Training would use the old preprocessed data, so it is refused; run the Plan step again, then train.
          </div>
        )}
        {/* Why a start was refused, next to the buttons that asked (not below the cards further down). */}
        {needsPlan && (
          <div className="banner banner-warning" data-testid="train-plan-first">
            {notPlanned && !dataset ? (
              <>
                Plan first: dataset {datasetId} is not in the nnU-Net folders. Write it into nnUNet_raw (Output step, “Write into nnUNet_raw”), plan it in the Plan step, then train.
              </>
            ) : (
              <>
                Plan first: dataset {datasetId} {notPlanned ? 'has not been planned and preprocessed yet' : `has not been preprocessed for ${configuration}`}. Run the Plan step
                {notPlanned ? '' : ` with ${configuration === '3d_cascade_fullres' ? '3d_fullres' : configuration} ticked`}, then train.
              </>
            )}
          </div>
        )}
        <ErrorBanner
          error={error ?? queueError}
          title="Could not start"
          onDismiss={() => {
            setError(null)
            dismissError()
          }}
        />
        {thenFindBest && !npz && (
          <div className="banner banner-warning" data-testid="find-best-npz-warning">
            find_best_configuration compares configurations by ensembling their validation softmax files, which only --npz writes: without it,
            comparing this configuration with the others is refused. Tick “Save softmax (--npz)”.
          </div>
        )}
      </section>
      <ClusterCard
        trainings={(folds) => {
          const reqs = folds.map((f) => request(f))
          return reqs.some((r) => !r) ? null : (reqs as TrainRequest[])
        }}
        fold={fold}
        folds={cvFolds}
        thenFindBest={thenFindBest}
        needsPlan={needsPlan}
        datasetId={datasetId}
        configuration={configuration}
      />
      <OwnTrainerCard datasetId={datasetId} configuration={configuration} fold={fold} onUse={(name) => setForm({ trainer: name, epochs: null, iterations: null })} />
      <TrainLongerCard models={folderStatus?.trainings ?? []} datasetId={datasetId} configuration={configuration} v1={v1} />
      <div ref={queueCard}>
        <QueueCard />
      </div>
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
      {shown && (
        <JobPanel
          jobId={shown.id}
          logHeight={280}
          progress={shown.kind === 'train' ? <TrainingProgress job={shown} plannedEpochs={plannedEpochs} labels={labels} /> : undefined}
          finishedWarning={outcome?.badge}
          cancel={shown.kind === 'train' && shown.state === 'running' ? <CancelTraining job={shown} /> : undefined}
        />
      )}
      {shown && <StopAfterEpochButton job={shown} />}
      {shownResult && <TrainingResults validation={shownResult.validation} labels={labels} />}
      {shown && <FindBestOutcome job={shown} />}
      <PlanSummaryCard plans={dataset?.plans} v1={v1} />
      {shown && !isActive(shown) && shown.state === 'done' && (
        <p className="small muted" data-testid="train-outcome">
          {outcome ? outcome.text : 'Finished. Go on to Predict with the best model.'}{' '}
          {(!outcome || outcome.predictNext) && (
            <button type="button" className="btn btn-small" onClick={() => useProject.getState().setStep('predict')}>
              Predict →
            </button>
          )}
        </p>
      )}
    </div>
  )
}
