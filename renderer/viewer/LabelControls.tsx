// The controls around the NiiVue view that every label view shares (the preview of a merged case,
// a prediction over its scan): the legend with per-label visibility, opacity and outline, and the
// value / label under the crosshair. Step-specific parts come in as children.
import { useCallback, useState, type ReactNode, type RefObject } from 'react'
import { labelNameFor, rgbToHex, type LutLabel } from './labelLut'
import type { ViewerController, ViewerLocation } from './NiivueViewer'

/** Which label values are hidden; toggling never renumbers anything. */
export function useHiddenLabels(): { hidden: Set<number>; toggle(value: number): void } {
  const [hidden, setHidden] = useState<Set<number>>(new Set())
  const toggle = useCallback((value: number) => {
    setHidden((h) => {
      const next = new Set(h)
      if (next.has(value)) next.delete(value)
      else next.add(value)
      return next
    })
  }, [])
  return { hidden, toggle }
}

interface LegendProps {
  labels: readonly LutLabel[]
  /** Voxels per label name (after overlaps are resolved). */
  voxelCounts?: Record<string, number>
  /** Voxels per label name in its own mask, before overlaps are resolved. */
  rawVoxelCounts?: Record<string, number>
  onToggle(value: number): void
  opacity: number
  onOpacity(opacity: number): void
  outline: boolean
  onOutline(outline: boolean): void
  controller: RefObject<ViewerController | null>
  children?: ReactNode
}

export function LabelLegend({ labels, voxelCounts, rawVoxelCounts, onToggle, opacity, onOpacity, outline, onOutline, controller, children }: LegendProps) {
  // The crosshair can be hidden to see the anatomy under it (issue 18, point 10).
  const [crosshair, setCrosshair] = useState(true)
  const showCrosshair = (visible: boolean) => {
    setCrosshair(visible)
    controller.current?.setCrosshair(visible)
  }
  return (
    <aside className="card legend" data-testid="legend">
      <h2>Labels</h2>
      <ul>
        {labels.map((l) => (
          <li key={l.value} className={l.visible ? '' : 'legend-hidden'}>
            <label className="check">
              <input type="checkbox" checked={l.visible} onChange={() => onToggle(l.value)} data-testid={`legend-toggle-${l.value}`} />
              <span className="swatch" style={{ background: rgbToHex(l.color) }} />
              <span className="grow legend-name" title={l.name} data-testid={`legend-name-${l.value}`}>
                {l.value <= 9 && <kbd>{l.value}</kbd>} {l.name}
              </span>
            </label>
            <span className="legend-actions">
              <span className="small muted num" title={voxelTitle(voxelCounts?.[l.name] ?? 0, rawVoxelCounts?.[l.name])}>
                {(voxelCounts?.[l.name] ?? 0).toLocaleString()} vox
              </span>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => controller.current?.focusLabel(l.value)} title="Move the crosshair into this label" data-testid={`legend-goto-${l.value}`}>
                Go to
              </button>
            </span>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="opacity">Fill opacity {Math.round(opacity * 100)}%</label>
        <input id="opacity" type="range" min={0} max={1} step={0.05} value={opacity} disabled={outline} onChange={(e) => onOpacity(Number(e.target.value))} data-testid="opacity" />
        {outline && <div className="small muted">Outlines are drawn opaque, without fill.</div>}
      </div>
      <label className="check">
        <input type="checkbox" checked={outline} onChange={(e) => onOutline(e.target.checked)} data-testid="outline" />
        Outline only <kbd>o</kbd>
      </label>
      <label className="check">
        <input type="checkbox" checked={crosshair} onChange={(e) => showCrosshair(e.target.checked)} data-testid="crosshair-toggle" />
        Crosshair
      </label>
      {children}
    </aside>
  )
}

function voxelTitle(final: number, raw: number | undefined): string {
  const shown = `${final.toLocaleString()} voxels in the merged label map`
  return raw !== undefined && raw !== final ? `${shown}; ${raw.toLocaleString()} in its own mask (a later label took the overlap)` : shown
}

/** Voxel, image value and label (with its name) under the crosshair; `children` sit at the right. */
/** `stride`: the volumes are a strided subsample (a reduced preview); voxel indices are shown on the full grid. */
export function CursorInfo({ loc, labels, stride, children }: { loc: ViewerLocation | null; labels: readonly LutLabel[]; stride?: readonly number[]; children?: ReactNode }) {
  const labelUnder = loc?.labelValue !== null && loc?.labelValue !== undefined ? labelNameFor(labels, loc.labelValue) : null
  return (
    <div className="row small mono viewer-status" data-testid="cursor-info">
      {loc ? (
        <>
          <span>voxel {loc.vox ? loc.vox.map((v, i) => Math.round(v) * (stride?.[i] ?? 1)).join(', ') : '–'}</span>
          <span title="Patient coordinates in mm: +x right, +y anterior, +z superior (RAS, as in Slicer)" data-testid="cursor-mm" data-mm={loc.mm?.join(',') ?? ''}>
            RAS {loc.mm ? loc.mm.map((v) => v.toFixed(1)).join(', ') : '–'} mm
          </span>
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
      {children}
    </div>
  )
}

/** o toggles the outline, 1-9 a label; `extra` handles step keys (return true when used). Ignored while typing. */
export function labelKeyHandler(toggle: (value: number) => void, setOutline: (f: (o: boolean) => boolean) => void, extra?: (key: string) => boolean): (e: KeyboardEvent) => void {
  return (e) => {
    const t = e.target as HTMLElement
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return
    if (extra?.(e.key)) {
      /* handled */
    } else if (e.key === 'o') setOutline((o) => !o)
    else if (/^[1-9]$/.test(e.key)) toggle(Number(e.key))
    else return
    e.preventDefault()
  }
}
