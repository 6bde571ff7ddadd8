// One scored case for the viewer: the scan with the reference and the prediction in one label map,
// where agreement keeps the label's own value (and colour) and disagreement gets two values of its
// own: false positive (predicted, not in the reference) and false negative (in the reference,
// missed); the largest connected error region gets one more value in its kind's colour, listed
// first, so the viewer (which centres on the first label) opens inside it. Read through the volume
// worker pool as viewFiles does; nothing is written.
import { basename, join } from 'node:path'
import type { CaseErrorsResult, LabelInfo } from '../../shared/api'
import type { CaseErrorsRequest, Settings } from '../../shared/schema'
import { errorColours } from '../../shared/errorColours'
import { defaultLabelColor } from '../../shared/labelColors'
import { casePool } from '../dataset/casePool'
import { imageForLabel } from '../dataset/viewFiles'
import { datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { rawDatasetDir } from './crossValidation'

interface NiftiView {
  header: Uint8Array
  data: Uint8Array | Uint16Array
  voxels: number
  dims: [number, number, number]
}

/** The voxels of an uncompressed little-endian NIfTI-1 label map as the volume worker writes it (uint8 or uint16). */
export function niftiLabelVoxels(nii: Uint8Array): NiftiView {
  const dv = new DataView(nii.buffer, nii.byteOffset, nii.byteLength)
  if (dv.getInt32(0, true) !== 348) throw new Error('not a little-endian NIfTI-1 volume')
  const dims = [1, 2, 3].map((i) => Math.max(1, dv.getInt16(40 + 2 * i, true)))
  const voxels = dims.reduce((a, b) => a * b, 1)
  const datatype = dv.getInt16(70, true)
  const offset = Math.round(dv.getFloat32(108, true))
  const bytes = nii.slice(offset)
  const data = datatype === 2 ? bytes.subarray(0, voxels) : datatype === 512 ? new Uint16Array(bytes.buffer, bytes.byteOffset, voxels) : null
  if (!data) throw new Error(`label map datatype ${datatype} is neither uint8 nor uint16`)
  return { header: nii.slice(0, offset), data, voxels, dims: dims as [number, number, number] }
}

export interface ErrorMap {
  data: Uint8Array | Uint16Array
  /** The value of label v's false positives (predicted v, the reference is not v) in data. */
  fpValue(v: number): number
  /** The value of label v's false negatives (reference v, predicted background) in data. */
  fnValue(v: number): number
  /** Every error value, false positives and false negatives of every label. */
  errorValues: number[]
  /** Totals over the labels (a voxel of one label predicted as another counts for both). */
  fp: number
  fn: number
  /** Per label value: its false positives and false negatives (nnU-Net's per-label FP / FN). */
  perLabel: Map<number, { fp: number; fn: number }>
}

/**
 * Agreement keeps its value; a voxel predicted as label p where the reference is not p is a
 * false positive of p, a reference voxel of r the prediction left as background a false negative
 * of r, each label with values of its own (maxValue + 2v - 1 and maxValue + 2v), so the viewer
 * colours every label's errors apart. Where both are labelled but differently, the voxel is
 * counted for both (as nnU-Net's per-label FP and FN do) and shown as p's false positive.
 */
export function errorMap(reference: ArrayLike<number>, prediction: ArrayLike<number>, maxValue: number): ErrorMap {
  const fpValue = (v: number) => maxValue + 2 * v - 1
  const fnValue = (v: number) => maxValue + 2 * v
  const data = fnValue(maxValue) > 255 ? new Uint16Array(reference.length) : new Uint8Array(reference.length)
  const fpOf = new Float64Array(maxValue + 1)
  const fnOf = new Float64Array(maxValue + 1)
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!
    const p = prediction[i]!
    if (r === p) data[i] = r
    else if (p !== 0) {
      data[i] = fpValue(p)
      fpOf[p]!++
      if (r !== 0) fnOf[r]!++
    } else {
      data[i] = fnValue(r)
      fnOf[r]!++
    }
  }
  const perLabel = new Map<number, { fp: number; fn: number }>()
  let fp = 0
  let fn = 0
  for (let v = 1; v <= maxValue; v++) {
    perLabel.set(v, { fp: fpOf[v]!, fn: fnOf[v]! })
    fp += fpOf[v]!
    fn += fnOf[v]!
  }
  const errorValues = [...perLabel.keys()].flatMap((v) => [fpValue(v), fnValue(v)])
  return { data, fpValue, fnValue, errorValues, fp, fn, perLabel }
}

