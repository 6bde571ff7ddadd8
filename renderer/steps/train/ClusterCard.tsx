// Train on the SLURM cluster: the folds of the form as one job array (find_best after them with
// afterok), the SLURM tasks with their state, node and elapsed time (from scontrol, through each
// task's job), Cancel = scancel; and "Export as scripts": the same study as bash and sbatch files.
import { useState } from 'react'
import type { Configuration, Fold, TrainRequest } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { SchedulerChoice } from '../../components/SchedulerChoice'
import { isActive, useJobs } from '../../store/jobsStore'
import { useSettings } from '../../store/settingsStore'
import { StopAfterEpochButton } from './StopAfterEpochButton'

interface Props {
  /** The form's trainings for these folds, or null while the form is incomplete. */
  trainings: (folds: Fold[]) => TrainRequest[] | null
  fold: Fold
  thenFindBest: boolean
  /** The dataset has not been planned for this configuration (a plan job can go first). */
  needsPlan?: boolean
  datasetId: number | null
  configuration: Configuration
  /** The dataset's cross-validation folds (0..n-1 from its splits_final.json, else 0–4): the job array's default. */
  folds: number[]
}

/** "0,1" -> folds 0 and 1 (numbered folds only: one job array of them); null when not that. */
function parseFolds(text: string): Fold[] | null {
  const items = text.split(',').map((x) => x.trim()).filter(Boolean)
  if (!items.length || items.some((x) => !/^[0-9]$/.test(x)) || new Set(items).size !== items.length) return null
  return items.map(Number)
}

export function ClusterCard({ trainings, fold, folds: cvFolds, thenFindBest, needsPlan, datasetId, configuration }: Props) {
  const settings = useSettings((s) => s.settings)
  const jobs = useJobs((s) => s.jobs)
  const [error, setError] = useState<unknown>(null)
  const [exportDir, setExportDir] = useState('')
  const [exported, setExported] = useState<string | null>(null)
  // Unedited, the job array is the dataset's folds (they change when Plan writes a splits file with fewer).
  const [editedFolds, setFoldsText] = useState<string | null>(null)
  const foldsText = editedFolds ?? cvFolds.join(',')
  const [planFirst, setPlanFirst] = useState(false)
  const folds = parseFolds(foldsText)
  const withPlan = planFirst || !!needsPlan
  const blocked = withPlan && !planFirst
  const slurm = settings?.scheduler === 'slurm'
  // The jobs that follow SLURM tasks (their command is "sbatch <task id>").
  const tasks = Object.values(jobs)
    .filter((j) => j.command?.[0] === 'sbatch')
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, 20)

  const submit = async (folds: Fold[]) => {
    setError(null)
    const reqs = trainings(folds)
    if (!reqs) return
    try {
      const plan = planFirst && datasetId !== null ? { datasetId, configurations: [configuration === '3d_cascade_fullres' ? ('3d_lowres' as const) : configuration], ...(settings?.slurm?.cpus && { processes: settings.slurm.cpus }) } : undefined
      await api.submitToCluster({ ...(plan && { plan }), trainings: reqs, thenFindBest: thenFindBest && folds.length > 1 })
      // The plan is submitted once; later submissions train on it.
      setPlanFirst(false)
    } catch (err) {
      setError(err)
    }
  }
  const exportScripts = async () => {
    setError(null)
    setExported(null)
    const reqs = trainings(cvFolds)
    if (!reqs || !exportDir.trim()) return
    try {
      const out = await api.exportScripts({ folder: exportDir.trim(), trainings: reqs, thenFindBest })
      setExported(`Wrote ${out.files.length} files to ${out.folder}: run-all.sh runs them here with bash, submit-all.sh submits them with sbatch.`)
    } catch (err) {
      setError(err)
    }
  }

  return (
    <section className="card stack" data-testid="cluster-card">
      <SchedulerChoice idPrefix="train" />
      {slurm && (
        <div className="row wrap">
          <button type="button" className="btn btn-primary" disabled={blocked || !trainings([fold])} onClick={() => void submit([fold])} data-testid="slurm-submit-fold">
            Submit fold {String(fold)} to SLURM
          </button>
          <input style={{ width: "8em" }} aria-label="Folds of the job array" value={foldsText} onChange={(e) => setFoldsText(e.target.value)} data-testid="slurm-folds" />
          <button type="button" className="btn" disabled={blocked || !folds || !trainings(folds)} onClick={() => folds && void submit(folds)} data-testid="slurm-submit-folds">
            Submit folds {folds ? folds.join(', ') : '(e.g. 0,1,2)'} as one job array
          </button>
          <label className="check">
            <input type="checkbox" checked={planFirst} onChange={(e) => setPlanFirst(e.target.checked)} data-testid="slurm-plan-first" />
            plan and preprocess first (a SLURM job the trainings wait for)
          </label>
          <span className="muted small">SLURM schedules them; each task&apos;s log streams here as it is written.</span>
        </div>
      )}
      <ErrorBanner error={error} title="SLURM" onDismiss={() => setError(null)} />
      {tasks.length > 0 && (
        <table className="table small" data-testid="slurm-tasks">
          <thead>
            <tr>
              <th>SLURM task</th>
              <th>Run</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tasks.map((j) => (
              <tr key={j.id} data-testid="slurm-task" data-state={j.state}>
                <td className="mono">{j.command?.[1]}</td>
                <td>{j.title}</td>
                <td data-testid="slurm-task-state">{isActive(j) ? (j.progress?.message ?? 'submitted') : j.state === 'done' ? 'finished' : (j.error ?? j.state)}</td>
                <td>
                  <StopAfterEpochButton job={j} small />
                  {isActive(j) && (
                    <button type="button" className="btn btn-small btn-danger" onClick={() => void api.cancelJob({ jobId: j.id })} data-testid="slurm-task-cancel">
                      Cancel (scancel)
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details>
        <summary>Export as scripts</summary>
        <div className="row wrap">
          <input className="grow" placeholder="/folder/for/the/scripts" value={exportDir} onChange={(e) => setExportDir(e.target.value)} data-testid="export-scripts-dir" />
          <button type="button" className="btn" disabled={!exportDir.trim() || !trainings([0])} onClick={() => void exportScripts()} data-testid="export-scripts">
            Export folds {cvFolds.length === 1 ? '0' : `0–${cvFolds.length - 1}`} as scripts
          </button>
        </div>
        <div className="help">One .sbatch file per job (each also runs with bash), run-all.sh for this machine and submit-all.sh for the cluster, with the nnU-Net folders exported.</div>
        {exported && (
          <div className="help" data-testid="export-scripts-done">
            {exported}
          </div>
        )}
      </details>
    </section>
  )
}
