// Nested masks, found in the Check step's overlap counts: says which structure lies inside which
// (with the voxels inside and outside), explains overlaps that are not nesting, and offers to
// write the dataset for nnU-Net v2's region-based training (Output's prepare then writes region
// labels and regions_class_order; the label files stay the same). Shown on Check and Labels.
import { useMemo } from 'react'
import type { CaseReport } from '../../../shared/api'
import { analyzeRegions, DEFAULT_NESTING_TOLERANCE, describeNesting, describePartial, describeRegions } from '../../../shared/regions'
import { useJobs } from '../../store/jobsStore'
import { useProject } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'

/**
 * The cases of this project's last finished check, while they still cover the current labels. The
 * pair counts are by name, so reordering the labels needs no new check: the analysis follows the order.
 */
export function useLastCheckCases(labelNames: readonly string[]): CaseReport[] | null {
  const run = useProject((s) => s.runs.validate)
  const job = useJobs((s) => (run ? s.jobs[run.jobId] : undefined))
  const cases = job?.state === 'done' ? (job.result as { cases?: CaseReport[] } | undefined)?.cases : undefined
  if (!cases?.length || !labelNames.length) return null
  const covered = cases.every((c) => c.status === 'error' || labelNames.every((n) => n in (c.rawVoxelCounts ?? {})))
  return covered ? cases : null
}

export function RegionsCard({ labelNames: allNames, cases }: { labelNames: string[]; cases: readonly CaseReport[] }) {
  // The ignore label (unannotated voxels, merged last) is no structure: it takes no part in regions.
  const ignored = useProject((s) => s.labels.find((l) => l.ignore)?.name)
  const labelNames = useMemo(() => allNames.filter((n) => n !== ignored), [allNames, ignored])
  const analysis = useMemo(() => analyzeRegions(labelNames, cases), [labelNames, cases])
  const regions = useProject((s) => s.output.regions)
  const layout = useProject((s) => s.output.layout)
  const setOutput = useProject((s) => s.setOutput)
  const v1 = useSettings((s) => s.settings?.nnunetVersion === 'v1')
  const { nested, misordered, partial } = analysis
  if (!nested.length && !misordered.length && !partial.length) return null
  const why = layout === 'msd' || v1 ? 'Region-based training is an nnU-Net v2 feature: the Decathlon (MSD) layout and nnU-Net v1 have no region labels.' : analysis.refusal
  return (
    <section className="card stack-tight" data-testid="regions-card">
      <h2>Nested structures</h2>
      {nested.map((n) => (
        <p key={`${n.outer}/${n.inner}`} data-testid="regions-nested">
          {describeNesting(n)}
        </p>
      ))}
      {misordered.map((n) => (
        <p key={`${n.outer}/${n.inner}`} className="text-warning" data-testid="regions-misordered">
          {describeNesting(n)} But {n.inner} comes before {n.outer} in the label order, so {n.outer} overwrites it: move {n.inner} below {n.outer} in the Labels step.
        </p>
      ))}
      {partial.map((p) => (
        <p key={`${p.a}/${p.b}`} className="muted" data-testid="regions-partial">
          {describePartial(p)}
        </p>
      ))}
      {analysis.labels && !why ? (
        <>
          <label className="check">
            <input type="checkbox" checked={regions} onChange={(e) => setOutput({ regions: e.target.checked })} data-testid="regions-toggle" />
            Train on nested regions (nnU-Net v2 region-based training: often better for a structure inside another)
          </label>
          <div className="help" data-testid="regions-preview">
            Regions: {describeRegions(labelNames, analysis)}. dataset.json gets <span className="mono">{JSON.stringify(analysis.labels)}</span> and{' '}
            <span className="mono">regions_class_order {JSON.stringify(analysis.regionsClassOrder)}</span>; the label files are the same. Counted nested when at most{' '}
            {Math.round(DEFAULT_NESTING_TOLERANCE * 100)} % of the inner structure lies outside.
          </div>
        </>
      ) : (
        <div className="help" data-testid="regions-refused">
          Not possible as regions: {why}
        </div>
      )}
    </section>
  )
}
