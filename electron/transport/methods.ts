// Channel names and the method-list hand-over for code that must not load shared/api.ts at run
// time: the sandboxed preload is one CommonJS file with no access to node_modules, and
// shared/api.ts pulls in zod through its areas (shared/api/*.ts). So the main process, which has the
// contract, passes the method names to the preload as one command-line switch of the renderer
// (webPreferences.additionalArguments): a method added to `apiRequests` reaches the preload
// without anyone touching a transport.
import type { ApiErrorShape, IPC_EVENT as IpcEvent, IPC_PREFIX as IpcPrefix } from '../../shared/api'

// The types make the compiler reject these the moment they differ from the contract's.
export const IPC_PREFIX: typeof IpcPrefix = 'api:'
export const IPC_EVENT: typeof IpcEvent = 'api-event'

const SWITCH = '--nnunet-wizard-api='
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/

/** The switch main.ts adds to the renderer's command line. */
export function methodsSwitch(methods: readonly string[]): string {
  return SWITCH + methods.join(',')
}

/** The method names in a renderer's argv (only plain identifiers are taken). */
export function methodsFromArgv(argv: readonly string[]): string[] {
  const arg = argv.find((a) => a.startsWith(SWITCH))
  if (!arg) return []
  return arg
    .slice(SWITCH.length)
    .split(',')
    .filter((m) => METHOD_NAME.test(m))
}

/**
 * What crosses the IPC channel: the renderer never sees a raw Electron error string. The error
 * is the whole ApiErrorShape plus the HTTP status the browser transport would have sent.
 */
export type IpcEnvelope<T = unknown> = { ok: true; value: T } | { ok: false; error: IpcError }
export type IpcError = ApiErrorShape & { status?: number }
