// A training run's progress: what nnU-Net is doing (starting, epoch n of N, final validation case
// k of M, from the runner's phase), the time left, live loss and Dice curves.
import { useMemo } from 'react'
import type { JobInfo } from '../../../shared/api'
import { MetricsChart } from '../../components/MetricsChart'
import { ProgressBar } from '../../components/ProgressBar'
import { metricSeries, trainingProgress, type CurveLabel } from '../../lib/chartMath'
import { isActive, useJobs } from '../../store/jobsStore'
import { trainStatus } from '../../lib/trainStatus'

const EMPTY_METRICS: never[] = []

const NO_LABELS: CurveLabel[] = []

export function TrainingProgress({ job, plannedEpochs, labels = NO_LABELS }: { job: JobInfo; plannedEpochs?: number; labels?: readonly CurveLabel[] }) {
  const metrics = useJobs((s) => s.metrics[job.id] ?? job.metrics ?? EMPTY_METRICS)
  const p = trainingProgress(metrics, plannedEpochs)
  const series = useMemo(() => metricSeries(metrics, labels), [metrics, labels])
  const active = isActive(job)
  const lr = metrics[metrics.length - 1]?.learningRate
  const { bar, line, complete } = trainStatus(job.state, active, job.progress, p, lr)
  return (
    <div className="stack">
      <ProgressBar testId="train-progress" busy={active} complete={complete} progress={bar} idleText={active ? 'Preparing the data loaders (the first epoch can take a while)…' : ''} />
      <div className="row small" data-testid="epoch-text">
        {line.kind === 'iteration' ? (
          <span data-testid="train-iteration-progress">{line.text}</span>
        ) : line.kind === 'phase' ? (
          <span data-testid="train-phase">{line.text}</span>
        ) : line.kind === 'none' ? (
          line.text && <span className="muted">{line.text}</span>
        ) : (
          <span>{line.text}</span>
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
