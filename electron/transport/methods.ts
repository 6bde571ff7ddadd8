// The method names and channel names of the contract as plain data, for code that must not load
// shared/api.ts at run time: the sandboxed preload is one CommonJS file with no access to
// node_modules, and shared/api.ts pulls in zod through shared/schema.ts. The types below make
// the compiler reject this list the moment it drifts from `apiRequests` (either direction).
import type { ApiMethod, IPC_EVENT as IpcEvent, IPC_PREFIX as IpcPrefix } from '../../shared/api'

export const API_METHOD_NAMES = [
  'appInfo',
  'listDir',
  'pickFolder',
  'openPath',
  'scanSources',
  'validate',
  'preview',
  'getVolume',
  'planOutput',
  'prepare',
  'listJobs',
  'getJobLog',
  'cancelJob',
  'getSettings',
  'setSettings',
  'saveProject',
  'loadProject',
  'recentProjects',
  'detectEnv',
  'installNnunet',
  'createFolders',
  'folderStatus',
  'shellExports',
  'plan',
  'train',
  'predict',
] as const satisfies readonly ApiMethod[]

type Listed = (typeof API_METHOD_NAMES)[number]
// A method added to the contract but not listed here makes this line fail to compile.
const _everyMethodListed: Exclude<ApiMethod, Listed> extends never ? true : never = true
void _everyMethodListed

export const IPC_PREFIX: typeof IpcPrefix = 'api:'
export const IPC_EVENT: typeof IpcEvent = 'api-event'

/** What crosses the IPC channel: the renderer never sees a raw Electron error string. */
export type IpcEnvelope<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; error: import('../../shared/api').ApiErrorShape }
