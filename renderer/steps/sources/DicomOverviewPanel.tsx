// The DICOM overview of the image folder (issue 20, item 6), shown in the Sources step when its
// cases are DICOM folders: per case the series found (modality, description, slices, spacing,
// orientation, transfer syntax), the structure sets / SEGs that reference each with their ROI
// names, which series is used, and every problem by name. Asked of the service (dicomOverview),
// which parses the headers in its worker pool.
import type { DicomOverviewCase } from '../../../shared/api/dicom'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { useDebouncedQuery } from '../../lib/useDebouncedQuery'
import { useProjectForm } from '../../store/projectForms'
import { DICOM_FORM } from '../../store/projectStore'

/** The series choice, kept in the project (projectStore's sourceSpecOf hands it to Check, Preview and Write). */
const CHOICE_DEFAULTS = { series: '', byCase: {} as Record<string, string> }

const fmt = (n: number) => Number(n.toFixed(3)).toString()

function CaseRows({ c, chosen, choose }: { c: DicomOverviewCase; chosen: string | undefined; choose: (uid: string) => void }) {
  const bad = c.problems.length > 0
  // Several series: the user may pick one for this case (a structure set's reference, when there is one, is what the case uses otherwise).
  const choosable = c.series.length > 1
  return (
    <>
      {c.series.map((s, i) => {
        const used = s.seriesInstanceUid === c.chosenSeriesUid
        return (
          <tr key={s.seriesInstanceUid || i} data-testid="dicom-series-row">
            {i === 0 && (
              <td className="mono" rowSpan={c.series.length}>
                {c.caseKey}
              </td>
            )}
            <td>
              {choosable ? (
                <label className="check small">
                  <input type="radio" name={`dicom-series-${c.caseKey}`} checked={chosen ? chosen === s.seriesInstanceUid : used} onChange={() => choose(s.seriesInstanceUid)} data-testid="dicom-series-choice" />
                  {used ? 'used' : 'use'}
                </label>
              ) : used ? (
                <span className="badge badge-ok">used</span>
              ) : (
                <span className="muted small">—</span>
              )}
            </td>
            <td>
              {s.seriesNumber !== null ? `#${s.seriesNumber} ` : ''}
              {s.seriesDescription || <span className="muted">(no description)</span>}
              {s.referencedBy.map((r) => (
                <div key={r.file} className="small muted">
                  {r.kind === 'seg' ? 'SEG' : 'RTSTRUCT'}: {r.names.join(', ') || '(no names)'}
                </div>
              ))}
            </td>
            <td>{s.modality}</td>
            <td>
              {s.size[2]} × {s.size[0]}×{s.size[1]}
            </td>
            <td className="mono small">{s.spacing.map(fmt).join(' × ')} mm</td>
            <td className="mono small">{s.orientation.map(fmt).join(',')}</td>
            <td className="small">
              {s.transferSyntax}
              {s.multiFrame ? ' (multi-frame)' : ''}
            </td>
          </tr>
        )
      })}
      {bad && (
        <tr data-testid="dicom-problem-row">
          {c.series.length === 0 && <td className="mono">{c.caseKey}</td>}
          <td colSpan={c.series.length === 0 ? 7 : 8}>
            {c.problems.map((p, k) => (
              <div key={k} className="text-error small" style={{ whiteSpace: 'pre-wrap' }}>
                {p.text}
              </div>
            ))}
          </td>
        </tr>
      )}
    </>
  )
}

/** `dir`: the image folder; null hides the panel (no DICOM cases). */
export function DicomOverviewPanel({ dir, refresh }: { dir: string | null; refresh: number }) {
  const [choice, setChoice] = useProjectForm(DICOM_FORM, CHOICE_DEFAULTS)
  const series = choice.series.trim()
  const request = dir ? { dir, ...(series && { series }), ...(Object.keys(choice.byCase).length > 0 && { seriesByCase: choice.byCase }) } : null
  const { data, busy, error } = useDebouncedQuery(request, 300, (req) => api.dicomOverview(req), { refresh })
  if (!dir) return null
  const problems = data?.cases.filter((c) => c.problems.length > 0).length ?? 0
  return (
    <section className="card" data-testid="dicom-overview">
      <div className="row">
        <h2 className="grow">DICOM series</h2>
        {busy && <span className="muted small">Reading DICOM headers…</span>}
        {data && (
          <span className="small" data-testid="dicom-summary">
            {data.cases.length} DICOM case{data.cases.length === 1 ? '' : 's'}
            {problems > 0 ? `, ${problems} with a problem (they fail the Check)` : ''}
          </span>
        )}
      </div>
      <p className="muted small">Each sub-folder is one case (its name is the case name); files are grouped by series and sorted by their position, whatever their names. A case uses the series its structure set or SEG references, else its only volumetric series. Patient names, ids, dates and UIDs shown here never go into the dataset.</p>
      <label className="field">
        <span>Series description (a regular expression, for folders with several series; like prepare's --series)</span>
        <input type="text" value={choice.series} onChange={(e) => setChoice({ series: e.target.value })} placeholder="e.g. venous|portal" data-testid="dicom-series-pattern" />
      </label>
      <ErrorBanner error={error} title="The DICOM folders could not be read" />
      {data && data.cases.length > 0 && (
        <div className="table-wrap">
          <table data-testid="dicom-table">
            <thead>
              <tr>
                <th>Case</th>
                <th>Used</th>
                <th>Series</th>
                <th>Modality</th>
                <th>Slices</th>
                <th>Spacing</th>
                <th>Orientation</th>
                <th>Transfer syntax</th>
              </tr>
            </thead>
            <tbody>
              {data.cases.map((c) => (
                <CaseRows key={c.caseKey} c={c} chosen={choice.byCase[c.caseKey]} choose={(uid) => setChoice({ byCase: { ...choice.byCase, [c.caseKey]: uid } })} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
