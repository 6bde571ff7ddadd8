// The source files of one case while a worker checks it: each opened once (files/sourceFile.ts)
// and shared by every read of it, their fingerprints as read (the header and any detached data
// file, so a resume sees a changed .raw), and the memory the case's volumes claim, reserved from
// the run's budget (imaging/memoryBudget.ts) before any of them is decoded.
import { SourceSet } from '../files/sourceFile'
import { readVolumeHeader, type VolumeHeader } from '../imaging/volumeHeader'
import { MAX_READ_BYTES, readClaim, volumeExtension, type Volume } from '../imaging/volume'
import { checkPayloadLayout } from '../imaging/payload'
import { carryBlocker } from '../imaging/carry'
import { MemoryBudget } from '../imaging/memoryBudget'
import { indexDicomFolder } from '../imaging/dicom/headerIndex'
import type { DicomCaseIndex } from '../../shared/api/dicom'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'

/** One source file as the case read it: what the manifest records and a resume compares. */
export interface SourceFingerprint {
  path: string
  size: number
  mtimeMs: number
  sha256: string
  /** The image, a label's name; a detached data file has the role of its header. */
  role: string
  /** A data file named by the header before it (.nhdr data file, .mhd ElementDataFile). */
  detached?: boolean
}

export class CaseFiles {
  private readonly sets = new Map<string, SourceSet>()
  readonly prints: SourceFingerprint[] = []
  /** A DICOM case folder's header index, made once for the memory claim and reused by the read (dicomCase.ts). */
  dicomIndex?: DicomCaseIndex

  constructor(private readonly afterOpen?: (path: string) => Promise<void>) {}

  /** The open files of the volume at `path` (opened on first use). */
  of(path: string): SourceSet {
    let s = this.sets.get(path)
    if (!s) this.sets.set(path, (s = new SourceSet(this.afterOpen)))
    return s
  }

  /** Records the files a volume was read from, as read: the header under `role`, a detached data file after it. */
  record(role: string, v: Volume): void {
    v.sources.forEach((s, i) => this.prints.push({ ...s, role, ...(i > 0 && { detached: true }) }))
  }

  async close(): Promise<void> {
    for (const s of this.sets.values()) await s.close()
    this.sets.clear()
  }
}

/**
 * A DICOM case folder's claim: its largest series decoded as GDCM returns it (up to 8 bytes a
 * voxel once rescaled) plus the narrowed copy; null when `image` is not a folder.
 */
async function dicomClaim(image: string, files: CaseFiles): Promise<{ bytes: number; voxels: number } | null> {
  if (volumeExtension(basename(image)) !== null || !(await stat(image).catch(() => null))?.isDirectory()) return null
  files.dicomIndex ??= await indexDicomFolder(image)
  let voxels = 0
  for (const s of files.dicomIndex.series) voxels = Math.max(voxels, s.size[0] * s.size[1] * s.size[2])
  const float = files.dicomIndex.series.some((s) => s.rescaleSlope !== Math.round(s.rescaleSlope) || s.rescaleIntercept !== Math.round(s.rescaleIntercept))
  return { bytes: voxels * ((float ? 8 : 4) + 4), voxels }
}

/** One budget per worker for tasks sent without the run's (the viewer's, tests'); a run shares its own. */
let workerBudget: MemoryBudget | undefined

export function budgetOf(shared: SharedArrayBuffer | undefined): MemoryBudget {
  return shared ? new MemoryBudget(shared) : (workerBudget ??= new MemoryBudget())
}

/**
 * The header when its claim is plausible by the file's size; null when the read itself will refuse
 * the file (truncated, a claim no stream of that size can fill, too large for the reader), so
 * that refusal, which says what is wrong with the file, is the one the user sees.
 */
async function headerOrNull(path: string, files: CaseFiles): Promise<VolumeHeader | null> {
  try {
    const h = await readVolumeHeader(path, files.of(path))
    await checkPayloadLayout(h, files.of(path))
    return h.payload.bytes > MAX_READ_BYTES ? null : h
  } catch {
    return null
  }
}

/**
 * What the case's volumes claim, decoded, and the largest file among them: the image (nothing when
 * it will be carried as it is), each mask, and the label map and encoded outputs. A header that
 * cannot be read claims nothing here (its read names what is wrong, before allocating anything).
 */
export async function caseClaim(image: string, masks: (string | null)[], files: CaseFiles, carrying: boolean): Promise<{ bytes: number; largest: string }> {
  let bytes = 0
  let largest = image
  let most = -1
  const add = (path: string, n: number) => {
    bytes += n
    if (n > most) [most, largest] = [n, path]
  }
  const ih = await headerOrNull(image, files)
  const dicom = ih ? null : await dicomClaim(image, files)
  if (dicom) {
    add(image, dicom.bytes)
    bytes += 2 * dicom.voxels
  }
  if (ih) {
    // A .nii.gz is carried only when prepare wrote its header, which is told later: counted as decoded.
    const carried = carrying && carryBlocker(ih) === null && ih.format !== 'nifti1'
    add(image, carried ? 0 : readClaim(ih, true) + ih.payload.bytes)
    // The merged label map (one byte a voxel) and its encoded copy.
    bytes += 2 * ih.sizes.slice(0, 3).reduce((a, b) => a * b, 1)
  }
  for (const m of masks) {
    if (!m) continue
    const h = await headerOrNull(m, files)
    if (h) add(m, readClaim(h, true))
  }
  return { bytes, largest }
}
