// Where the app keeps its own state. Overridable so tests and CI never touch a real home folder.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** How the app writes its own state files (settings, recent projects, drafts, the queue): 0600 in a 0700 folder. */
export const PRIVATE = { mode: 0o600, folderMode: 0o700 } as const

export function dataDir(): string {
  // Resolved: a relative value must not change meaning in a child's working folder.
  if (process.env.NNUNET_WIZARD_DATA) return resolve(process.env.NNUNET_WIZARD_DATA)
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'nnunet-wizard')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'nnunet-wizard')
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'nnunet-wizard')
}

/**
 * Per-user state that is not settings: job logs and history. On Linux the XDG state folder
 * (~/.local/state/nnunet-wizard), elsewhere the app-data folder; $NNUNET_WIZARD_DATA wins
 * everywhere. Never the shared system temp folder: a second user there meets the first user's
 * folder (EACCES), and logs that name patients' files would sit where everyone can list them.
 */
export function stateDir(): string {
  if (process.env.NNUNET_WIZARD_DATA) return resolve(process.env.NNUNET_WIZARD_DATA)
  if (process.platform === 'win32' || process.platform === 'darwin') return dataDir()
  const xdg = process.env.XDG_STATE_HOME
  // The XDG spec ignores a relative value.
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'state'), 'nnunet-wizard')
}

/** The job history and logs of CLI runs (`prepare`, `plan`, `train`, ...): one folder per user. */
export function cliJobsDir(): string {
  return join(stateDir(), 'cli-jobs')
}