/** Above this many voxels the largest error region is not searched (its visited map and queue take 5 bytes a voxel). */
export const REGION_SEARCH_MAX_VOXELS = 40_000_000

/**
 * The largest connected region (6-neighbourhood) of voxels holding one of `values`, a region
 * being of one value: its value, size and one voxel in it. null when there is none.
 */
export function largestRegion(data: ArrayLike<number>, dims: readonly [number, number, number], values: readonly number[]): { value: number; voxels: number; start: number } | null {
  const [nx, ny, nz] = dims
  const n = nx * ny * nz
  const seen = new Uint8Array(n)
  const queue = new Int32Array(n)
  let best: { value: number; voxels: number; start: number } | null = null
  let v = 0
  let tail = 0
  const visit = (j: number) => {
    if (!seen[j] && data[j] === v) {
      seen[j] = 1
      queue[tail++] = j
    }
  }
  for (let s = 0; s < n; s++) {
    v = data[s]!
    if (seen[s] || !values.includes(v)) continue
    let head = 0
    tail = 0
    queue[tail++] = s
    seen[s] = 1
    while (head < tail) {
      const i = queue[head++]!
      const x = i % nx
      const y = Math.floor(i / nx) % ny
      const z = Math.floor(i / (nx * ny))
      if (x > 0) visit(i - 1)
      if (x < nx - 1) visit(i + 1)
      if (y > 0) visit(i - nx)
      if (y < ny - 1) visit(i + nx)
      if (z > 0) visit(i - nx * ny)
      if (z < nz - 1) visit(i + nx * ny)
    }
    if (!best || tail > best.voxels) best = { value: v, voxels: tail, start: s }
  }
  return best
}

/** Gives the region of `start` (same value, 6-neighbourhood) the value `to`, in place. */
export function relabelRegion(data: Uint8Array | Uint16Array, dims: readonly [number, number, number], start: number, to: number): void {
  const [nx, ny, nz] = dims
  const from = data[start]!
  const stack = [start]
  data[start] = to
  while (stack.length) {
    const i = stack.pop()!
    const x = i % nx
    const y = Math.floor(i / nx) % ny
    const z = Math.floor(i / (nx * ny))
    for (const j of [x > 0 ? i - 1 : -1, x < nx - 1 ? i + 1 : -1, y > 0 ? i - nx : -1, y < ny - 1 ? i + nx : -1, z > 0 ? i - nx * ny : -1, z < nz - 1 ? i + nx * ny : -1]) {
      if (j >= 0 && data[j] === from) {
        data[j] = to
        stack.push(j)
      }
    }
  }
}

/** The NIfTI bytes of `data` with the header of `like` (same grid), the datatype set to fit. */
function withVoxels(like: NiftiView, data: Uint8Array | Uint16Array): Uint8Array {
  const header = like.header.slice()
  const dv = new DataView(header.buffer, header.byteOffset, header.byteLength)
  dv.setInt16(70, data instanceof Uint16Array ? 512 : 2, true)
  dv.setInt16(72, data instanceof Uint16Array ? 16 : 8, true)
  const out = new Uint8Array(header.length + data.byteLength)
  out.set(header, 0)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length)
  return out
}

export interface CaseErrorsVolumes extends Omit<CaseErrorsResult, 'imageVolume' | 'labelVolume'> {
  image: Uint8Array
  label: Uint8Array
}

