// One writer per fold folder. nnU-Net writes a training's fold_N (checkpoints, logs, validation)
// without looking whether another training writes it too; two of them would overwrite each
// other's checkpoints and the result would be neither. So every path that starts a training
// takes this lock first: the run queue (app and browser mode), the CLI (its own process), and a
// SLURM submission for each task (held in the name of the SLURM job, on the shared file system).
//
// The lock is a file beside the fold folder (T__P__C/.fold_N.nnunet-wizard.lock), created
// atomically with its owner inside (written to a unique temporary file, then hard-linked to the
// lock name: link fails when the name exists, also on NFS). It says who holds it: a queue entry,
// a CLI process or a SLURM job, with pid, host and (SLURM) job id, so a refusal can name the
// holder. It is stale-aware: a SLURM job that has ended, or a process of this host that no longer
// runs, holds nothing, and the lock is taken over (under a second exclusive "takeover" file, so
// of several processes that find the same stale lock exactly one wins). One exception is said
// out loud: the app or CLI that held it is gone but the nnU-Net process it started still runs
// (a crash; the queue then calls the run "interrupted"): that orphan is reported, never
// trained over.
import { pidAlive, readLockOwner } from '../files/lockFile'
import { execFile } from 'node:child_process'
import { link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { DomainError } from '../domainError'

/** Who holds a fold: said in a refusal. */
export interface FoldHolder {
  /** queue: an entry of the app's run queue; cli: a CLI process; slurm: a SLURM task; app: a run started otherwise. */
  kind: 'queue' | 'cli' | 'slurm' | 'app'
  title?: string
  jobId?: string
  entryId?: string
  /** The SLURM task ("123_0") or job id that trains the fold. */
  slurmJobId?: string
}

export interface FoldOwner extends FoldHolder {
  pid: number
  host: string
  nonce: string
  startedAt: number
  /** The nnU-Net process (group leader) training the fold, once it runs on this host. */
  childPid?: number
}

/** What holds a fold now. `orphan`: its holder is gone, but the nnU-Net process it started still trains. */
export interface FoldHold {
  owner: FoldOwner
  state: 'running' | 'orphan'
  lockFile: string
}

export class FoldBusyError extends DomainError {
  constructor(
    message: string,
    readonly hold: FoldHold,
  ) {
    super(message, 'fold-busy', 'conflict')
    this.name = 'FoldBusyError'
  }
}

export interface FoldRelease {
  (): Promise<void>
  /** Records the nnU-Net process that trains the fold (found again after a crash). */
  child(pid: number): Promise<void>
  /** Records the SLURM task that now holds the fold (a submission's lock, given to its task). */
  slurm(taskId: string): Promise<void>
}

/** Whether a SLURM job is still known and not ended; undefined when SLURM cannot be asked from here. */
export type SlurmLiveness = (jobId: string) => Promise<boolean | undefined>

/** The lock file of a fold folder. */
export function foldLockFile(foldFolder: string): string {
  return join(dirname(foldFolder), `.${basename(foldFolder)}.nnunet-wizard.lock`)
}


/** squeue's answer for a job: live while it is listed (pending, running, requeued, completing). */
export const squeueLiveness: SlurmLiveness = (jobId) =>
  new Promise((resolve) => {
    execFile('squeue', ['-h', '-j', jobId, '-o', '%T'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined)
      if (/Invalid job id/i.test(stderr)) return resolve(false)
      if (err) return resolve(undefined)
      resolve(stdout.trim().length > 0)
    })
  })


/** The hold an owner has now, or undefined when it is stale. */
async function holdOf(owner: FoldOwner | null, lockFile: string, slurmLive: SlurmLiveness): Promise<FoldHold | undefined> {
  if (!owner) return undefined
  if (owner.slurmJobId) {
    const live = await slurmLive(owner.slurmJobId)
    // Not askable from here (no SLURM client): counted as running, the refusal says how to clear it.
    return live === false ? undefined : { owner, state: 'running', lockFile }
  }
  // A process on another machine (a shared folder) cannot be checked from here: assume it runs.
  if (owner.host !== hostname() || pidAlive(owner.pid)) return { owner, state: 'running', lockFile }
  if (pidAlive(owner.childPid)) return { owner, state: 'orphan', lockFile }
  return undefined
}

/** Who holds the fold folder now (a live holder, or an orphaned nnU-Net); undefined when it is free. */
export async function foldHold(foldFolder: string, slurmLive: SlurmLiveness = squeueLiveness): Promise<FoldHold | undefined> {
  const file = foldLockFile(foldFolder)
  const current = await readLockOwner<FoldOwner>(file)
  return current ? holdOf(current.owner, file, slurmLive) : undefined
}

/** The holder in words: "queue entry "Train 2d fold 0 (dataset 5)" (job X) of the app (pid P on H)". */
export function holderText(o: FoldOwner): string {
  const where = `pid ${o.pid} on ${o.host}`
  const title = o.title ? ` "${o.title}"` : ''
  switch (o.kind) {
    case 'slurm':
      return `SLURM job ${o.slurmJobId ?? '(being submitted)'}${title}${o.slurmJobId ? '' : ` from ${where}`}`
    case 'queue':
      return `the run queue entry${title}${o.jobId ? ` (job ${o.jobId})` : ''} of the app (${where})`
    case 'cli':
      return `nnunet-wizard CLI ${where}${title}`
    default:
      return `an nnunet-wizard run${title} (${where})`
  }
}

