// One prepare at a time per dataset id in an output folder: the wizard and a terminal (or two
// wizard windows, or the same id under two names) writing there at once would delete each
// other's staging files, interleave cases or create two folders nnU-Net cannot tell apart.
//
// The lock is a file created atomically with its owner already inside: the owner is written to a
// unique temporary file that is then hard-linked to the lock name (link fails when the name
// exists, also on NFS), so no process ever sees an empty or half-written lock. A lock whose owner
// no longer runs is taken over only under a second exclusive "takeover" file, re-reading the
// owner under it, so of several processes that find the same stale lock exactly one wins.
//
// A lock tells a live run from a dead or dying one: the owner records its start time (a pid
// reused by another program is not the owner) and, for a CLI run relaunched with tuned malloc
// (bin/tunedMalloc.mjs), its launcher. A worker whose launcher is gone (kill -9 of nnunet-wizard)
// is dying: it kills itself within a few milliseconds, and the next run ends it at once rather
// than waiting for it, so an immediate re-run is never refused.
import { pidAlive, readLockOwner } from '../files/lockFile'
import { link, readdir, rm, writeFile } from 'node:fs/promises'
import { readFileSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'

const LOCK_PREFIX = '.nnunet-wizard-lock-'
/** Lock path -> the owner text this process wrote there. */
const held = new Map<string, string>()

interface Owner {
  pid: number
  host: string
  nonce: string
  /** The process's start time in clock ticks since boot (Linux /proc), to tell it from a later process with its pid. */
  started?: number
  /** The launcher of a relaunched CLI run (bin/tunedMalloc.mjs): the run ends with it. */
  launcher?: number
}

/** Parent pid and start time of a process, from /proc (Linux); undefined elsewhere or when it is gone. */
function procStat(pid: number): { ppid: number; started: number; zombie: boolean } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(f[1]), started: Number(f[19]), zombie: f[0] === 'Z' || f[0] === 'X' }
  } catch {
    return undefined
  }
}

/** The launcher's pid when this process is a relaunched CLI worker (set by bin/tunedMalloc.mjs). */
function launcherPid(): number | undefined {
  const v = (globalThis as Record<symbol, unknown>)[Symbol.for('nnunet-wizard.launcher')]
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined
}

export class DatasetBusyError extends Error {}



type OwnerState = 'running' | 'dying' | 'gone'

function ownerState(owner: Owner | null): OwnerState {
  if (!owner) return 'gone'
  // A process on another machine (a shared folder) cannot be checked from here: assume it runs.
  if (owner.host !== hostname()) return 'running'
  if (!pidAlive(owner.pid)) return 'gone'
  const st = procStat(owner.pid)
  if (!st) return 'running' // no /proc: what kill(0) says
  if (st.zombie) return 'gone'
  if (owner.started !== undefined && st.started !== owner.started) return 'gone' // its pid now belongs to another process
  // A relaunched worker whose launcher is gone has been re-parented: it is ending itself.
  if (owner.launcher !== undefined && st.ppid !== owner.launcher) return 'dying'
  return 'running'
}

function running(owner: Owner | null): boolean {
  return ownerState(owner) === 'running'
}

/** Ends a dying owner (it is killing itself anyway) and waits until it is gone: its writes stop before ours start. */
async function endDying(owner: Owner): Promise<void> {
  try {
    process.kill(owner.pid, 'SIGKILL')
  } catch {
    return
  }
  for (let i = 0; i < 200 && ownerState(owner) !== 'gone'; i++) await delay(10)
}

