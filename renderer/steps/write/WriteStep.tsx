// Write: the prepare job converts every case into the dataset folder (resumable: finished cases
// are skipped on a second run), with progress, cancel and a summary.
import type { PrepareSummary } from '../../../shared/api'
import { groupCaseFindings } from '../../../shared/findingGroups'
import { testSetLoss } from '../../../shared/splits'
import { api } from '../../api'
import { CopyButton } from '../../components/CopyButton'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { JobPanel } from '../../components/JobPanel'
import { OpenFolderButton } from '../../components/OpenFolderButton'
import { isActive } from '../../store/jobsStore'
import { useProjectJob } from '../../store/projectJobs'
import { plural } from '../../lib/format'
import { usePrepareRequest, useProject } from '../../store/projectStore'

function isSummary(x: unknown): x is PrepareSummary {
  return !!x && typeof x === 'object' && typeof (x as PrepareSummary).datasetDir === 'string' && typeof (x as PrepareSummary).written === 'number'
}

export function WriteStep() {
  const output = useProject((s) => s.output)
  const setStep = useProject((s) => s.setStep)
  const { request, missing } = usePrepareRequest()
  const { jobId, job, outdated, error, start } = useProjectJob('prepare', request)
  const summary = isSummary(job?.result) ? job.result : null
  const partial = summary && summary.failed > 0 ? `Finished: ${summary.written} written, ${summary.failed} failed` : undefined

  const write = () => {
    if (request) start(() => api.prepare(request))
  }
  // One line per message, with the cases it is about (the overlap note of every case is one line).
  const caseFindings =
    summary &&
    groupCaseFindings(summary.cases).map((g) => ({ ...g.finding, text: g.caseKeys.length > 1 ? g.summary : `${g.caseKeys[0]}: ${g.finding.text}`, file: g.caseKeys.length > 1 ? undefined : g.finding.file }))
  return (
    <div className="stack">
      <section className="card row">
        <div className="grow">
          {request ? (
            <span>
              Writes <strong>{output.layout === 'msd' ? 'an MSD task' : 'an nnU-Net v2 dataset'}</strong> into <span className="mono">{output.outDir}</span>. Your source folders are only read, never changed.
            </span>
          ) : (
            <span className="text-warning">Still needed: {missing.join(', ')}.</span>
          )}
        </div>
        <button type="button" className="btn btn-primary" disabled={!request || isActive(job)} onClick={write} data-testid="start-write">
          {summary ? 'Write again' : 'Write the dataset'}
        </button>
      </section>
      <ErrorBanner error={error} title="Writing could not start" />
      {outdated && (
        <div className="banner banner-info" data-testid="write-outdated">
          The folders or output settings changed since the last write: write the dataset again.
        </div>
      )}
      <JobPanel jobId={jobId} logHeight={160} finishedWarning={partial} />
      {summary && job?.state === 'done' && (
        <section className="card" data-testid="write-summary">
          <h2 className={partial ? 'text-warning' : undefined} data-testid="write-outcome">
            {partial ?? 'Done'}
          </h2>
          <p>
            <strong data-testid="written-count">{plural(summary.written, 'case')}</strong> written, {summary.skipped} already there, {summary.failed} failed, {plural(summary.warnings, 'warning')}.
          </p>
          <div className="row wrap">
            <span className="mono" data-testid="summary-dir">
              {summary.datasetDir}
            </span>
            <OpenFolderButton path={summary.datasetDir} />
            <CopyButton text={summary.datasetDir} label="Copy path" />
          </div>
          {summary.testLost?.length ? (
            <div className="banner banner-warning" data-testid="write-test-lost">
              {testSetLoss(summary.testLost, summary.testPlanned ?? summary.testLost.length, 'written')}
            </div>
          ) : null}
          <FindingList findings={caseFindings ?? []} />
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={() => setStep('environment')}>
              Next: set up nnU-Net →
            </button>
          </div>
        </section>
      )}
    </div>
  )
}
