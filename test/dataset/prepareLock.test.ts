// The dataset lock on real files and real processes: created with its owner inside, refused while
// that owner runs, taken over when it does not, and never built from anything but the id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { lockDataset, DatasetBusyError } from '../../electron/dataset/lock'

let tmp: string
let sleeper: ChildProcess

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['-e', ''])
    c.on('exit', () => resolve(c.pid!))
  })
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'prepare-lock-'))
  sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
})
afterAll(async () => {
  sleeper.kill('SIGKILL')
  await rm(tmp, { recursive: true, force: true })
})

const lockFile = (dir: string) => join(dir, '.nnunet-wizard-lock-Dataset011')

describe('lockDataset', () => {
  it('creates the lock with its owner inside and leaves nothing else', async () => {
    const dir = join(tmp, 'plain')
    await mkdir(dir)
    const release = await lockDataset(dir, 'Dataset011')
    expect(JSON.parse(await readFile(lockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() })
    expect(await readdir(dir)).toEqual(['.nnunet-wizard-lock-Dataset011'])
    await expect(lockDataset(dir, 'Dataset011')).rejects.toThrow(/already being written by another job in this app/)
    await release()
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses while the owner runs, naming it, and never asks to delete the lock', async () => {
    const dir = join(tmp, 'live')
    await mkdir(dir)
    const owner = JSON.stringify({ pid: sleeper.pid, host: hostname(), nonce: 'live' })
    await writeFile(lockFile(dir), owner)
    const err = await lockDataset(dir, 'Dataset011').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DatasetBusyError)
    expect(String(err)).toContain(`Dataset011 in ${dir} is being written by another nnunet-wizard run (pid ${sleeper.pid})`)
    expect(String(err)).not.toMatch(/delete/i)
    expect(await readFile(lockFile(dir), 'utf8')).toBe(owner)
    expect(await readdir(dir)).toEqual(['.nnunet-wizard-lock-Dataset011'])
  })

  it('refuses a lock held from another machine (a shared folder), saying how to clear it if stale', async () => {
    const dir = join(tmp, 'remote')
    await mkdir(dir)
    await writeFile(lockFile(dir), JSON.stringify({ pid: 1234, host: 'gpu-node-7', nonce: 'remote' }))
    await expect(lockDataset(dir, 'Dataset011')).rejects.toThrow(`(pid 1234 on gpu-node-7); wait for it to finish, or stop that run. If no nnunet-wizard run is going on gpu-node-7, delete ${lockFile(dir)}.`)
  })

  it('takes over a lock whose owner no longer runs, and one that holds no owner', async () => {
    for (const content of [JSON.stringify({ pid: await deadPid(), host: hostname(), nonce: 'dead' }), '']) {
      const dir = await mkdtemp(join(tmp, 'stale-'))
      await writeFile(lockFile(dir), content)
      const release = await lockDataset(dir, 'Dataset011')
      expect(JSON.parse(await readFile(lockFile(dir), 'utf8')).pid).toBe(process.pid)
      await release()
      expect(await readdir(dir)).toEqual([])
    }
  })

  it('names a takeover guard left by a run that died while taking over', async () => {
    const dir = join(tmp, 'guard')
    await mkdir(dir)
    const dead = JSON.stringify({ pid: await deadPid(), host: hostname(), nonce: 'dead' })
    await writeFile(lockFile(dir), dead)
    await writeFile(`${lockFile(dir)}.takeover`, dead)
    await expect(lockDataset(dir, 'Dataset011')).rejects.toThrow(`left ${lockFile(dir)}.takeover; make sure no nnunet-wizard run is writing ${dir}, delete that file and run again.`)
    expect(await readFile(lockFile(dir), 'utf8')).toBe(dead)
  })

  it('takes a key made of the layout word and the id only', async () => {
    const dir = join(tmp, 'key')
    await mkdir(dir)
    for (const key of ['Dataset011_Name', '../Dataset011', 'Dataset011/../../x']) await expect(lockDataset(dir, key)).rejects.toThrow(/is not a dataset key/)
    expect(await readdir(dir)).toEqual([])
  })

  it('tells a dying run from a live one: an owner whose launcher is gone is ended and its lock taken; a live one is refused', async () => {
    const stat = (pid: number) => {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return text.slice(text.lastIndexOf(')') + 2).split(' ')
    }
    const owner = (pid: number, launcher: number, started = Number(stat(pid)[19])) => JSON.stringify({ pid, host: hostname(), nonce: 'x', started, launcher })
    // A live worker whose launcher is its parent (this test process): a run going on.
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    const dir = join(tmp, 'dying')
    await mkdir(dir)
    await writeFile(lockFile(dir), owner(live.pid!, process.pid))
    await expect(lockDataset(dir, 'Dataset011')).rejects.toThrow(DatasetBusyError)
    // The same process recorded with another launcher: that launcher is gone (the worker was re-parented): dying.
    const ended = new Promise<NodeJS.Signals | null>((r) => live.on('exit', (_c, sig) => r(sig)))
    await writeFile(lockFile(dir), owner(live.pid!, 1))
    const release = await lockDataset(dir, 'Dataset011')
    expect(await ended).toBe('SIGKILL')
    expect(JSON.parse(await readFile(lockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid })
    await release()
    // A pid now held by another process (its start time differs): the lock is free, and that process is left alone.
    await writeFile(lockFile(dir), owner(sleeper.pid!, 1, 1))
    await (await lockDataset(dir, 'Dataset011'))()
    expect(sleeper.exitCode).toBeNull()
    expect(sleeper.signalCode).toBeNull()
  })
})
