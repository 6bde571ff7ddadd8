// Worker thread entry: runs one case task at a time. itk-wasm blocks its thread while it reads,
// which is why reads live here and not on the main thread (or Electron's UI would freeze).
import { parentPort } from 'node:worker_threads'
import { inspectCase, stageCase, viewFilesCase, type VolumeTask } from '../dataset/caseWork'

export interface WorkerRequest {
  id: number
  task: VolumeTask
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

async function run(task: VolumeTask): Promise<unknown> {
  switch (task.op) {
    case 'inspect':
      return inspectCase(task)
    case 'stage':
      return stageCase(task)
    case 'view':
      return viewFilesCase(task)
  }
}

const port = parentPort
if (!port) throw new Error('volumeWorker must run in a worker thread.')
port.on('message', (msg: WorkerRequest) => {
  run(msg.task).then(
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
