// What the dataset lock and the fold lock share: whether a pid still runs, and reading the JSON
// owner a lock file holds. Each lock keeps its own owner fields and stale rules.
import { readFile } from 'node:fs/promises'

/** Whether a process runs on this host (EPERM: it runs, as another user). */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid < 1) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The owner written in a lock file; null when the file is gone. A file that is not ours to parse has owner null (an owner that no longer runs). */
export async function readLockOwner<T extends { pid: number; host: string }>(file: string): Promise<{ raw: string; owner: T | null } | null> {
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  try {
    const o = JSON.parse(raw) as T
    return { raw, owner: Number.isInteger(o.pid) && typeof o.host === 'string' ? o : null }
  } catch {
    return { raw, owner: null }
  }
}
