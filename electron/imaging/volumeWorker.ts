// Worker thread entry of the pool (workerPool.ts): runs one task at a time, a function exported by
// a task module that the caller named (dataset/caseWork.ts, results/surfaceTask.ts, ...). It knows
// no task itself, so a layer above adds work to the pool without touching this file. itk-wasm
// blocks its thread while it reads, which is why reads run here and not on the main thread (or
// Electron's UI would freeze).
import { parentPort } from 'node:worker_threads'

export interface WorkerRequest {
  id: number
  /** The task module's file URL (taskModule in workerPool.ts). */
  module: string
  /** The exported function to call with `input`. */
  fn: string
  input: unknown
}

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }

// itk-wasm prints its own diagnostics ("Exception while running pipeline:") when a file is bad;
// the failure already comes back as an error with a clear message, so keep the console clean.
const ITK_NOISE = /^(Exception while running pipeline|stdout:|stderr:|exception:|Build module in Debug mode)/
for (const method of ['log', 'error', 'warn'] as const) {
  const original = console[method].bind(console)
  console[method] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && ITK_NOISE.test(args[0])) return
    original(...args)
  }
}

/** ArrayBuffers in a result are moved to the main thread, not copied. */
function transferables(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    if (value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && !out.includes(value.buffer)) out.push(value.buffer)
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, out)
  }
  return out
}

/** Each task module is imported once per worker. */
const modules = new Map<string, Promise<Record<string, unknown>>>()

async function run(req: WorkerRequest): Promise<unknown> {
  let mod = modules.get(req.module)
  if (!mod) {
    mod = import(req.module) as Promise<Record<string, unknown>>
    modules.set(req.module, mod)
  }
  const fn = (await mod)[req.fn]
  if (typeof fn !== 'function') throw new Error(`The worker task module ${req.module} has no function ${req.fn}.`)
  return (fn as (input: unknown) => unknown)(req.input)
}

const port = parentPort
if (!port) throw new Error('volumeWorker must run in a worker thread.')
port.on('message', (msg: WorkerRequest) => {
  run(msg).then(
    (result) => {
      try {
        port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerReply, transferables(result))
      } catch {
        port.postMessage({ id: msg.id, ok: true, result } satisfies WorkerReply)
      }
    },
    (err: unknown) => port.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  )
})
