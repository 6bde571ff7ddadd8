// Validation: every case is read and merged in memory; the report lists what is wrong per case
// and what to do about it. Nothing is written here; once Write has written the dataset, a case's
// "Correct" opens its labelsTr file in the label editor (TrainingCaseEditor, by the source case key).
import { Fragment, useMemo, useState } from 'react'
import type { CaseReport, CaseStatus, OutlierFinding, ValidationReport } from '../../../shared/api'
import { groupCaseFindings } from '../../../shared/findingGroups'
import { axisCodes } from '../../../shared/orientation'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { JobPanel } from '../../components/JobPanel'
import { isActive } from '../../store/jobsStore'
import { useProjectJob } from '../../store/projectJobs'
import { useProject, useSourceSpec } from '../../store/projectStore'
import { TrainingCaseEditor } from '../review/TrainingCaseEditor'
import { plural } from '../../lib/format'
import { RegionsCard } from './RegionsCard'

type Filter = 'all' | CaseStatus

function isReport(x: unknown): x is ValidationReport {
  return !!x && typeof x === 'object' && Array.isArray((x as ValidationReport).cases) && !!(x as ValidationReport).counts
}

export function CheckStep() {
  const spec = useSourceSpec()
  const { jobId, job, outdated, error, start } = useProjectJob('validate', spec)
  const [filter, setFilter] = useState<Filter>('all')
  const [open, setOpen] = useState<string | null>(null)
  // The case whose written label is open in the editor, below the report.
  const [correcting, setCorrecting] = useState<string | null>(null)
  const output = useProject((s) => s.output)
  const canCorrect = !!(output.outDir && output.id && output.name)
  const report = isReport(job?.result) ? job.result : null

  const run = () => {
    if (spec) start(() => api.validate(spec))
  }

  const shown = report?.cases.filter((c) => filter === 'all' || c.status === filter) ?? []
  const labelNames = spec?.labels.map((l) => l.name) ?? []
  const groups = useMemo(() => (report ? groupCaseFindings(report.cases) : []), [report])
  const outliersOf = useMemo(() => {
    const m = new Map<string, OutlierFinding[]>()
    for (const o of report?.outliers ?? []) m.set(o.caseKey, [...(m.get(o.caseKey) ?? []), o])
    return m
  }, [report])
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
            {(report.outliers?.length ?? 0) > 0 && (
              <span className="badge badge-warning" data-testid="count-outliers" title="Cases that differ from the rest: listed below, they do not stop a write">
                {new Set(report.outliers!.map((o) => o.caseKey)).size} unlike the others
              </span>
            )}
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
          {job?.endedAt !== undefined && (
            <p className="small muted" data-testid="checked-at">
              Checked at {new Date(job.endedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}. Files changed on disk since then are seen when you check again.
            </p>
          )}
          <FindingList findings={report.findings} />
          <OutlierList outliers={report.outliers ?? []} />
          {groups.length > 0 && (
            <>
              <h3>Messages</h3>
              <p className="small muted">The same message about several cases is shown once, with the cases it is about.</p>
              <FindingList testId="check-summary" findings={groups.map((g) => ({ ...g.finding, text: g.summary, file: g.caseKeys.length > 1 ? undefined : g.finding.file }))} />
            </>
          )}
          <p className="small muted" data-testid="voxel-legend">
            Voxels per label: <b>mask</b> = foreground of the label's own mask; <b>final</b> = what it keeps in the merged label map after overlaps are resolved (the later label wins).
          </p>
          <div className="table-wrap">
            <table data-testid="check-table">
              <thead>
                <tr>
                  <th>Case</th>
                  <th>Status</th>
                  <th>Size</th>
                  <th>Spacing (mm)</th>
                  <th title="Where each voxel axis points to (L/R, P/A, S/I)">Axes</th>
                  {labelNames.map((n) => (
                    <th key={n}>
                      {n} voxels
                      <div className="small muted">mask / final</div>
                    </th>
                  ))}
                  <th>Overlap voxels</th>
                  <th>Messages</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c: CaseReport) => (
                  <Fragment key={c.caseKey}>
                    <tr data-testid="check-row" data-case={c.caseKey} data-status={c.status} data-outlier={outliersOf.has(c.caseKey) || undefined}>
                      <td className="mono nowrap">
                        {c.caseKey}{' '}
                        {canCorrect && (
                          <button type="button" className="btn btn-small btn-quiet" onClick={() => setCorrecting(c.caseKey)} title="Open the label Write made of this case (labelsTr) in the label editor" data-testid={`check-correct-${c.caseKey}`}>
                            Correct
                          </button>
                        )}
                      </td>
                      <td>
                        <span className={`badge badge-${c.status}`}>{c.status}</span>
                        {outliersOf.get(c.caseKey)?.map((o) => (
                          <span key={o.kind} className="badge badge-warning" title={o.text} data-testid="outlier-badge">
                            {OUTLIER_LABEL[o.kind]}
                          </span>
                        ))}
                      </td>
                      <td className="mono small">{c.geometry ? c.geometry.size.join('×') : '–'}</td>
                      <td className="mono small" data-testid="spacing">{c.geometry ? c.geometry.spacing.map((x) => +x.toFixed(3)).join('×') : '–'}</td>
                      <td className="mono small" data-testid="axes">{c.geometry ? axisCodes(c.geometry.direction) : '–'}</td>
                      {labelNames.map((n) => (
                        <td key={n} className="num nowrap" data-testid="voxels">
                          <VoxelCell raw={c.rawVoxelCounts?.[n]} final={c.voxelCounts[n]} />
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
                        <td colSpan={7 + labelNames.length}>
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
      {correcting && <TrainingCaseEditor key={correcting} caseKey={correcting} onClose={() => setCorrecting(null)} />}
      {report && <RegionsCard labelNames={labelNames} cases={report.cases} />}
    </div>
  )
}

const OUTLIER_LABEL: Record<OutlierFinding['kind'], string> = { direction: 'other axes', spacing: 'other spacing', 'outside-body': 'mask outside body' }

/** Raw and final counts; one number when the overlap took nothing from this label. */
function VoxelCell({ raw, final }: { raw?: number; final?: number }) {
  const f = final ?? 0
  if (raw === undefined || raw === f) return <>{f.toLocaleString()}</>
  return (
    <span title={`${raw.toLocaleString()} in its mask, ${f.toLocaleString()} after overlaps are resolved`}>
      <span className="muted">{raw.toLocaleString()} /</span> {f.toLocaleString()}
    </span>
  )
}

/** Cases unlike the rest: shown above the table so a flipped mask is seen before writing. */
function OutlierList({ outliers }: { outliers: OutlierFinding[] }) {
  if (outliers.length === 0) return null
  return (
    <div data-testid="check-outliers">
      <h3>Cases unlike the others</h3>
      <FindingList testId="outlier-findings" findings={outliers} />
    </div>
  )
}
