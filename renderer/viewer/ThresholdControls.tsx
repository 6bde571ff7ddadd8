// The threshold fill's settings in the label editor: the intensity bounds (in the scan's units:
// Hounsfield units for CT) and whether the fill stays on the clicked slice or runs through the volume.
export interface ThresholdSettings {
  /** As typed; empty: taken around the seed's intensity at the next click. */
  lo: string
  hi: string
  is2D: boolean
}

/**
 * Bounds around a seed's intensity when none are given: a tenth of the scan's displayed range
 * (cal_min..cal_max) either side, or 10% of the value's own size when that range is unknown.
 */
export function defaultBounds(at: number, calMin: number, calMax: number): [number, number] {
  const range = Number.isFinite(calMin) && Number.isFinite(calMax) && calMax > calMin ? calMax - calMin : Math.max(1, Math.abs(at) * 2)
  const half = Math.max(1, Math.round(range * 0.1))
  return [Math.round(at - half), Math.round(at + half)]
}

export function ThresholdControls({ value, onChange }: { value: ThresholdSettings; onChange(v: ThresholdSettings): void }) {
  return (
    <div className="row wrap small" data-testid="threshold-controls">
      <label>
        Intensity from{' '}
        <input type="number" value={value.lo} onChange={(e) => onChange({ ...value, lo: e.target.value })} data-testid="threshold-lo" aria-label="Lowest intensity filled" style={{ width: 80 }} />
      </label>
      <label>
        to <input type="number" value={value.hi} onChange={(e) => onChange({ ...value, hi: e.target.value })} data-testid="threshold-hi" aria-label="Highest intensity filled" style={{ width: 80 }} />
      </label>
      <label>
        <input type="checkbox" checked={!value.is2D} onChange={(e) => onChange({ ...value, is2D: !e.target.checked })} data-testid="threshold-3d" /> through the volume (3D)
      </label>
      <span className="muted">Click a seed: the connected voxels within these bounds take the active label (other labels are kept).</span>
    </div>
  )
}
