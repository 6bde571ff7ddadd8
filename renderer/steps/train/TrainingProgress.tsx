// A training run's progress: what nnU-Net is doing (starting, epoch n of N, final validation case
// k of M, from the runner's phase), the time left, live loss and Dice curves.
import { useMemo } from 'react'
import type { JobInfo } from '../../../shared/api'
import { MetricsChart } from '../../components/MetricsChart'
import { ProgressBar } from '../../components/ProgressBar'
import { metricSeries, trainingProgress, type CurveLabel } from '../../lib/chartMath'
import { isActive, useJobs } from '../../store/jobsStore'

const EMPTY_METRICS: never[] = []

const NO_LABELS: CurveLabel[] = []

/** How an ended training reads: finished as planned, or stopped early (cancelled, failed, or a stop after an epoch). */
function ended(state: JobInfo['state'], finished: number, total: number | undefined): string {
  const epochs = `${finished} epoch${finished === 1 ? '' : 's'}`
  if (state === 'done') return total && finished >= total ? `Finished all ${epochs}` : `Ended after ${epochs}`
  return `Stopped after ${epochs}`
}

export function TrainingProgress({ job, plannedEpochs, labels = NO_LABELS }: { job: JobInfo; plannedEpochs?: number; labels?: readonly CurveLabel[] }) {
  const metrics = useJobs((s) => s.metrics[job.id] ?? job.metrics ?? EMPTY_METRICS)
  const p = trainingProgress(metrics, plannedEpochs)
  const series = useMemo(() => metricSeries(metrics, labels), [metrics, labels])
  const active = isActive(job)
  const lr = metrics[metrics.length - 1]?.learningRate
  const phase = active ? job.progress?.phase : undefined
  // After the last epoch nnU-Net validates every validation case: its own bar, not "epoch N+1".
  const validating = active && job.progress?.unit === 'validation case'
  // Iterations inside the running epoch (the wizard's trainers say each one): pace and time left from the first minute.
  const iterating = active && !validating && /: iteration \d+ of \d+ \(/.test(phase ?? '')
  const epochText = p.total ? Math.min(Math.max(p.current, p.finished + 1), p.total) : Math.max(p.current, p.finished + 1)
  return (
    <div className="stack">
      <ProgressBar
        testId="train-progress"
        busy={active}
        progress={validating || !p.total ? job.progress : { done: p.finished, total: p.total, unit: 'epochs finished', etaSeconds: active ? (p.etaSeconds ?? (iterating ? job.progress?.etaSeconds : undefined)) : undefined }}
        idleText={active ? 'Preparing the data loaders (the first epoch can take a while)…' : ''}
      />
      <div className="row small" data-testid="epoch-text">
        {iterating ? (
          <span data-testid="train-iteration-progress">{phase}</span>
        ) : phase && (validating || p.current === 0) ? (
          <span data-testid="train-phase">{phase}</span>
        ) : p.current > 0 || p.finished > 0 ? (
          <span>
            {active ? `Epoch ${epochText}` : ended(job.state, p.finished, p.total)}
            {active && p.total ? ` of ${p.total}` : ''}
            {/* The time left counts epochs only: the validation after the last one can take minutes more on a CPU. */}
            {active && p.total && epochText === p.total ? ' · then the final validation of every validation case' : ''}
            {lr !== undefined ? ` · learning rate ${Number(lr.toPrecision(3))}` : ''}
          </span>
        ) : (
          <span className="muted">No epoch started yet.</span>
        )}
      </div>
      <div className="grid-2">
        <MetricsChart title="Loss" series={series.loss} testId="chart-loss" />
        <MetricsChart title="Pseudo Dice" series={series.dice} yDomain={{ min: 0, max: 1 }} testId="chart-dice" />
        <MetricsChart title="Learning rate" series={series.lr} testId="chart-lr" />
      </div>
    </div>
  )
}
