// Cases that differ from the rest of the dataset. nnU-Net trains on voxel order and does not
// reorient, so one case whose axes run the other way teaches the network a mirrored anatomy; a
// spacing far from the others is often a wrong header; a mask that leaves the body is usually
// flipped against its image or taken from another scan. None of these stops a write: they are
// shown beside the check so the user can look at the case.
import type { CaseReport, OutlierFinding } from '../../shared/api'
import { axisCodes, isAxisAligned } from '../../shared/orientation'

/** A spacing this many times larger or smaller than the median on any axis is unusual. */
export const SPACING_RATIO = 1.5
/** Below this share of a label's voxels in the body (>-500 HU), the mask looks misplaced... */
export const IN_BODY_MIN = 0.95
/** ...when it is also this much below the same label in the other cases. */
const IN_BODY_MARGIN = 0.05

const fmt = (v: number[]) => v.map((x) => +x.toFixed(3)).join(' × ')
const pct = (x: number) => `${Math.round(x * 100)}%`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The orientation a case is grouped by: axis codes, plus "oblique" when an axis is tilted. */
export function orientationOf(direction: number[]): string {
  return axisCodes(direction) + (isAxisAligned(direction) ? '' : ' (oblique)')
}

export function findOutliers(cases: CaseReport[]): OutlierFinding[] {
  const out: OutlierFinding[] = []
  const withGeometry = cases.filter((c) => c.geometry)
  // "The rest" needs at least two others to be a majority worth comparing with.
  if (withGeometry.length >= 3) {
    const byOrientation = new Map<string, string[]>()
    for (const c of withGeometry) {
      const key = orientationOf(c.geometry!.direction)
      byOrientation.set(key, [...(byOrientation.get(key) ?? []), c.caseKey])
    }
    const [common, members] = [...byOrientation.entries()].sort((a, b) => b[1].length - a[1].length)[0]!
    if (members.length * 2 > withGeometry.length) {
      for (const c of withGeometry) {
        const own = orientationOf(c.geometry!.direction)
        if (own === common) continue
        out.push({
          caseKey: c.caseKey,
          kind: 'direction',
          severity: 'warning',
          code: 'outlier-direction',
          text: `Case "${c.caseKey}" is oriented ${own}, while ${members.length} of ${withGeometry.length} cases are ${common}.`,
          hint: 'nnU-Net learns from voxel order and does not reorient: look at this case in the preview, and if it is right, reorient it to match the others (e.g. Slicer, or SimpleITK DICOMOrient).',
        })
      }
    }
    const dims = Math.min(...withGeometry.map((c) => c.geometry!.spacing.length))
    const med = Array.from({ length: dims }, (_, i) => median(withGeometry.map((c) => c.geometry!.spacing[i]!)))
    for (const c of withGeometry) {
      const sp = c.geometry!.spacing
      const off = med.some((m, i) => m > 0 && (sp[i]! / m > SPACING_RATIO || m / sp[i]! > SPACING_RATIO))
      if (!off) continue
      out.push({
        caseKey: c.caseKey,
        kind: 'spacing',
        severity: 'warning',
        code: 'outlier-spacing',
        text: `Case "${c.caseKey}" has spacing ${fmt(sp)} mm, far from the median ${fmt(med)} mm of the cases.`,
        hint: 'nnU-Net resamples every case, so this can be right; if the scan is not really that coarse or fine, its header is wrong: fix the spacing where it was exported.',
      })
    }
  }

  const labels = [...new Set(cases.flatMap((c) => Object.keys(c.inBody ?? {})))]
  for (const label of labels) {
    const shares = cases.filter((c) => c.inBody?.[label] !== undefined).map((c) => ({ caseKey: c.caseKey, share: c.inBody![label]! }))
    for (const s of shares) {
      if (s.share >= IN_BODY_MIN) continue
      const others = shares.filter((o) => o !== s).map((o) => o.share)
      // A label that lives in air everywhere (lungs, airways) is low in every case: not unusual.
      if (others.length >= 2 && s.share > median(others) - IN_BODY_MARGIN) continue
      out.push({
        caseKey: s.caseKey,
        kind: 'outside-body',
        severity: 'warning',
        code: 'outlier-outside-body',
        text: `Only ${pct(s.share)} of "${label}" in case "${s.caseKey}" lies in the body (above -500 HU)${others.length ? `; in the other cases ${pct(median(others))}` : ''}: the mask looks flipped or shifted against its image.`,
        hint: 'Open the case in the preview: if the label sits beside the structure, re-export the mask from the image it was drawn on.',
      })
    }
  }
  return out
}
