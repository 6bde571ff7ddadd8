// Validation: every case is read and merged in memory; the report lists what is wrong per case
// and what to do about it. Nothing is written.
import { Fragment, useState } from 'react'
import type { CaseReport, CaseStatus, ValidationReport } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { JobPanel } from '../../components/JobPanel'
import { isActive } from '../../store/jobsStore'
import { useProjectJob } from '../../store/projectJobs'
import { useSourceSpec } from '../../store/projectStore'
import { plural } from '../../lib/format'

type Filter = 'all' | CaseStatus

function isReport(x: unknown): x is ValidationReport {
  return !!x && typeof x === 'object' && Array.isArray((x as ValidationReport).cases) && !!(x as ValidationReport).counts
}

export function CheckStep() {
  const spec = useSourceSpec()
  const { jobId, job, outdated, error, start } = useProjectJob('validate', spec)
  const [filter, setFilter] = useState<Filter>('all')
  const [open, setOpen] = useState<string | null>(null)
  const report = isReport(job?.result) ? job.result : null

  const run = () => {
    if (spec) start(() => api.validate(spec))
  }

  const shown = report?.cases.filter((c) => filter === 'all' || c.status === filter) ?? []
  const labelNames = spec?.labels.map((l) => l.name) ?? []
  return (
    <div className="stack">
      <section className="card row">
        <div className="grow">
          {spec ? <span>Reads every scan and mask, checks sizes, spacing, orientation and mask values, and counts overlaps.</span> : <span className="text-warning">Choose the folders in the Sources step first.</span>}
        </div>
        <button type="button" className="btn btn-primary" disabled={!spec || isActive(job)} onClick={run} data-testid="run-check">
          {report ? 'Check again' : 'Check the cases'}
        </button>
      </section>
      <ErrorBanner error={error} title="The check could not start" />
      {outdated && (
        <div className="banner banner-info" data-testid="check-outdated">
          The folders or labels changed since the last check: check the cases again.
        </div>
      )}
      <JobPanel jobId={jobId} showLog={false} />
      {report && (
        <section className="card" data-testid="check-report">
          <div className="row wrap">
            <h2 className="grow">Report</h2>
            <span className="badge badge-ok" data-testid="count-ok">
              {report.counts.ok} ok
            </span>
            <span className="badge badge-warning" data-testid="count-warning">
              {report.counts.warning} with warnings
            </span>
            <span className="badge badge-error" data-testid="count-error">
              {report.counts.error} with errors
            </span>
            <label className="small">
              Show{' '}
              <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="check-filter">
                <option value="all">all cases</option>
                <option value="ok">ok</option>
                <option value="warning">warnings</option>
                <option value="error">errors</option>
              </select>
            </label>
          </div>
          <FindingList findings={report.findings} />
          <div className="table-wrap">
            <table data-testid="check-table">
              <thead>
                <tr>
                  <th>Case</th>
                  <th>Status</th>
                  <th>Size</th>
                  {labelNames.map((n) => (
                    <th key={n}>{n} voxels</th>
                  ))}
                  <th>Overlap voxels</th>
                  <th>Messages</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c: CaseReport) => (
                  <Fragment key={c.caseKey}>
                    <tr data-testid="check-row" data-status={c.status}>
                      <td className="mono">{c.caseKey}</td>
                      <td>
                        <span className={`badge badge-${c.status}`}>{c.status}</span>
                      </td>
                      <td className="mono small">{c.geometry ? c.geometry.size.join('×') : '–'}</td>
                      {labelNames.map((n) => (
                        <td key={n} className="num">
                          {(c.voxelCounts[n] ?? 0).toLocaleString()}
                        </td>
                      ))}
                      <td className="num" data-testid="overlap">
                        {c.overlapVoxels.toLocaleString()}
                      </td>
                      <td>
                        {c.findings.length > 0 ? (
                          <button type="button" className="btn btn-small" aria-expanded={open === c.caseKey} onClick={() => setOpen(open === c.caseKey ? null : c.caseKey)}>
                            {plural(c.findings.length, 'message')}
                          </button>
                        ) : (
                          <span className="muted small">none</span>
                        )}
                      </td>
                    </tr>
                    {open === c.caseKey && (
                      <tr>
                        <td colSpan={5 + labelNames.length}>
                          <FindingList findings={c.findings} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {shown.length === 0 && <p className="muted">No case has this status.</p>}
        </section>
      )}
    </div>
  )
}
