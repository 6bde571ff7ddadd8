// The "Check cases" job: every rule on every case, nothing written.
import type { CaseReport, ValidationReport } from '../../shared/api'
import type { SourceSpec } from '../../shared/schema'
import { JobCancelledError, type JobContext } from '../jobs/jobManager'
import { casePool } from './casePool'
import type { CaseInput } from './caseWork'
import { scanSources } from './scan'
import { CaseProgress } from './progress'
import { findOutliers } from './outliers'
import type { CaseMatch } from '../../shared/api'

export function caseInput(spec: SourceSpec, c: CaseMatch): CaseInput {
  return { caseKey: c.caseKey, image: c.image, masks: c.masks, labelNames: spec.labels.map((l) => l.name), labelDirs: spec.labels.map((l) => l.dir), allowMissingMask: spec.allowMissingMask, ...(spec.labels.some((l) => l.structure) && { structures: spec.labels.map((l) => l.structure ?? null) }), ...(spec.dicomSeries && { dicomSeries: spec.dicomSeries }), ...(spec.dicomSeriesByCase?.[c.caseKey] && { dicomSeriesUid: spec.dicomSeriesByCase[c.caseKey] }) }
}

export function countStatuses(cases: CaseReport[]): ValidationReport['counts'] {
  return { ok: cases.filter((c) => c.status === 'ok').length, warning: cases.filter((c) => c.status === 'warning').length, error: cases.filter((c) => c.status === 'error').length }
}

export function describeCase(r: CaseReport): string {
  const problems = r.findings.filter((f) => f.severity !== 'info')
  return `${r.caseKey}: ${r.status}${problems.length ? ' - ' + problems.map((f) => f.text).join(' | ') : ''}`
}

export async function validateSources(spec: SourceSpec, ctx: JobContext): Promise<ValidationReport> {
  const scan = await scanSources(spec)
  const progress = new CaseProgress(ctx, scan.cases.length, 'Checking cases')
  const pool = casePool()
  const settled = await Promise.allSettled(
    scan.cases.map(async (c) => {
      const { report } = await pool.inspect({ input: caseInput(spec, c), want: 'report' }, ctx.signal)
      ctx.log(describeCase(report))
      progress.step()
      return report
    }),
  )
  if (ctx.signal.aborted) throw new JobCancelledError()
  const cases = settled.map((s, i) =>
    s.status === 'fulfilled'
      ? s.value
      : ({ caseKey: scan.cases[i]!.caseKey, status: 'error', findings: [{ severity: 'error', code: 'check-failed', text: s.reason instanceof Error ? s.reason.message : String(s.reason) }], voxelCounts: {}, overlapVoxels: 0 } satisfies CaseReport),
  )
  return { cases, counts: countStatuses(cases), findings: scan.findings, outliers: findOutliers(cases) }
}
