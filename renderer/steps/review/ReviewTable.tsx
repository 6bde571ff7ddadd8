// The review list: one row per predicted case, most unsure first, with the uncertainty as a number
// and a small bar, the label volumes, and what was done with it (corrected, added).
import type { LabelEditResult, ReviewCase, ReviewCaseProgress } from '../../../shared/api'

interface Props {
  cases: readonly ReviewCase[]
  chosen: string | null
  saved: Record<string, LabelEditResult>
  added: Record<string, string>
  /** Where each case stands on disk (reviewProgress): shown after a reopen too. */
  progress?: Record<string, ReviewCaseProgress>
  canAdd: boolean
  onOpen(c: ReviewCase): void
  onAdd(c: ReviewCase): void
  /** A corrected case predicted from DICOM: its correction as DICOM-SEG on its series. */
  onExportDicom?(c: ReviewCase): void
}

const STATE_TEXT: Record<ReviewCaseProgress['state'], string> = { added: 'added', corrected: 'corrected', draft: 'correction in progress', todo: 'to do' }

/** The score (0 = sure, 1 = as unsure as it can be) as a bar of a fixed width. */
function ScoreBar({ score }: { score: number | null }) {
  if (score === null) return <span className="muted small">not scored</span>
  const pct = Math.max(0, Math.min(1, score)) * 100
  return (
    <span className="row" style={{ gap: 6 }} title="Mean normalised entropy of the softmax in the predicted foreground and its border: higher is less sure">
      <span className="mono">{score.toFixed(3)}</span>
      <span aria-hidden style={{ display: 'inline-block', width: 60, height: 8, background: 'var(--border, #444)', borderRadius: 2 }}>
        <span style={{ display: 'block', width: `${pct}%`, height: '100%', background: 'var(--accent, #e8a33d)', borderRadius: 2 }} />
      </span>
    </span>
  )
}

export function ReviewTable({ cases, chosen, saved, added, progress = {}, canAdd, onOpen, onAdd, onExportDicom }: Props) {
  if (cases.length === 0) return <p className="small muted">No segmentation files in this folder.</p>
  return (
    <div className="card">
      <table className="table" data-testid="review-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Case</th>
            <th>Uncertainty</th>
            <th>Label volumes</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.case} className={c.case === chosen ? 'row-selected' : ''} data-testid={`review-row-${c.case}`}>
              <td className="num">{c.rank}</td>
              <td className="mono">{c.case}</td>
              <td>
                <ScoreBar score={c.score} />
                {c.problem && <div className="small muted">{c.problem}</div>}
              </td>
              <td className="small">{c.volumes.length ? c.volumes.map((v) => `${v.name} ${v.ml.toFixed(1)} ml`).join(', ') : '–'}</td>
              <td className="small" data-testid={`review-state-${c.case}`} data-state={progress[c.case]?.state ?? ''}>
                {progress[c.case] ? STATE_TEXT[progress[c.case]!.state] : ''}
                {progress[c.case]?.addedAs && <span className="muted"> as {progress[c.case]!.addedAs}</span>}
              </td>
              <td className="row" style={{ gap: 4 }}>
                <button type="button" className="btn btn-small" onClick={() => onOpen(c)} data-testid={`review-open-${c.case}`}>
                  Correct
                </button>
                {onExportDicom && progress[c.case]?.fromDicom && (saved[c.case] || progress[c.case]?.corrected) && (
                  <button type="button" className="btn btn-small" onClick={() => onExportDicom(c)} title="Write the corrected label as a DICOM-SEG on the case's series (into corrected/dicom beside the prediction)" data-testid={`review-dicom-${c.case}`}>
                    Export corrected as DICOM-SEG
                  </button>
                )}
                <button type="button" className="btn btn-small" onClick={() => onAdd(c)} disabled={!canAdd || added[c.case] !== undefined || progress[c.case]?.addedAs !== undefined} title={canAdd ? 'Accept: add the scan and its (corrected) label to the training dataset' : 'Give the dataset id first'} data-testid={`review-add-${c.case}`}>
                  {added[c.case] ? `Added as ${added[c.case]}` : progress[c.case]?.addedAs ? `Added as ${progress[c.case]!.addedAs}` : saved[c.case] || progress[c.case]?.corrected ? 'Add corrected to the dataset' : 'Accept / Add to the dataset'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
