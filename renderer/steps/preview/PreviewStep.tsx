// Preview: one case merged in memory (nothing written) and shown in NiiVue with the label table's
// colours. Shortcuts: n / p next and previous case, o outline, 1-9 show or hide a label.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { PreviewResult } from '../../../shared/api'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { errorText } from '../../lib/format'
import { useProject, useSourceSpec } from '../../store/projectStore'
import { NiivueViewer, SLICE_TYPE, type ViewerController, type ViewerLocation, type ViewerVolumes } from '../../viewer/NiivueViewer'
import { CursorInfo, LabelLegend, labelKeyHandler, useHiddenLabels } from '../../viewer/LabelControls'
import type { LutLabel } from '../../viewer/labelLut'
import { afterPaint, markPreviewDrawn, markPreviewRequest, markPreviewStage } from '../../viewer/perf'

const SLICE_CHOICES: { value: SLICE_TYPE; text: string }[] = [
  { value: SLICE_TYPE.MULTIPLANAR, text: 'All three planes' },
  { value: SLICE_TYPE.AXIAL, text: 'Axial' },
  { value: SLICE_TYPE.CORONAL, text: 'Coronal' },
  { value: SLICE_TYPE.SAGITTAL, text: 'Sagittal' },
]

export function PreviewStep() {
  const spec = useSourceSpec()
  const labelRows = useProject((s) => s.labels)
  const [caseKeys, setCaseKeys] = useState<string[]>([])
  const [caseKey, setCaseKey] = useState<string | null>(null)
  const [preview, setPreview] = useState<PreviewResult | null>(null)
  const [volumes, setVolumes] = useState<ViewerVolumes | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const { hidden, toggle } = useHiddenLabels()
  const [opacity, setOpacity] = useState(0.6)
  const [outline, setOutline] = useState(false)
  const [sliceType, setSliceType] = useState<SLICE_TYPE>(SLICE_TYPE.MULTIPLANAR)
  const [loc, setLoc] = useState<ViewerLocation | null>(null)
  const [drawnMs, setDrawnMs] = useState<number | null>(null)
  const controller = useRef<ViewerController | null>(null)

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
  }, [spec])

  useEffect(() => {
    if (!spec || !caseKey) return
    let live = true
    setLoading(true)
    setError(null)
    markPreviewRequest()
    void (async () => {
      try {
        const p = await api.preview({ sources: spec, caseKey })
        markPreviewStage('merged')
        const [image, label] = await Promise.all([api.getVolume({ id: p.imageVolume }), api.getVolume({ id: p.labelVolume })])
        markPreviewStage('fetched')
        if (!live) return
        setPreview(p)
        setVolumes({ key: caseKey, image, label })
      } catch (err) {
        if (live) {
          setError(err)
          setLoading(false)
        }
      }
    })()
    return () => {
      live = false
    }
  }, [spec, caseKey])

  // The label table as the viewer draws it: the user's colours and names, by value.
  const lutLabels: LutLabel[] = useMemo(
    () => (preview?.labels ?? labelRows.map((l, i) => ({ name: l.name, value: i + 1, color: l.color }))).map((l) => ({ ...l, visible: !hidden.has(l.value) })),
    [preview, labelRows, hidden],
  )

  const onDrawn = useCallback(async (key: string) => {
    await afterPaint()
    setDrawnMs(markPreviewDrawn(key))
    setLoading(false)
  }, [])
  const onViewerError = useCallback((err: unknown) => {
    setError(new Error(`The viewer could not show this case: ${errorText(err)}`))
    setLoading(false)
  }, [])

  const step = useCallback(
    (d: 1 | -1) => {
      if (!caseKey || caseKeys.length === 0) return
      const i = caseKeys.indexOf(caseKey)
      setCaseKey(caseKeys[(i + d + caseKeys.length) % caseKeys.length]!)
    },
    [caseKey, caseKeys],
  )

  useEffect(() => {
    const onKey = labelKeyHandler(toggle, setOutline, (key) => {
      if (key === 'n') step(1)
      else if (key === 'p') step(-1)
      else return false
      return true
    })
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [step, toggle])

  if (!spec) return <p className="muted">Choose the folders in the Sources step first.</p>

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
        <div className="viewer" data-testid="viewer" data-loading={loading ? 'true' : 'false'} data-case={volumes?.key ?? ''}>
          <NiivueViewer
            volumes={volumes}
            labels={lutLabels}
            opacity={opacity}
            outline={outline}
            sliceType={sliceType}
            onLocation={setLoc}
            onDrawn={onDrawn}
            onError={onViewerError}
            controller={controller}
          />
          {loading && <div className="viewer-loading">Merging masks and loading…</div>}
        </div>
        <CursorInfo loc={loc} labels={lutLabels}>
          {drawnMs !== null && <span className="muted" data-testid="preview-time">shown in {Math.round(drawnMs)} ms</span>}
        </CursorInfo>
      </div>
      <LabelLegend
        labels={lutLabels}
        voxelCounts={preview?.report.voxelCounts}
        onToggle={toggle}
        opacity={opacity}
        onOpacity={setOpacity}
        outline={outline}
        onOutline={setOutline}
        controller={controller}
      >
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
