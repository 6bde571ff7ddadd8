// A correction in progress, kept so a closed tab or app loses nothing (issue 21 item 2): the label
// editor sends its unsaved edits a moment after each change, as the runs saveLabelEdit takes, and
// they are written atomically beside the prediction in corrected/.draft/<name>.json. The draft names
// the file the runs are against (its base) with that file's size and time: when the base changes on
// disk afterwards (a save from another window), the draft is reported stale instead of applied to
// the wrong map. Saving the correction or discarding removes the draft.
import { readFile, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { LabelDraft, LabelDraftRequest, SaveLabelDraftRequest } from '../../shared/api'
import { DomainError } from '../domainError'
import { writeFileAtomic } from '../files/writeAtomic'
import { CORRECTED_FOLDER, refuseSourceFolder } from './labelEdit'

export const DRAFT_FOLDER = '.draft'

/** The prediction a path names: the prediction itself, or the prediction of its corrected copy. */
export function predictionOf(path: string): string {
  const p = resolve(path)
  return basename(dirname(p)) === CORRECTED_FOLDER ? join(dirname(dirname(p)), basename(p)) : p
}

/** <prediction folder>/corrected/.draft/<name>.json */
export function draftPathFor(prediction: string): string {
  const p = predictionOf(prediction)
  return join(dirname(p), CORRECTED_FOLDER, DRAFT_FOLDER, `${basename(p)}.json`)
}

interface DraftFile {
  version: 1
  prediction: string
  base: string
  baseSize: number
  baseMtimeMs: number
  changes: string
  voxels: number
  savedAt: string
}

/** Voxels the runs cover (each run: start, length, value as little-endian uint32). */
function runVoxels(b64: string): number {
  const bytes = Buffer.from(b64, 'base64')
  if (bytes.length % 12 !== 0) throw new DomainError('The draft is not a whole number of runs (12 bytes each): it was cut short on the way.', 'edit-malformed')
  let n = 0
  for (let o = 0; o < bytes.length; o += 12) n += bytes.readUInt32LE(o + 4)
  return n
}

export interface DraftContext {
  /** The project's source folders: never written. */
  sourceFolders: readonly string[]
  /** Refuses a path outside the project's folders (as the viewer does). */
  checkReadable?: (path: string) => Promise<void>
}

export async function saveLabelDraft(req: SaveLabelDraftRequest, ctx: DraftContext): Promise<{ path: string; savedAt: string }> {
  const prediction = predictionOf(req.prediction)
  const base = resolve(req.base)
  if (predictionOf(base) !== prediction) throw new DomainError(`${base} is neither the prediction ${prediction} nor its corrected copy: a draft is kept for the file the editor loaded.`, 'draft-base', 'invalid')
  const out = draftPathFor(prediction)
  await refuseSourceFolder(out, ctx.sourceFolders)
  await ctx.checkReadable?.(base)
  const info = await stat(base).catch(() => null)
  if (!info?.isFile()) throw new DomainError(`${base} does not exist: the draft's label map is gone.`, 'draft-base', 'not-found')
  const savedAt = new Date().toISOString()
  const file: DraftFile = { version: 1, prediction, base, baseSize: info.size, baseMtimeMs: info.mtimeMs, changes: req.changes, voxels: runVoxels(req.changes), savedAt }
  await writeFileAtomic(out, `${JSON.stringify(file)}\n`)
  return { path: out, savedAt }
}

/** The draft kept for a prediction; null when there is none (or it cannot be read: a broken draft is not offered). */
export async function readLabelDraft(req: LabelDraftRequest, ctx: Pick<DraftContext, 'checkReadable'> = {}): Promise<LabelDraft | null> {
  const path = draftPathFor(req.prediction)
  await ctx.checkReadable?.(predictionOf(req.prediction))
  let f: DraftFile
  try {
    f = JSON.parse(await readFile(path, 'utf8')) as DraftFile
  } catch {
    return null
  }
  if (f?.version !== 1 || typeof f.changes !== 'string' || typeof f.base !== 'string') return null
  const info = await stat(f.base).catch(() => null)
  const stale = !info
    ? `${f.base} is gone since the draft was kept.`
    : info.size !== f.baseSize || Math.abs(info.mtimeMs - f.baseMtimeMs) > 1
      ? `${basename(f.base)} was saved again after this draft was kept (${f.savedAt}): the draft's edits are against the older file.`
      : undefined
  return { path, prediction: f.prediction, base: f.base, changes: f.changes, voxels: f.voxels, savedAt: f.savedAt, ...(stale && { stale }) }
}

export async function discardLabelDraft(req: LabelDraftRequest, ctx: Pick<DraftContext, 'sourceFolders'>): Promise<{ removed: boolean }> {
  const path = draftPathFor(req.prediction)
  await refuseSourceFolder(path, ctx.sourceFolders)
  const there = await stat(path).catch(() => null)
  if (!there) return { removed: false }
  await rm(path, { force: true })
  return { removed: true }
}
