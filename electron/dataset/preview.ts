// One case merged in memory for the viewer: the image and its label map as uncompressed NIfTI
// bytes (NiiVue loads them directly), computed in a worker, nothing written anywhere.
import type { CaseReport, LabelInfo, PreviewReduction } from '../../shared/api'
import type { SourceSpec } from '../../shared/schema'
import { defaultLabelColor } from '../../shared/labelColors'
import { IGNORE_COLOR } from '../../shared/ignoreLabel'
import { casePool } from './casePool'
import { scanSources } from './scan'
import { caseInput } from './validate'

export function labelTable(spec: SourceSpec): LabelInfo[] {
  // The ignore label is drawn grey whatever its colour: unannotated voxels, not a structure.
  return spec.labels.map((l, i) => ({ name: l.name, value: i + 1, color: l.ignore ? IGNORE_COLOR : (l.color ?? defaultLabelColor(i + 1)), ...(l.ignore && { ignore: true }) }))
}

/** `maxVoxels`: a larger case is sent strided (`reduced`); its report is computed at full resolution. */
export async function previewCase(req: { sources: SourceSpec; caseKey: string; maxVoxels?: number }): Promise<{ image: Uint8Array; label: Uint8Array; labels: LabelInfo[]; report: CaseReport; reduced?: PreviewReduction }> {
  const scan = await scanSources(req.sources)
  const match = scan.cases.find((c) => c.caseKey === req.caseKey)
  if (!match) {
    const known = scan.cases.slice(0, 5).map((c) => c.caseKey).join(', ')
    throw new Error(`There is no case "${req.caseKey}" in ${req.sources.imagesDir}${known ? ` (cases: ${known}${scan.cases.length > 5 ? ', …' : ''})` : ''}.`)
  }
  const r = await casePool().inspect({ input: caseInput(req.sources, match), want: 'preview', maxVoxels: req.maxVoxels })
  return { image: r.imageNii!, label: r.labelNii!, labels: labelTable(req.sources), report: r.report, ...(r.reduced && { reduced: r.reduced }) }
}
