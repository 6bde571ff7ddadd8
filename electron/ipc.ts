// Electron transport: every Api method becomes one ipcMain.handle channel (IPC_PREFIX + name),
// generated from the method list, so the contract is bound without per-method code. Each call
// is checked for its sender (the app's own window and page, top frame only) before its input is
// validated and the service runs. Results and errors travel as an IpcEnvelope, so the renderer
// gets the service's message rather than Electron's "Error invoking remote method ..." text.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { apiMethods, type JobEvent } from '../shared/api'
import type { Service } from './service'
import { callApi } from './transport/dispatch'
import { toApiError } from './transport/errors'
import { IPC_EVENT, IPC_PREFIX, type IpcEnvelope } from './transport/methods'
import { isTrustedAppUrl } from './transport/trustedSender'

/** WebContents allowed to call at all (GitHub Desktop's idea): ids of windows we created. */
const trustedContents = new Set<number>()

export function trustWebContents(wc: WebContents): void {
  trustedContents.add(wc.id)
  wc.once('destroyed', () => trustedContents.delete(wc.id))
}

function refusal(event: IpcMainInvokeEvent): string | null {
  if (!trustedContents.has(event.sender.id)) return 'this window is not one of the app’s own'
  const frame = event.senderFrame
  if (!frame) return 'the calling page has gone'
  // Electron may hand out distinct wrapper objects for the same frame, so identity is backed
  // up by the frame's process and routing ids.
  const main = event.sender.mainFrame
  const isTopFrame = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId)
  if (!isTopFrame) return 'calls from embedded frames are not accepted'
  if (!isTrustedAppUrl(frame.url)) return `calls from ${frame.url || 'an unknown page'} are not accepted`
  return null
}

/** Binds every Api method; returns a function that removes the handlers (used on quit). */
export function bindIpc(service: Service): () => void {
  for (const method of apiMethods) {
    ipcMain.handle(IPC_PREFIX + method, async (event, raw: unknown): Promise<IpcEnvelope> => {
      const refused = refusal(event)
      if (refused) {
        console.warn(`Refused IPC call ${method}: ${refused}`)
        return { ok: false, error: { message: `The app refused this call: ${refused}.`, code: 'forbidden', status: 403 } }
      }
      try {
        return { ok: true, value: await callApi(service, method, raw) }
      } catch (err) {
        return { ok: false, error: toApiError(err, method) }
      }
    })
  }
  return () => {
    for (const method of apiMethods) ipcMain.removeHandler(IPC_PREFIX + method)
  }
}

/** Forwards every job event to the window while it exists. */
export function forwardJobEvents(service: Service, win: BrowserWindow): () => void {
  const off = service.jobs.onEvent((ev: JobEvent) => {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(IPC_EVENT, ev)
  })
  win.once('closed', off)
  return off
}