export async function caseErrors(settings: Settings, req: CaseErrorsRequest): Promise<CaseErrorsVolumes> {
  if (!settings.folders) throw new Error('The nnU-Net folders are not set.')
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders.`)
  // The scan: imagesTs for a test case, imagesTr for a validation case (nnU-Net's validation reads the training images).
  const imagesDir = join(rawDatasetDir(settings, dataset), req.fold === 'test' ? 'imagesTs' : 'imagesTr')
  const image = await imageForLabel(imagesDir, req.prediction)
  const [ref, pred] = await Promise.all([
    casePool().view({ image, label: req.reference, maxVoxels: req.maxVoxels }),
    casePool().view({ image, label: req.prediction, maxVoxels: req.maxVoxels }),
  ])
  for (const [what, r] of [
    ['reference', ref],
    ['prediction', pred],
  ] as const) {
    const bad = r.findings.find((f) => f.severity === 'error')
    if (bad) throw new Error(`The ${what} ${basename(what === 'reference' ? req.reference : req.prediction)} cannot be shown over its scan: ${bad.text}`)
  }
  const a = niftiLabelVoxels(ref.labelNii)
  const b = niftiLabelVoxels(pred.labelNii)
  if (a.voxels !== b.voxels) throw new Error(`The prediction ${basename(req.prediction)} is not on the grid of its reference ${basename(req.reference)}.`)
  const names = await datasetLabels(settings, dataset)
  const maxValue = Math.max(0, ...names.map((l) => l.value), ...ref.values.map((v) => v.value), ...pred.values.map((v) => v.value))
  // One value more than the error values: the largest error region, drawn in its kind's colour and
  // listed first, so the viewer opens inside it (it centres on the first label it lists).
  const err = errorMap(a.data, b.data, maxValue)
  const region = a.voxels <= REGION_SEARCH_MAX_VOXELS ? largestRegion(err.data, a.dims, err.errorValues) : null
  const regionValue = err.fnValue(maxValue) + 1
  let data = err.data
  if (region && regionValue > 255 && data instanceof Uint8Array) data = Uint16Array.from(data)
  if (region) relabelRegion(data, a.dims, region.start, regionValue)
  const nameOf = (v: number) => names.find((l) => l.value === v)?.name ?? `label ${v}`
  const colourOf = (v: number) => req.colours?.[nameOf(v)] ?? defaultLabelColor(v)
  const present = [...new Set([...ref.values, ...pred.values].map((v) => v.value))].sort((x, y) => x - y)
  const classes: LabelInfo[] = present.map((v) => ({ name: nameOf(v), value: v, color: colourOf(v) }))
  // Each label's errors in a pair of colours of their own, clear of every label colour (of the
  // whole dataset, so a label keeps its error colours from case to case) and of each other.
  const values = Array.from({ length: maxValue }, (_, k) => k + 1)
  const pairs = errorColours(values.map(colourOf))
  const kinds = values.flatMap((v, k) => {
    const n = err.perLabel.get(v)!
    return [
      ...(n.fp > 0 ? [{ kind: 'false positive', of: nameOf(v), info: { name: `${nameOf(v)} false positive`, value: err.fpValue(v), color: pairs[k]!.fp } }] : []),
      ...(n.fn > 0 ? [{ kind: 'false negative', of: nameOf(v), info: { name: `${nameOf(v)} false negative`, value: err.fnValue(v), color: pairs[k]!.fn } }] : []),
    ]
  })
  const errorLabels: LabelInfo[] = kinds.map((e) => e.info)
  // The viewer opens on the first label in the list that has voxels: the largest error region,
  // else (a volume too large to search) the largest kind of error.
  const errors = [...errorLabels].sort((x, y) => countOf(data, y.value) - countOf(data, x.value))
  const regionOf = region ? kinds.find((e) => e.info.value === region.value) : undefined
  const regionLabel: LabelInfo[] = regionOf ? [{ name: `largest ${regionOf.kind} region (${regionOf.of})`, value: regionValue, color: regionOf.info.color }] : []
  return {
    caseKey: req.case ?? basename(req.prediction).replace(/\.(nii\.gz|nii|nrrd|mha)$/i, ''),
    image: ref.imageNii,
    label: withVoxels(a, data),
    labels: [...regionLabel, ...errors, ...classes],
    errorVoxels: { fp: err.fp, fn: err.fn },
    imagePath: image,
    report: {
      caseKey: req.case ?? basename(req.prediction),
      status: 'ok',
      findings: [],
      geometry: ref.geometry,
      imageType: ref.imageType,
      // What each legend row shows: the largest region's voxels are not counted again under its kind.
      voxelCounts: Object.fromEntries([...regionLabel, ...errorLabels, ...classes].map((l) => [l.name, countOf(data, l.value)])),
      overlapVoxels: 0,
    },
    ...(ref.reduced && { reduced: ref.reduced }),
  }
}

function countOf(data: ArrayLike<number>, value: number): number {
  let n = 0
  for (let i = 0; i < data.length; i++) if (data[i] === value) n++
  return n
}
