// A fixed set of volume workers, one per core and one more. Each runs one case at a time, so at
// most `size` cases are in memory at once whatever the dataset size. The extra one keeps the cores
// busy while a staging worker waits for the disk (each staged file is synced before it counts):
// on the noisy CT bench, 2 cores, 3 workers took 6.3 s where 2 took 6.8 s (bench/RESULTS.md). Idle workers are unref'd so a
// CLI run ends when its work ends; busy ones keep the process alive until they answer.
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existsSync } from 'node:fs'
import type { VolumeTask, InspectTask, InspectResult, StageTask, StageResult, ViewTask, ViewResult } from '../dataset/caseWork'
import type { WorkerReply } from './volumeWorker'
import { JobCancelledError } from '../jobs/jobManager'

interface Pending {
  task: VolumeTask
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

export class VolumeWorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue: Pending[] = []
  private nextId = 1
  private closed = false

  constructor(readonly size = availableParallelism() + 1) {}

  inspect(task: Omit<InspectTask, 'op'>, signal?: AbortSignal): Promise<InspectResult> {
    return this.run({ op: 'inspect', ...task }, signal) as Promise<InspectResult>
  }

  stage(task: Omit<StageTask, 'op'>, signal?: AbortSignal): Promise<StageResult> {
    return this.run({ op: 'stage', ...task }, signal) as Promise<StageResult>
  }

  view(task: Omit<ViewTask, 'op'>, signal?: AbortSignal): Promise<ViewResult> {
    return this.run({ op: 'view', ...task }, signal) as Promise<ViewResult>
  }

  /** Queues a task; a task not yet started when `signal` aborts is dropped with JobCancelledError. */
  run(task: VolumeTask, signal?: AbortSignal, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('The volume worker pool is closed.'))
    if (signal?.aborted) return Promise.reject(new JobCancelledError())
    // No abort listener per task (hundreds of queued cases would each add one): the signal is
    // checked when a worker becomes free, which is also when dropping a task starts to matter.
    return new Promise((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject, signal })
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
      slot.worker.postMessage({ id: slot.id, task: p.task }, p.transfer)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue.splice(0)) p.reject(new Error('The volume worker pool was closed.'))
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()))
  }
}

let shared: VolumeWorkerPool | undefined

/** The process-wide pool: one per process, so the UI and the CLI never oversubscribe the cores. */
export function volumePool(): VolumeWorkerPool {
  shared ??= new VolumeWorkerPool()
  return shared
}