async function linkOrExists(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

/** Removes lock temp files of processes that no longer run (a crash between write and link). */
async function sweepTemps(outDir: string, name: string): Promise<void> {
  const host = hostname()
  for (const n of await readdir(outDir).catch(() => [] as string[])) {
    const m = new RegExp(`^${name.replace(/[.]/g, '\\.')}\\.tmp-(.+)-(\\d+)-[0-9a-f]+$`).exec(n)
    if (m && m[1] === host && !pidAlive(Number(m[2]))) await rm(join(outDir, n), { force: true })
  }
}

/**
 * Takes the lock for the dataset `key` (e.g. Dataset011 or Task11: the id, not the name) in
 * `outDir`; resolves with its release. `key` is built from a checked layout and id only.
 */
export async function lockDataset(outDir: string, key: string): Promise<() => Promise<void>> {
  if (!/^(Dataset|Task)\d+$/.test(key)) throw new Error(`Internal error: "${key}" is not a dataset key.`)
  const name = `${LOCK_PREFIX}${key}`
  const path = join(outDir, name)
  const guard = `${path}.takeover`
  if (held.has(path)) throw new DatasetBusyError(`${key} in ${outDir} is already being written by another job in this app; wait for it to finish or cancel it.`)
  const started = procStat(process.pid)?.started
  const launcher = launcherPid()
  const me: Owner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), ...(started !== undefined && { started }), ...(launcher !== undefined && { launcher }) }
  const mine = JSON.stringify(me)
  // Claimed synchronously, before any await, so two jobs of this process cannot both get past here.
  held.set(path, mine)
  const tmp = `${path}.tmp-${me.host}-${me.pid}-${me.nonce}`
  const release = async () => {
    const now = await readLockOwner<Owner>(path).catch(() => null)
    if (now?.raw === mine) await rm(path, { force: true })
    held.delete(path)
  }
  try {
    await writeFile(tmp, mine, { flag: 'wx' })
    try {
      for (let attempt = 0; attempt < 400; attempt++) {
        if (await linkOrExists(tmp, path)) {
          await sweepTemps(outDir, name)
          return release
        }
        const current = await readLockOwner<Owner>(path)
        if (!current) continue
        if (ownerState(current.owner) === 'dying') await endDying(current.owner!)
        if (running(current.owner)) {
          const o = current.owner!
          // Only a run on another machine cannot be checked from here; its lock may be stale.
          const elsewhere = o.host !== me.host ? ` If no nnunet-wizard run is going on ${o.host}, delete ${path}.` : ''
          throw new DatasetBusyError(`${key} in ${outDir} is being written by another nnunet-wizard run (pid ${o.pid}${o.host !== me.host ? ` on ${o.host}` : ''}); wait for it to finish, or stop that run.${elsewhere}`)
        }
        // Stale: its owner no longer runs. Only the holder of the takeover guard may replace it.
        if (!(await linkOrExists(tmp, guard))) {
          const other = await readLockOwner<Owner>(guard)
          if (other && !running(other.owner)) {
            throw new DatasetBusyError(`A run that stopped while taking over the lock of ${key} left ${guard}; make sure no nnunet-wizard run is writing ${outDir}, delete that file and run again.`)
          }
          await delay(10) // another process is taking over right now; look again
          continue
        }
        try {
          const again = await readLockOwner<Owner>(path)
          // Replaced only if it is still the same stale lock: someone may have taken over meanwhile.
          if (again?.raw === current.raw) {
            await rm(path, { force: true })
            if (await linkOrExists(tmp, path)) {
              await sweepTemps(outDir, name)
              return release
            }
          }
        } finally {
          await rm(guard, { force: true })
        }
      }
      throw new DatasetBusyError(`Could not lock ${key} in ${outDir}: other runs keep taking it; try again.`)
    } finally {
      await rm(tmp, { force: true })
    }
  } catch (err) {
    held.delete(path)
    throw err
  }
}

/**
 * Releases every lock this process holds, at once: for an exit that cannot wait for the run to
 * unwind (a second Ctrl-C). The next run would take over a lock left behind, but until then it
 * reads as a run still going. A lock some other process holds by now is left alone.
 */
export function releaseLocksSync(): void {
  for (const [path, mine] of held) {
    try {
      if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true })
    } catch {
      // Already gone: nothing to release.
    }
    held.delete(path)
  }
}
