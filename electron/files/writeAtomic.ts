// Every file the app writes (settings, projects, dataset.json, manifests, NIfTI volumes) is either
// the old version or the new one, never half of each: the bytes go to a temporary name in the same
// folder (same filesystem, so rename is atomic), are flushed to disk, and replace the target only
// once they are complete. A failed write leaves no temporary file behind.
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises'
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
  /** The new file's permissions (exactly: the umask does not apply); default: the umask's. */
  mode?: number
  /** Keep the permissions of the file replaced (a 0600 project stays 0600); `mode` (or the default) for a new one. */
  keepMode?: boolean
  /** The permissions of the folder when it is created here, and made so when it exists (an app-private folder: 0o700). */
  folderMode?: number
}

/** Writes `data` to a temporary name next to `file`, syncs it, then renames; returns the bytes written. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteAtomicOptions = {}): Promise<number> {
  if (opts.createFolder ?? true) await mkdir(dirname(file), { recursive: true, ...(opts.folderMode !== undefined && { mode: opts.folderMode }) })
  if (opts.folderMode !== undefined) await chmod(dirname(file), opts.folderMode)
  const kept = opts.keepMode ? await stat(file).then((st) => st.mode & 0o7777, () => undefined) : undefined
  const mode = kept ?? opts.mode
  const tmp = tempPathFor(file)
  try {
    // Created private when it will be (never readable by others for a moment), then set exactly.
    const handle = await open(tmp, 'w', mode ?? 0o666)
    try {
      if (mode !== undefined) await handle.chmod(mode)
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
