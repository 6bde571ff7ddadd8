// Whether a folder is a DICOM case folder, without parsing anything: the first few files found
// (any depth) are opened for their 132-byte preamble ("DICM" at byte 128). A scan of the sources
// stays instant; the index (headerIndex.ts) reads the headers later, in a worker.
import { open, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Files opened at most before a folder counts as not DICOM (a README beside the series is fine). */
const PROBE_FILES = 8

export async function hasDicomPreamble(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => null)
  if (!fh) return false
  try {
    const b = Buffer.alloc(132)
    const { bytesRead } = await fh.read(b, 0, 132, 0)
    return bytesRead === 132 && b.toString('latin1', 128, 132) === 'DICM'
  } catch {
    return false
  } finally {
    await fh.close()
  }
}

export async function isDicomFolder(dir: string): Promise<boolean> {
  let probed = 0
  const queue = [dir]
  while (queue.length > 0 && probed < PROBE_FILES) {
    const d = queue.shift()!
    const entries = await readdir(d, { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      if (e.name.startsWith('.')) continue
      if (e.isDirectory()) queue.push(join(d, e.name))
      else if (e.isFile()) {
        if (await hasDicomPreamble(join(d, e.name))) return true
        if (++probed >= PROBE_FILES) return false
      }
    }
  }
  return false
}
