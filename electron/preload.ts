// The only bridge between the page and Node: `window.api`, exactly the methods of the contract
// plus onEvent, each a function that invokes its own channel. Nothing raw is exposed (no
// ipcRenderer, no channel names chosen by the page). Runs sandboxed, so it imports only
// `electron` and plain helpers; the method names come from main.ts on the renderer's command
// line (see transport/methods.ts), not from shared/api.ts, which would drag zod in.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ApiClient, ApiEventListener, JobEvent } from '../shared/api'
import { IPC_EVENT, IPC_PREFIX, methodsFromArgv, type IpcEnvelope } from './transport/methods'

async function invoke(method: string, arg: unknown): Promise<unknown> {
  const envelope = (await ipcRenderer.invoke(IPC_PREFIX + method, arg)) as IpcEnvelope
  if (envelope.ok) return envelope.value
  // The context bridge copies a thrown Error as its message alone, which would drop the code
  // and findings the page branches on. A plain object crosses whole, so the rejection is the
  // error envelope itself; renderer/api.ts turns it into an ApiCallError, as the HTTP client does.
  throw { name: 'ApiCallError', ...envelope.error }
}

const api: Record<string, unknown> = {}
for (const method of methodsFromArgv(process.argv)) {
  api[method] = (arg?: unknown) => invoke(method, arg)
}
api.onEvent = (listener: ApiEventListener): (() => void) => {
  const handler = (_e: IpcRendererEvent, ev: JobEvent): void => listener(ev)
  ipcRenderer.on(IPC_EVENT, handler)
  return () => {
    ipcRenderer.removeListener(IPC_EVENT, handler)
  }
}

contextBridge.exposeInMainWorld('api', api as unknown as ApiClient)
