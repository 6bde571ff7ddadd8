// One scored case in the viewer: its scan with reference and prediction in one overlay, where they
// agree in the label's colour and where they disagree in two colours of their own (false positive,
// false negative). The viewer opens inside the largest error region (the service lists it first).
import { useCallback, useMemo, useState } from 'react'
import type { CaseErrorsResult, CaseResult } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { errorText } from '../../lib/format'
import { useProject } from '../../store/projectStore'
import { LabelLegend } from '../../viewer/LabelControls'
import { LabelViewport, legendProps, useLabelDisplay } from '../../viewer/LabelView'
import { SLICE_TYPE } from '../../viewer/NiivueViewer'
import { ReducedResolutionNotice, useResolutionPolicy } from '../../viewer/ReducedResolution'
import { useVolumePair } from '../../viewer/useVolumePair'
import { TrainingCaseEditor } from '../review/TrainingCaseEditor'
import { modelText } from './caseRows'

interface Props {
  datasetId: number
  item: CaseResult
  /** Previous / next case in the table's order. */
  step(d: 1 | -1): void
  onClose(): void
}

export function CaseErrorView({ datasetId, item, step, onClose }: Props) {
  const projectLabels = useProject((s) => s.labels)
  const key = `${item.model}/${item.fold}/${item.case}`
  const resolution = useResolutionPolicy(key)
  const maxVoxels = resolution.maxVoxels
  const colours = useMemo(() => Object.fromEntries(projectLabels.map((l) => [l.name, l.color])), [projectLabels])
  const load = useMemo(
    () => () => api.caseErrors({ datasetId, case: item.case, fold: item.fold, reference: item.reference, prediction: item.prediction, colours, ...(maxVoxels !== undefined && { maxVoxels }) }),
    [datasetId, item, colours, maxVoxels],
  )
  const { result, volumes, loading, error, shown, failed } = useVolumePair<CaseErrorsResult>(load)
  const display = useLabelDisplay(result?.labels ?? [], step, true)
  const onDrawn = useCallback(() => shown(), [shown])
  const onViewerError = useCallback((err: unknown) => failed(new Error(`The viewer could not show this case: ${errorText(err)}`)), [failed])
  // A wrong reference is fixed where it is seen: the label editor on the dataset's labelsTr file (issue 21).
  const [correcting, setCorrecting] = useState(false)
  if (correcting) return <TrainingCaseEditor datasetId={datasetId} caseId={item.case} onClose={() => setCorrecting(false)} />
  return (
    <section className="card stack" data-testid="case-viewer">
      <div className="row wrap viewer-toolbar">
        <h2 className="grow" style={{ margin: 0 }}>
          {item.case}
          {item.source && <span className="muted"> ({item.source})</span>} <span className="muted small">{item.fold === 'test' ? 'test' : `fold ${item.fold}`} · {modelText(item)}</span>
        </h2>
        <button type="button" className="btn" onClick={() => step(-1)} title="Previous case (p)">
          ← Previous
        </button>
        <button type="button" className="btn" onClick={() => step(1)} title="Next case (n)">
          Next →
        </button>
        {item.fold !== 'test' && (
          <button type="button" className="btn" onClick={() => setCorrecting(true)} title="Open the reference label (labelsTr) in the label editor" data-testid="correct-reference">
            Correct the reference
          </button>
        )}
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorBanner error={error} title="The case cannot be shown" />
      <div className="preview-layout">
        <div className="stack">
          <ReducedResolutionNotice reduced={result?.reduced} onShowFull={resolution.showFull} busy={loading} />
          <LabelViewport display={display} volumes={volumes} loading={loading} loadingText="Reading the scan, its reference and the prediction…" sliceType={SLICE_TYPE.MULTIPLANAR} onDrawn={onDrawn} onError={onViewerError} testId="case-error-viewer" voxelStride={result?.reduced?.stride} />
        </div>
        <LabelLegend {...legendProps(display)} voxelCounts={result?.report.voxelCounts}>
          <p className="small muted">
            Where reference and prediction agree the label keeps its colour. Each label’s <b>false positives</b> (predicted, not in the reference) and <b>false negatives</b> (in the reference, missed) have two colours of their own, chosen apart from every label colour (see the list). The view opens inside the largest connected error region (listed first, in its kind’s colour).
          </p>
          <div className="small mono" style={{ overflowWrap: 'anywhere' }}>
            <div>reference: {item.reference}</div>
            <div>prediction: {item.prediction}</div>
            {result && <div>scan: {result.imagePath}</div>}
          </div>
        </LabelLegend>
      </div>
    </section>
  )
}
