// Every file the app writes (settings, projects, dataset.json, manifests, NIfTI volumes) is either
// the old version or the new one, never half of each: the bytes go to a temporary name in the same
// folder (same filesystem, so rename is atomic), are flushed to disk, and replace the target only
// once they are complete. A failed write leaves no temporary file behind.
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { faultPoint } from './fault'

/** Temporary names carry this marker so a sweep can find what an interrupted run left behind. */
export const TEMP_MARKER = '.nnunet-wizard-tmp-'

export function tempPathFor(target: string): string {
  return join(dirname(target), `${TEMP_MARKER}${randomBytes(6).toString('hex')}-${basename(target)}.tmp`)
}

export interface WriteAtomicOptions {
  /**
   * Create the target's folder first (default). Off where the folder must already exist: a
   * staging folder removed under a late write must not come back.
   */
  createFolder?: boolean
}

/** Writes `data` to a temporary name next to `file`, syncs it, then renames; returns the bytes written. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteAtomicOptions = {}): Promise<number> {
  if (opts.createFolder ?? true) await mkdir(dirname(file), { recursive: true })
  const tmp = tempPathFor(file)
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    faultPoint('temp-written')
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}
