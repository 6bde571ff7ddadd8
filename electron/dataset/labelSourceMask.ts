// A label read from a multi-label file (issue 18, item 6), inside the volume worker that checks the
// case: a 3D Slicer .seg.nrrd (the segment named by the label's aliases, on its layer, by its
// label value) or a label map with a value table (the voxels holding one of the label's values).
// The file is the case's own in the label folder, matched by name as a mask file is (scan.ts). The
// result is a 0/1 mask on the file's grid, so every rule after it (grid against the image, values,
// overlap, merge by label order, regions, the body check) is the one masks from a folder go through.
import { createHash } from 'node:crypto'
import { stat } from 'node:fs/promises'
import type { Finding } from '../../shared/api'
import { aliasesOf, labelMapValues, matchesStructure, type StructureChoice } from '../../shared/structureSpec'
import { ALLOW_MISSING_HINT } from '../../shared/layout'
import { readSegNrrd, SegNrrdError, segmentMask, type SegNrrd } from '../imaging/segNrrdReader'
import { readVolume, type Volume } from '../imaging/volume'

/** More distinct values than this is not a label map (a scan given as one): the list stops. */
const MAX_NAMES = 1000

const quoted = (names: string) => aliasesOf(names).map((n) => `"${n}"`).join(' or ')

export interface MultiLabelInput {
  caseKey: string
  labelName: string
  path: string
  choice: StructureChoice
  allowMissingMask: boolean
}

/**
 * The segment of `choice` in the case's .seg.nrrd as a 0/1 volume on the file's grid (the image's
 * other fields kept); null with a finding when the file cannot be used (an error naming it and why)
 * or holds no segment of that name (an error, or a warning with "cases may lack a mask").
 */
export async function readSegNrrdMask(input: MultiLabelInput, image: Volume, findings: Finding[], read: Map<string, Promise<unknown>> = new Map()): Promise<Volume | null> {
  const { labelName: name, path, choice } = input
  try {
    // One read (and one inflate, segmentMask keeps it) per file for all the labels a case takes from it.
    if (!read.has(path)) read.set(path, readSegNrrd(path))
    const seg = (await read.get(path)) as SegNrrd
    const named = seg.header.segments.filter((s) => matchesStructure(s.name, choice.names))
    if (named.length === 0) {
      const there = seg.header.segments.map((s) => s.name).join(', ') || 'none'
      const text = `No "${name}" for case "${input.caseKey}": the segmentation ${path} has no segment named ${quoted(choice.names)} (segments there: ${there})`
      findings.push(
        input.allowMissingMask
          ? { severity: 'warning', code: 'mask-missing', file: path, text: `${text}. "${name}" is left empty for this case (cases may lack a mask).` }
          : { severity: 'error', code: 'mask-missing', file: path, text: `${text}.`, hint: `Add the segment in Slicer (or give its name here as an alias, A|B), or ${ALLOW_MISSING_HINT} to treat "${name}" as absent in this case.` },
      )
      return null
    }
    if (named.length > 1) {
      findings.push({ severity: 'error', code: 'structure-ambiguous', file: path, text: `"${name}" of case "${input.caseKey}": the segmentation ${path} has ${named.length} segments named ${quoted(choice.names)} (${named.map((s) => `"${s.name}"`).join(', ')}).`, hint: 'Rename or delete one of them in Slicer, or name the label so that only one segment matches.' })
      return null
    }
    // Several named labels from one file, on different layers, overlap like masks do: merged by label order afterwards.
    const data = segmentMask(seg, named[0]!, path)
    const info = await stat(path)
    const { size, spacing, origin, direction } = seg.header.geometry
    return { ...image, size, spacing, origin, direction, dimension: 3, componentType: 'uint8', pixelType: 'Scalar', components: 1, data, stored: null, sources: [{ path, size: info.size, mtimeMs: info.mtimeMs, sha256: createHash('sha256').update(seg.bytes).digest('hex') }] }
  } catch (err) {
    if (!(err instanceof SegNrrdError)) throw err
    findings.push({ severity: 'error', code: 'structure-unusable', file: err.file, text: `The "${name}" segmentation ${err.file} cannot be used for case "${input.caseKey}": ${err.reason}` })
    return null
  }
}

/**
 * The label's voxels of a label map as 0/1 (those holding one of its values), on the map's grid.
 * A value the map lacks leaves the label empty in this case (the usual empty-mask warning says so);
 * null with an error when the value table is not numbers.
 */
export function labelMapMask(input: MultiLabelInput, map: Volume, findings: Finding[]): Volume | null {
  const values = labelMapValues(input.choice.names)
  if ('error' in values) {
    findings.push({ severity: 'error', code: 'labelmap-values', file: input.path, text: `"${input.labelName}": ${values.error}`, hint: 'Give the label value (or values, 3|4) the label map uses for this structure.' })
    return null
  }
  const want = new Set(values)
  const src = map.data!
  const data = new Uint8Array(src.length)
  for (let i = 0; i < src.length; i++) if (want.has(src[i] as number)) data[i] = 1
  return { ...map, componentType: 'uint8', pixelType: 'Scalar', components: 1, data, stored: null }
}

/**
 * The names a case's file offers the Labels step's mapping: a .seg.nrrd's segment names (its
 * header only), a label map's values other than 0 (as text, so "3" maps like a segment name).
 */
export async function multiLabelNames({ kind, path }: { kind: 'segnrrd' | 'labelmap'; path: string }): Promise<string[]> {
  if (kind === 'segnrrd') return (await readSegNrrd(path)).header.segments.map((s) => s.name)
  const data = (await readVolume(path, { native: true })).data!
  // Every value (a TotalSegmentator map holds over 100), not maskRules' first few.
  const seen = new Set<number>()
  if (data instanceof Uint8Array || data instanceof Uint16Array) {
    const hit = new Uint8Array(data instanceof Uint8Array ? 256 : 65536)
    for (let i = 0; i < data.length; i++) hit[data[i]!] = 1
    hit.forEach((h, v) => h && seen.add(v))
  } else for (let i = 0; i < data.length && seen.size <= MAX_NAMES; i++) seen.add(Number(data[i]))
  seen.delete(0)
  return [...seen].sort((a, b) => a - b).map(String)
}
