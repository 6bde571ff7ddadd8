// What Slicer and ITK-SNAP users reach for under the image: which side the patient's right is
// drawn on, the grey-level window, and a slider per plane to page through the slices.
import type { SlicePosition, WindowChoice } from './NiivueViewer'
import { presetRange, WINDOW_PRESETS } from './windowLevel'

export type WindowId = 'default' | 'auto' | (typeof WINDOW_PRESETS)[number]['id']

export function windowChoiceOf(id: WindowId): WindowChoice {
  if (id === 'default') return null
  if (id === 'auto') return 'auto'
  const p = WINDOW_PRESETS.find((w) => w.id === id)
  return p ? presetRange(p) : null
}

/** Slider order and names; axis is the RAS axis the slice index runs along. */
const PLANES: { name: string; axis: 0 | 1 | 2 }[] = [
  { name: 'Axial', axis: 2 },
  { name: 'Coronal', axis: 1 },
  { name: 'Sagittal', axis: 0 },
]

interface Props {
  radiological: boolean
  onRadiological(r: boolean): void
  windowId: WindowId
  onWindow(id: WindowId): void
  slices: SlicePosition | null
  onSlice(axis: 0 | 1 | 2, index: number): void
}

export function ViewerControls({ radiological, onRadiological, windowId, onWindow, slices, onSlice }: Props) {
  return (
    <div className="row wrap small viewer-controls" data-testid="viewer-controls">
      <label className="check" title="Radiological: the patient's right is on the screen's left, as in Slicer, ITK-SNAP and PACS. Neurological: the other way round.">
        <input type="checkbox" checked={radiological} onChange={(e) => onRadiological(e.target.checked)} data-testid="radiological" />
        Radiological (R on the left)
      </label>
      <label>
        Window{' '}
        <select value={windowId} onChange={(e) => onWindow(e.target.value as WindowId)} data-testid="window-preset">
          <option value="default">Default (2–98%)</option>
          <option value="auto">Auto (histogram 1–99%)</option>
          {WINDOW_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (W {p.width} / L {p.level})
            </option>
          ))}
        </select>
      </label>
      {PLANES.map(({ name, axis }) => {
        const n = slices?.dims[axis] ?? 0
        const i = slices?.index[axis] ?? 0
        return (
          <label key={name} className="slice-slider">
            {name}{' '}
            <input type="range" min={0} max={Math.max(0, n - 1)} step={1} value={i} disabled={n < 2} onChange={(e) => onSlice(axis, Number(e.target.value))} data-testid={`slice-${name.toLowerCase()}`} aria-label={`${name} slice`} />
            <span className="mono muted">{n ? `${i + 1}/${n}` : '–'}</span>
          </label>
        )
      })}
    </div>
  )
}
