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
import { labelNameFor, rgbToHex, type LutLabel } from '../../viewer/labelLut'
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
  const [hidden, setHidden] = useState<Set<number>>(new Set())
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

  const toggle = useCallback((value: number) => {
    setHidden((h) => {
      const next = new Set(h)
      if (next.has(value)) next.delete(value)
      else next.add(value)
      return next
    })
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
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement
      if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'n') step(1)
      else if (e.key === 'p') step(-1)
      else if (e.key === 'o') setOutline((o) => !o)
      else if (/^[1-9]$/.test(e.key)) toggle(Number(e.key))
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [step, toggle])

  if (!spec) return <p className="muted">Choose the folders in the Sources step first.</p>

  const labelUnder = loc?.labelValue !== null && loc?.labelValue !== undefined ? labelNameFor(lutLabels, loc.labelValue) : null
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
        <div className="row small mono viewer-status" data-testid="cursor-info">
          {loc ? (
            <>
              <span>voxel {loc.vox ? loc.vox.map((v) => Math.round(v)).join(', ') : '–'}</span>
              <span>value {loc.imageValue !== null ? Number(loc.imageValue.toFixed(2)) : '–'}</span>
              <span data-testid="cursor-label">
                label {loc.labelValue !== null ? Math.round(loc.labelValue) : '–'}
                {labelUnder ? ` (${labelUnder})` : ''}
              </span>
            </>
          ) : (
            <span className="muted">Click in the image to read the value and label under the crosshair.</span>
          )}
          <span className="grow" />
          {drawnMs !== null && <span className="muted" data-testid="preview-time">shown in {Math.round(drawnMs)} ms</span>}
        </div>
      </div>
      <aside className="card legend" data-testid="legend">
        <h2>Labels</h2>
        <ul>
          {lutLabels.map((l) => (
            <li key={l.value} className={l.visible ? '' : 'legend-hidden'}>
              <label className="check">
                <input type="checkbox" checked={l.visible} onChange={() => toggle(l.value)} data-testid={`legend-toggle-${l.value}`} />
                <span className="swatch" style={{ background: rgbToHex(l.color) }} />
                <span className="grow">
                  {l.value <= 9 && <kbd>{l.value}</kbd>} {l.name}
                </span>
              </label>
              <span className="small muted num">{(preview?.report.voxelCounts[l.name] ?? 0).toLocaleString()} vox</span>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => controller.current?.focusLabel(l.value)} title="Move the crosshair into this label" data-testid={`legend-goto-${l.value}`}>
                Go to
              </button>
            </li>
          ))}
        </ul>
        <div className="field">
          <label htmlFor="opacity">Label opacity {Math.round(opacity * 100)}%</label>
          <input id="opacity" type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} data-testid="opacity" />
        </div>
        <label className="check">
          <input type="checkbox" checked={outline} onChange={(e) => setOutline(e.target.checked)} data-testid="outline" />
          Outline only <kbd>o</kbd>
        </label>
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
      </aside>
    </div>
  )
}
