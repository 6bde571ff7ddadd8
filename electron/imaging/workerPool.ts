// A fixed set of worker threads, one per core and one more, that run the functions of task
// modules: volume reads (itk-wasm blocks its thread), merging, staging, surface distances. The
// pool knows no task: a caller names a module beside it (taskModule) and one of its exported
// functions, and the worker imports that module once and calls the function with the input. Each
// worker runs one task at a time, so at most `size` cases are in memory at once whatever the
// dataset size. The extra one keeps the cores busy while a staging worker waits for the disk
// (each staged file is synced before it counts): on the noisy CT bench, 2 cores, 3 workers took
// 6.3 s where 2 took 6.8 s (bench/RESULTS.md). Idle workers are unref'd so a CLI run ends when its
// work ends; busy ones keep the process alive until they answer.
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existsSync } from 'node:fs'
import type { WorkerReply, WorkerRequest } from './volumeWorker'
import { JobCancelledError } from '../jobs/jobManager'

/**
 * A module whose exported functions run in the pool's workers. `M` is its type
 * (`typeof import('./caseWork')`), so calls through the pool are checked like direct ones.
 */
export interface TaskModule<M> {
  readonly url: string
  /** Never set: carries M for the compiler. */
  readonly types?: M
}

/**
 * The task module `name` in the caller's own folder (`from`: the caller's import.meta.url). From
 * sources (tsx, vitest) that is name.ts beside the caller; bundled, every module sits in dist/node,
 * where scripts/build.mjs writes each task module as an entry of its own: name.js.
 */
export function taskModule<M>(name: string, from: string): TaskModule<M> {
  return { url: new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from).href }
}

/** The names of M's functions that take one input. */
export type TaskName<M> = { [K in keyof M]: M[K] extends (input: never) => unknown ? K : never }[keyof M] & string
type InputOf<F> = F extends (input: infer I) => unknown ? I : never
type ResultOf<F> = F extends (input: never) => infer R ? Awaited<R> : never

interface Pending {
  task: Omit<WorkerRequest, 'id'>
  transfer: ArrayBuffer[]
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  signal?: AbortSignal
}

interface Slot {
  worker: Worker
  busy: Pending | null
  id: number
}

/**
 * Bundled, the worker sits next to this chunk as volumeWorker.js. Under vitest/tsx the sources are
 * .ts: `execArgv: ['--import', 'tsx']` does not reach worker threads on every Node 20 release, so a
 * two-line bootstrap registers tsx inside the worker and then imports the TypeScript entry.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    // In a packaged app the bundle may sit in app.asar; prefer an unpacked copy when the
    // packager provides one, since not every Electron release starts worker threads from asar.
    const bundled = fileURLToPath(new URL('./volumeWorker.js', import.meta.url))
    const unpacked = bundled.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
    return new Worker(unpacked !== bundled && existsSync(unpacked) ? unpacked : bundled)
  }
  const entry = new URL('./volumeWorker.ts', import.meta.url).href
  // Resolved here, from this file, so the worker finds tsx whatever the current directory is.
  // require.resolve gives the CommonJS build; its ESM twin next to it is the one that registers hooks.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { eval: true })
}

export class WorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue: Pending[] = []
  private nextId = 1
  private closed = false

  constructor(readonly size = availableParallelism() + 1) {}

  /**
   * Queues `fn(input)` of the task module; a task not yet started when `signal` aborts is dropped
   * with JobCancelledError. `transfer`: buffers of the input moved to the worker, not copied.
   */
  run<M, K extends TaskName<M>>(module: TaskModule<M>, fn: K, input: InputOf<M[K]>, signal?: AbortSignal, transfer: ArrayBuffer[] = []): Promise<ResultOf<M[K]>> {
    if (this.closed) return Promise.reject(new Error('The volume worker pool is closed.'))
    if (signal?.aborted) return Promise.reject(new JobCancelledError())
    // No abort listener per task (hundreds of queued cases would each add one): the signal is
    // checked when a worker becomes free, which is also when dropping a task starts to matter.
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { module: module.url, fn, input }, transfer, resolve: resolve as (v: unknown) => void, reject, signal })
      this.dispatch()
    })
  }

  private spawn(): Slot {
    const worker = startWorker()
    const slot: Slot = { worker, busy: null, id: 0 }
    worker.on('message', (reply: WorkerReply) => {
      const p = slot.busy
      if (!p || reply.id !== slot.id) return
      slot.busy = null
      worker.unref()
      if (reply.ok) p.resolve(reply.result)
      else p.reject(new Error(reply.error))
      this.dispatch()
    })
    const fail = (err: Error) => {
      const i = this.slots.indexOf(slot)
      if (i >= 0) this.slots.splice(i, 1)
      const p = slot.busy
      slot.busy = null
      if (p) p.reject(new Error(`A volume worker stopped unexpectedly while processing a case (${err.message}); a volume too large for the available memory is the usual cause.`))
      this.dispatch()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exit code ${code}`))
    })
    worker.unref()
    this.slots.push(slot)
    return slot
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => !s.busy)
      if (!slot) {
        if (this.slots.length >= this.size) return
        slot = this.spawn()
      }
      const p = this.queue.shift()!
      if (p.signal?.aborted) {
        p.reject(new JobCancelledError())
        continue
      }
      slot.busy = p
      slot.id = this.nextId++
      slot.worker.ref()
      slot.worker.postMessage({ id: slot.id, ...p.task } satisfies WorkerRequest, p.transfer)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue.splice(0)) p.reject(new Error('The volume worker pool was closed.'))
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()))
  }
}

let shared: WorkerPool | undefined

/** The process-wide pool: one per process, so the UI and the CLI never oversubscribe the cores. */
export function volumePool(): WorkerPool {
  shared ??= new WorkerPool()
  return shared
}
