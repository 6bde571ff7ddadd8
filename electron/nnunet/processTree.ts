// Child processes for nnU-Net: always spawn(file, argv, { shell: false }); on POSIX in their own
// process group, so one signal reaches the trainer and every data-augmentation worker it forked.
// Cancel = SIGTERM to the group, SIGKILL after a grace period, then wait until the group is empty.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { HOW, either } from './howTo'

export interface SpawnedTree {
  child: ChildProcess
  /** The process group id (POSIX) or pid (Windows) that identifies the whole tree. */
  groupId: number
  /** Resolves with the exit code (null when killed by a signal) once the main process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /**
   * Resolves when stdout and stderr are closed. Workers inherit these pipes, so this can come
   * long after `exited` (or never, for a hung worker): wait for it only after the group is gone.
   */
  streamsClosed: Promise<void>
}

export function spawnTree(file: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): SpawnedTree {
  const child = spawn(file, args, {
    shell: false,
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // POSIX: the child leads a new process group. Windows: taskkill /T walks the tree instead.
    detached: process.platform !== 'win32',
    windowsHide: true,
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new Error(`Cannot start ${file}: the file does not exist. ${either(HOW.pickPython)}`))
      else reject(new Error(`Cannot start ${file}: ${err.message}`))
    })
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const streamsClosed = new Promise<void>((resolve) => {
    child.once('close', () => resolve())
    child.once('error', () => resolve())
  })
  return { child, groupId: child.pid ?? -1, exited, streamsClosed }
}

/**
 * Linux: the live (non-zombie) processes whose process group is `groupId`, from /proc. Zombies are
 * left out because in a container without an init they may never be reaped, yet they hold nothing.
 */
export function groupMembers(groupId: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(fields[2]) === groupId && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(name))
  }
  return out
}

/** True while any process of the group is alive (POSIX); on Windows, while the root pid is. */
export function groupAlive(groupId: number): boolean {
  if (groupId <= 0) return false
  if (process.platform === 'linux') return groupMembers(groupId).length > 0
  try {
    process.kill(process.platform === 'win32' ? groupId : -groupId, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which cannot happen for our own group.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function signalGroup(groupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-groupId, signal)
  } catch {
    /* already gone */
  }
}

function taskkill(pid: number): Promise<void> {
  return new Promise((resolve) => execFile('taskkill', ['/PID', String(pid), '/T', '/F'], { windowsHide: true }, () => resolve()))
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Terminates the whole tree: SIGTERM to the group, SIGKILL after `graceMs` if anything is still
 * alive, and resolves once no process of the group is left (or after a hard limit, returning false).
 */
export async function killTree(tree: SpawnedTree, graceMs = 5000): Promise<boolean> {
  if (process.platform === 'win32') {
    await taskkill(tree.groupId)
    return true
  }
  signalGroup(tree.groupId, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (groupAlive(tree.groupId) && Date.now() < deadline) await sleep(100)
  if (groupAlive(tree.groupId)) signalGroup(tree.groupId, 'SIGKILL')
  // A killed process leaves only when the kernel has freed it (torch workers' shared memory, a
  // loaded machine): seconds, not never. Waited for, so "cancelled" means nothing runs.
  const hard = Date.now() + 20_000
  while (groupAlive(tree.groupId) && Date.now() < hard) await sleep(50)
  return !groupAlive(tree.groupId)
}

/**
 * After a normal exit nnU-Net can leave augmentation workers behind (they notice the dead parent
 * only on their next queue timeout). Give them a moment to leave on their own, then end them.
 */
export async function reapGroup(tree: SpawnedTree, waitMs = 2000): Promise<void> {
  if (process.platform === 'win32' || !groupAlive(tree.groupId)) return
  const deadline = Date.now() + waitMs
  while (groupAlive(tree.groupId) && Date.now() < deadline) await sleep(100)
  if (groupAlive(tree.groupId)) await killTree(tree, 2000)
}
