// Preview: one case merged in memory (nothing written) and shown in NiiVue with the label table's
// colours. Shortcuts: n / p next and previous case, o outline, 1-9 show or hide a label. Once the
// dataset is written, "Correct its written label" opens what Write made of the case in the label
// editor (its labelsTr file; the manifest records the correction, the sources stay untouched).
import { useCallback, useEffect, useMemo, useState } from 'react'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { errorText } from '../../lib/format'
import { useProject, useSourceSpec } from '../../store/projectStore'
import { SLICE_TYPE } from '../../viewer/NiivueViewer'
import { LabelLegend } from '../../viewer/LabelControls'
import { LabelViewport, legendProps, useLabelDisplay } from '../../viewer/LabelView'
import { afterPaint, markPreviewDrawn, markPreviewRequest, markPreviewStage } from '../../viewer/perf'
import { ReducedResolutionNotice, useResolutionPolicy } from '../../viewer/ReducedResolution'
import { useVolumePair } from '../../viewer/useVolumePair'
import { useCycle } from '../../viewer/useViewerKeys'
import { TrainingCaseEditor } from '../review/TrainingCaseEditor'

const SLICE_CHOICES: { value: SLICE_TYPE; text: string }[] = [
  { value: SLICE_TYPE.MULTIPLANAR, text: 'All three planes' },
  { value: SLICE_TYPE.AXIAL, text: 'Axial' },
  { value: SLICE_TYPE.CORONAL, text: 'Coronal' },
  { value: SLICE_TYPE.SAGITTAL, text: 'Sagittal' },
]

const markFetched = () => markPreviewStage('fetched')

export function PreviewStep() {
  const spec = useSourceSpec()
  const labelRows = useProject((s) => s.labels)
  const output = useProject((s) => s.output)
  // The source case whose written label is open in the editor (the preview's keys rest meanwhile).
  const [correcting, setCorrecting] = useState<string | null>(null)
  const [caseKeys, setCaseKeys] = useState<string[]>([])
  const [caseKey, setCaseKey] = useState<string | null>(null)
  const [sliceType, setSliceType] = useState<SLICE_TYPE>(SLICE_TYPE.MULTIPLANAR)
  const [drawnMs, setDrawnMs] = useState<number | null>(null)
  // Without a graphics card, large cases come strided (see ReducedResolution).
  const resolution = useResolutionPolicy(caseKey)
  const maxVoxels = resolution.maxVoxels

  const load = useMemo(
    () =>
      spec && caseKey
        ? async () => {
            markPreviewRequest()
            const p = await api.preview({ sources: spec, caseKey, ...(maxVoxels !== undefined && { maxVoxels }) })
            markPreviewStage('merged')
            return p
          }
        : null,
    [spec, caseKey, maxVoxels],
  )
  const { result: preview, volumes, loading, error, setError, shown, failed } = useVolumePair(load, markFetched)

  // Cases that have a scan and every mask.
  useEffect(() => {
    if (!spec) return
    let live = true
    api.scanSources(spec).then(
      (scan) => {
        if (!live) return
        const keys = scan.cases.filter((c) => c.image && (spec.allowMissingMask || c.masks.every(Boolean))).map((c) => c.caseKey)
        setCaseKeys(keys)
        setCaseKey((k) => (k && keys.includes(k) ? k : (keys[0] ?? null)))
      },
      (err) => live && setError(err),
    )
    return () => {
      live = false
    }
  }, [spec, setError])

  // The label table as the viewer draws it: the user's colours and names, by value.
  const labels = useMemo(() => preview?.labels ?? labelRows.map((l, i) => ({ name: l.name, value: i + 1, color: l.color })), [preview, labelRows])
  const step = useCycle(caseKeys, caseKey, setCaseKey)
  const display = useLabelDisplay(labels, step, correcting === null)

  const onDrawn = useCallback(
    async (key: string) => {
      await afterPaint()
      setDrawnMs(markPreviewDrawn(key))
      shown()
    },
    [shown],
  )
  const onViewerError = useCallback((err: unknown) => failed(new Error(`The viewer could not show this case: ${errorText(err)}`)), [failed])

  if (!spec) return <p className="muted">Choose the folders in the Sources step first.</p>
  if (correcting) return <TrainingCaseEditor key={correcting} caseKey={correcting} onClose={() => setCorrecting(null)} />
  const canCorrect = !!(caseKey && output.outDir && output.id && output.name)

  return (
    <div className="preview-layout">
      <div className="stack">
        <div className="row wrap viewer-toolbar">
          <button type="button" className="btn" onClick={() => step(-1)} disabled={caseKeys.length < 2} title="Previous case (p)" data-testid="prev-case">
            ← Previous
          </button>
          <select value={caseKey ?? ''} onChange={(e) => setCaseKey(e.target.value)} aria-label="Case" data-testid="preview-case">
            {caseKeys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <button type="button" className="btn" onClick={() => step(1)} disabled={caseKeys.length < 2} title="Next case (n)" data-testid="next-case">
            Next →
          </button>
          <span className="muted small">{caseKey ? `${caseKeys.indexOf(caseKey) + 1} of ${caseKeys.length}` : ''}</span>
          <button
            type="button"
            className="btn"
            onClick={() => caseKey && setCorrecting(caseKey)}
            disabled={!canCorrect}
            title={canCorrect ? 'Open the label Write made of this case (labelsTr) in the label editor; saving replaces it and the manifest records the correction' : 'Set the Output step (folder, id, name) and write the dataset first'}
            data-testid="preview-correct"
          >
            Correct its written label
          </button>
          <span className="grow" />
          <select value={sliceType} onChange={(e) => setSliceType(Number(e.target.value) as SLICE_TYPE)} aria-label="Layout">
            {SLICE_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.text}
              </option>
            ))}
          </select>
        </div>
        <ErrorBanner error={error} title="Preview failed" />
        <ReducedResolutionNotice reduced={preview?.caseKey === caseKey ? preview.reduced : undefined} onShowFull={resolution.showFull} busy={loading} />
        <LabelViewport
          display={display}
          volumes={volumes}
          loading={loading}
          loadingText="Merging masks and loading…"
          sliceType={sliceType}
          onDrawn={onDrawn}
          onError={onViewerError}
          testId="viewer"
          voxelStride={preview?.reduced?.stride}
          cursorExtra={drawnMs !== null && <span className="muted" data-testid="preview-time">shown in {Math.round(drawnMs)} ms</span>}
        />
      </div>
      <LabelLegend {...legendProps(display)} voxelCounts={preview?.report.voxelCounts} rawVoxelCounts={preview?.report.rawVoxelCounts}>
        <p className="small muted">
          Keys: <kbd>n</kbd>/<kbd>p</kbd> next/previous case, <kbd>1</kbd>–<kbd>9</kbd> show or hide a label.
        </p>
        {preview && (
          <>
            <h3>This case</h3>
            <div className="small">
              {preview.report.geometry && (
                <div className="mono">
                  {preview.report.geometry.size.join('×')} voxels, {preview.report.geometry.spacing.map((s) => s.toFixed(2)).join('×')} mm
                </div>
              )}
              <div>Overlap voxels: {preview.report.overlapVoxels.toLocaleString()}</div>
            </div>
            <FindingList findings={preview.report.findings} />
          </>
        )}
      </LabelLegend>
    </div>
  )
}