/** The refusal of a second training of a held fold, naming what holds it and what to do. */
export function busyText(foldFolder: string, hold: FoldHold): string {
  const o = hold.owner
  const fold = `${basename(dirname(foldFolder))}/${basename(foldFolder)}`
  if (hold.state === 'orphan') {
    return (
      `${fold} is still being trained by an nnU-Net process (pid ${o.childPid} on ${o.host}) left running by ${holderText(o)}, which has stopped (the run queue may call it interrupted). ` +
      `It is not started over: let it finish, or stop it (kill -TERM -${o.childPid}) and then continue the fold (--continue). Lock: ${hold.lockFile}`
    )
  }
  const elsewhere = o.host !== hostname() && !o.slurmJobId ? ` If nothing trains it on ${o.host} any more, delete ${hold.lockFile}.` : ''
  const noSlurm = o.slurmJobId ? ` (if SLURM no longer knows that job, delete ${hold.lockFile})` : ''
  return `${fold} is already being trained by ${holderText(o)}${noSlurm}: a second training would overwrite its checkpoints. Wait for it to finish or stop it, then train again.${elsewhere}`
}

/** Lock files this process holds -> the owner text written there. */
const held = new Map<string, string>()

async function linkOrExists(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

/**
 * Takes the lock of a fold folder for `holder`; resolves with its release, or throws
 * FoldBusyError naming what holds it.
 */
export async function lockFold(foldFolder: string, holder: FoldHolder, slurmLive: SlurmLiveness = squeueLiveness): Promise<FoldRelease> {
  const file = foldLockFile(foldFolder)
  await mkdir(dirname(file), { recursive: true })
  const mine: FoldOwner = { ...holder, pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), startedAt: Date.now() }
  let text = JSON.stringify(mine)
  const refuse = async (raw: string, owner: FoldOwner | null): Promise<never> => {
    const hold = (await holdOf(owner, file, slurmLive)) ?? { owner: owner!, state: 'running' as const, lockFile: file }
    throw new FoldBusyError(busyText(foldFolder, hold), hold)
  }
  const inProcess = held.get(file)
  if (inProcess) await refuse(inProcess, JSON.parse(inProcess) as FoldOwner)
  held.set(file, text)
  const tmp = `${file}.tmp-${mine.host}-${mine.pid}-${mine.nonce}`
  const guard = `${file}.takeover`
  try {
    await writeFile(tmp, text, { flag: 'wx' })
    try {
      for (let attempt = 0; attempt < 400; attempt++) {
        if (await linkOrExists(tmp, file)) return releaseOf()
        const current = await readLockOwner<FoldOwner>(file)
        if (!current) continue
        if (await holdOf(current.owner, file, slurmLive)) await refuse(current.raw, current.owner)
        // Stale: only the holder of the takeover guard replaces it.
        if (!(await linkOrExists(tmp, guard))) {
          // A guard older than a minute was left by a crash in the middle of a takeover.
          const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0)
          if (age > 60_000) await rm(guard, { force: true })
          await delay(10)
          continue
        }
        try {
          const again = await readLockOwner<FoldOwner>(file)
          if (again?.raw === current.raw) {
            await rm(file, { force: true })
            if (await linkOrExists(tmp, file)) return releaseOf()
          }
        } finally {
          await rm(guard, { force: true })
        }
      }
      throw new Error(`Could not lock ${foldFolder}: other runs keep taking it; try again.`)
    } finally {
      await rm(tmp, { force: true })
    }
  } catch (err) {
    held.delete(file)
    throw err
  }

  function releaseOf(): FoldRelease {
    const rewrite = async (patch: Partial<FoldOwner>) => {
      const now = await readLockOwner<FoldOwner>(file).catch(() => null)
      if (now?.raw !== text) return // taken over meanwhile (it was stale to someone): not ours to change
      const next = JSON.stringify({ ...(JSON.parse(text) as FoldOwner), ...patch })
      const t = `${file}.tmp-${mine.host}-${mine.pid}-${randomBytes(4).toString('hex')}`
      await writeFile(t, next)
      await rename(t, file)
      text = next
      held.set(file, text)
    }
    const release = (async () => {
      const now = await readLockOwner<FoldOwner>(file).catch(() => null)
      if (now?.raw === text) await rm(file, { force: true })
      held.delete(file)
    }) as FoldRelease
    release.child = (pid) => rewrite({ childPid: pid })
    release.slurm = (taskId) => rewrite({ kind: 'slurm', slurmJobId: taskId })
    return release
  }
}

/**
 * Releases a fold held in the name of a SLURM task once the task has ended (by whichever app
 * process follows it: possibly not the one that submitted it). A lock someone else holds by now
 * is left alone.
 */
export async function releaseSlurmFold(foldFolder: string, taskId: string): Promise<void> {
  const file = foldLockFile(foldFolder)
  const now = await readLockOwner<FoldOwner>(file)
  if (now?.owner?.slurmJobId === taskId) {
    await rm(file, { force: true })
    held.delete(file)
  }
}
