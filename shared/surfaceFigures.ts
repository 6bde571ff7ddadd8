// HD95 and NSD as every screen and file writes them (Results' table, the CLI, the HTML report and
// the CSV): a figure that is not a number says why, rather than a bare NaN or a blank.
import type { SurfaceFigures, SurfaceSummary } from './api'

/** "∞ (empty prediction)", "∞ (empty reference)", "n/a (both empty)": what an empty side means for each figure. */
export function emptyText(f: SurfaceFigures, what: 'hd95' | 'nsd'): string {
  if (f.empty === 'both-empty') return 'n/a (both empty)'
  const side = f.empty === 'prediction-empty' ? 'empty prediction' : 'empty reference'
  return what === 'hd95' ? `∞ (${side})` : `0 (${side})`
}

/** HD95 in mm with 2 decimals, NSD with 3; '—' when not measured. */
export function surfaceText(f: SurfaceFigures | undefined, what: 'hd95' | 'nsd'): string {
  if (!f) return '—'
  const v = f[what]
  if (f.empty && (v === null || what === 'nsd')) return emptyText(f, what)
  if (v === null) return 'n/a'
  return what === 'hd95' ? v.toFixed(2) : v.toFixed(3)
}

/** "HD95 4.20 ± 1.10 mm, NSD@1mm 0.912 ± 0.030 (n=5; 1 with HD95 ∞ ...)" over the cases of a model or test folder. */
export function surfaceSummaryText(s: SurfaceSummary): string {
  const sp = (x: SurfaceSummary['hd95'], digits: number) => (x.mean === null ? 'n/a' : `${x.mean.toFixed(digits)}${x.sd !== null ? ` ± ${x.sd.toFixed(digits)}` : ''}`)
  const notes = [s.infinite ? `${s.infinite} with HD95 ∞ (one side empty${s.hd95.n ? ', left out of its mean' : ''})` : '', s.undefined ? `${s.undefined} empty on both sides` : ''].filter(Boolean)
  const hd95 = s.hd95.mean === null ? (s.infinite ? '∞' : 'n/a') : `${sp(s.hd95, 2)} mm`
  return `HD95 ${hd95}, NSD@${s.tolerance}mm ${sp(s.nsd, 3)} (n=${s.cases}${notes.length ? `; ${notes.join(', ')}` : ''})`
}

/** The CSV cells of one figure: the number, '' when not measured, 'inf' / 'nan' for an empty side (as numpy prints them, so a script reads them back). */
export function surfaceCsv(f: SurfaceFigures | undefined, what: 'hd95' | 'nsd'): string | number | null {
  if (!f) return null
  const v = f[what]
  if (v !== null) return v
  return f.empty === 'both-empty' ? 'nan' : what === 'hd95' ? 'inf' : 0
}
