// The guide's last training step: nnU-Net's find_best_configuration over the configurations whose
// folds have finished (as the results folder shows them), queued behind any running training in
// the Node side's run queue. A refusal (folds without --npz) names each folder and the command.
import { useEffect, useMemo, useState } from 'react'
import type { FindBestResult, JobInfo } from '../../../shared/api'
import type { Configuration } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { isActive, useJobs, useLatestJob } from '../../store/jobsStore'
import { useSettings } from '../../store/settingsStore'
import { commonFolds, findBestChoices } from '../../store/trainQueue'

/** Ended train and find-best jobs: the results folder may have changed with each. */
function endedRuns(jobs: Record<string, JobInfo>): number {
  return Object.values(jobs).filter((j) => (j.kind === 'train' || j.kind === 'find-best') && !isActive(j)).length
}

export function FindBestCard({ datasetId }: { datasetId: number | null }) {
  const status = useSettings((s) => s.folderStatus)
  const hasFolders = useSettings((s) => !!s.settings?.folders)
  const refresh = useSettings((s) => s.refreshFolders)
  const ended = useJobs((s) => endedRuns(s.jobs))
  const findBest = useLatestJob('find-best')
  const choices = useMemo(() => findBestChoices(status?.trainings, datasetId), [status, datasetId])
  const [choiceKey, setChoiceKey] = useState('')
  const [unticked, setUnticked] = useState<Set<string>>(new Set())

  useEffect(() => {
    if (hasFolders) void refresh()
  }, [hasFolders, ended, refresh])

  const choice = choices.find((c) => `${c.trainer}__${c.plans}` === choiceKey) ?? choices[0]
  const selected = (choice?.models ?? []).filter((m) => !unticked.has(m.configuration))
  const folds = commonFolds(selected)
  const toggle = (configuration: string, on: boolean) => {
    const next = new Set(unticked)
    if (on) next.delete(configuration)
    else next.add(configuration)
    setUnticked(next)
  }
  const start = () => {
    if (datasetId === null || !choice || !selected.length || !folds.length) return
    const request = { datasetId, configurations: selected.map((m) => m.configuration as Configuration), folds, trainer: choice.trainer, plans: choice.plans }
    findBest.start(() => api.findBest(request))
  }

  return (
    <section className="card stack" data-testid="find-best">
      <div className="row">
        <h2 className="grow">Find the best configuration</h2>
        <button type="button" className="btn btn-small btn-quiet" disabled={!hasFolders} onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {!choice ? (
        <p className="muted small" data-testid="find-best-none">
          No finished folds of dataset {datasetId ?? '–'} in the results folder yet. Train folds 0–{(status?.datasets.find((d) => d.id === datasetId)?.folds ?? 5) - 1} of each configuration you want to compare (with --npz), then
          compare them here, or tick “then find the best configuration” when queueing the folds.
        </p>
      ) : (
        <>
          {choices.length > 1 && (
            <div className="field">
              <label htmlFor="fb-trainer">Trainer and plans</label>
              <select id="fb-trainer" value={`${choice.trainer}__${choice.plans}`} onChange={(e) => setChoiceKey(e.target.value)}>
                {choices.map((c) => (
                  <option key={`${c.trainer}__${c.plans}`} value={`${c.trainer}__${c.plans}`}>
                    {c.trainer} · {c.plans}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="row wrap">
            {choice.models.map((m) => (
              <label key={m.configuration} className="check">
                <input type="checkbox" checked={!unticked.has(m.configuration)} onChange={(e) => toggle(m.configuration, e.target.checked)} data-testid={`find-best-config-${m.configuration}`} />
                {m.configuration} <span className="muted small">(finished: fold {m.finished.join(', ')})</span>
              </label>
            ))}
          </div>
          <div className="row">
            <button type="button" className="btn" disabled={!selected.length || !folds.length} onClick={start} data-testid="find-best-start">
              Find best configuration
            </button>
            <span className="muted small" data-testid="find-best-folds">
              {!selected.length
                ? 'Tick at least one configuration.'
                : folds.length
                  ? `Compares fold${folds.length === 1 ? '' : 's'} ${folds.join(', ')} (finished in every ticked configuration)${selected.length > 1 ? '; needs the --npz files of each' : ''}.`
                  : 'The ticked configurations have no finished fold in common.'}
            </span>
          </div>
        </>
      )}
      <ErrorBanner error={findBest.error} title="find_best_configuration was not started" onDismiss={() => findBest.setError(null)} />
    </section>
  )
}

/** The outcome of a finished find-best job, under its panel. */
export function FindBestOutcome({ job }: { job: JobInfo }) {
  if (job.kind !== 'find-best' || job.state !== 'done') return null
  const best = (job.result as FindBestResult | undefined)?.best
  return (
    <p className="small" data-testid="find-best-result">
      {best ? (
        <>
          Best: <strong className="mono">{best.model}</strong> (mean validation Dice {Number.isFinite(best.dice) ? best.dice.toFixed(4) : 'n/a'}). How to predict with it is written in the
          dataset’s results folder.
        </>
      ) : (
        'Finished. nnU-Net wrote its comparison, and how to predict with the best model, into the dataset’s results folder.'
      )}
    </p>
  )
}
