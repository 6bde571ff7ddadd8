// A training run's progress: epoch n of N, the time left, live loss and Dice curves.
import { useMemo } from 'react'
import type { JobInfo } from '../../../shared/api'
import { MetricsChart } from '../../components/MetricsChart'
import { ProgressBar } from '../../components/ProgressBar'
import { metricSeries, trainingProgress } from '../../lib/chartMath'
import { isActive, useJobs } from '../../store/jobsStore'

const EMPTY_METRICS: never[] = []

export function TrainingProgress({ job, plannedEpochs }: { job: JobInfo; plannedEpochs?: number }) {
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
