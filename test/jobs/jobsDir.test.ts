// CLI job logs live in a folder of the user's own (XDG state on Linux, app data elsewhere), not
// in one folder in the system temp folder that every user shares.
import { afterEach, describe, expect, it } from 'vitest'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliJobsDir, dataDir, stateDir } from '../../electron/paths'

const saved = { ...process.env }
afterEach(() => {
  for (const k of ['NNUNET_WIZARD_DATA', 'XDG_STATE_HOME']) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
})

describe('per-user job folder', () => {
  it('is under $NNUNET_WIZARD_DATA when set, on every platform', () => {
    process.env.NNUNET_WIZARD_DATA = '/srv/wizard-data'
    process.env.XDG_STATE_HOME = '/home/x/.state'
    expect(cliJobsDir()).toBe(join('/srv/wizard-data', 'cli-jobs'))
  })

  it.skipIf(process.platform === 'win32' || process.platform === 'darwin')('follows XDG_STATE_HOME on Linux, ~/.local/state when unset or relative', () => {
    delete process.env.NNUNET_WIZARD_DATA
    process.env.XDG_STATE_HOME = '/home/x/.state'
    expect(cliJobsDir()).toBe('/home/x/.state/nnunet-wizard/cli-jobs')
    process.env.XDG_STATE_HOME = 'relative/state'
    expect(stateDir()).toBe(join(homedir(), '.local', 'state', 'nnunet-wizard'))
    delete process.env.XDG_STATE_HOME
    expect(stateDir()).toBe(join(homedir(), '.local', 'state', 'nnunet-wizard'))
    expect(cliJobsDir().startsWith(tmpdir())).toBe(false)
  })

  it.skipIf(process.platform === 'linux')('is in the app-data folder on macOS and Windows', () => {
    delete process.env.NNUNET_WIZARD_DATA
    expect(stateDir()).toBe(dataDir())
  })
})
