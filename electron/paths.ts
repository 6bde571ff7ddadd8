// Where the app keeps its own state. Overridable so tests and CI never touch a real home folder.
import { homedir } from 'node:os'
import { join } from 'node:path'

export function dataDir(): string {
  if (process.env.NNUNET_WIZARD_DATA) return process.env.NNUNET_WIZARD_DATA
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'nnunet-wizard')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'nnunet-wizard')
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'nnunet-wizard')
}
