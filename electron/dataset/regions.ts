// Exact voxel counts shared by each pair of masks of one case, for the nested-regions analysis
// (shared/regions.ts). Counted only for cases whose masks overlap at all (the merge already
// knows), so the common case of disjoint masks costs nothing more.
import type { CaseMatch, Finding } from '../../shared/api'
import type { DatasetRegions } from '../../shared/datasetJson'
import { analyzeRegions, DEFAULT_NESTING_TOLERANCE, describeNesting, describePartial, describeRegions } from '../../shared/regions'
import type { LayoutKind, SourceSpec } from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import { casePool } from './casePool'
import { caseInput } from './validate'

/**
 * prepare --regions: every case's masks are read once more (through the worker pool, nothing
 * written) and the nesting measured over the whole dataset before the first file is written, so
 * masks that cannot be regions are refused with nothing on disk. nnU-Net v1 and the MSD layout
 * have no region labels in dataset.json.
 */
export async function measureRegions(
  spec: SourceSpec,
  layout: LayoutKind,
  matches: readonly CaseMatch[],
  ctx: JobContext,
  tolerance = DEFAULT_NESTING_TOLERANCE,
): Promise<{ regions: DatasetRegions } | { refusal: Finding }> {
  const labelNames = spec.labels.map((l) => l.name)
  if (layout === 'msd') {
    return { refusal: { severity: 'error', code: 'regions-need-v2', text: 'Nested regions are an nnU-Net v2 feature: the Decathlon (MSD) layout and nnU-Net v1 have no region labels in dataset.json.', hint: 'Write the nnU-Net v2 layout (--layout nnunet-v2), or leave --regions out.' } }
  }
  ctx.log(`Measuring how the masks nest (${matches.length} case${matches.length === 1 ? '' : 's'}) for region-based training...`)
  const pool = casePool()
  const reports = await Promise.all(matches.map(async (m) => (await pool.inspect({ input: caseInput(spec, m), want: 'report' }, ctx.signal)).report))
  const a = analyzeRegions(labelNames, reports, tolerance)
  if (a.refusal || !a.labels || !a.regionsClassOrder) {
    return { refusal: { severity: 'error', code: 'regions-not-nested', text: `Cannot train on nested regions: ${a.refusal ?? 'no mask lies inside another.'}`, hint: 'Leave --regions out to train on the labels as they are.' } }
  }
  for (const n of a.nested) ctx.log(describeNesting(n))
  for (const p of a.partial) ctx.log(`note: ${describePartial(p)}`)
  ctx.log(`Regions: ${describeRegions(labelNames, a)}; regions_class_order ${JSON.stringify(a.regionsClassOrder)}.`)
  return { regions: { labels: a.labels, regionsClassOrder: a.regionsClassOrder } }
}
