// On the command line an explicit flag beats a remembered setting, and an interpreter with exactly
// one nnU-Net decides the version when --nnunet is not given. The repro: settings remembered v1
// (an `env --create-folders ... --nnunet v1` in another shell), then `plan --python <a v2 venv>`
// ran nnU-Net v1 commands with the v2 venv and failed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settingsFrom } from '../../electron/cli/support'
import { decideVersion, installedNnunet } from '../../electron/nnunet/probe'
import { nnunetPython } from '../helpers/python'

describe('the version rule', () => {
  it('flag, else the one nnU-Net of the interpreter, else the remembered one', () => {
    expect(decideVersion({ flag: 'v1', installed: ['v2'], remembered: 'v2' })).toEqual({ version: 'v1', why: 'flag' })
    expect(decideVersion({ installed: ['v2'], remembered: 'v1' })).toEqual({ version: 'v2', why: 'interpreter' })
    expect(decideVersion({ installed: ['v1', 'v2'], remembered: 'v1' })).toEqual({ version: 'v1', why: 'remembered' })
    expect(decideVersion({ installed: [], remembered: 'v2' }).version).toBe('v2')
  })
})

const py = nnunetPython('v2')

describe.skipIf(!py.python)(`a real interpreter decides ${py.reason}`, () => {
  let tmp: string
  const saved = process.env.NNUNET_WIZARD_DATA
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-version-'))
    process.env.NNUNET_WIZARD_DATA = tmp
    // Remembered: v1 with v1 folders, as `env --create-folders DIR --nnunet v1 --save` leaves it.
    const v1 = { raw: join(tmp, 'v1', 'raw'), preprocessed: join(tmp, 'v1', 'pre'), results: join(tmp, 'v1', 'res') }
    await writeFile(join(tmp, 'settings.json'), JSON.stringify({ nnunetVersion: 'v1', folders: v1 }))
  })
  afterAll(async () => {
    if (saved === undefined) delete process.env.NNUNET_WIZARD_DATA
    else process.env.NNUNET_WIZARD_DATA = saved
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('the v2 venv has only nnunetv2', async () => {
    expect(await installedNnunet(py.python!)).toEqual(['v2'])
    expect(await installedNnunet(join(tmp, 'no-such-python'))).toEqual([])
  })

  it('plan --python <v2 venv> runs v2 (and not with the remembered v1 folders); --nnunet still wins', async () => {
    const st = await settingsFrom({ python: py.python! })
    expect(st.nnunetVersion).toBe('v2')
    expect(st.pythonPath).toBe(py.python)
    expect(st.folders?.raw ?? '').not.toContain(join(tmp, 'v1'))
    expect((await settingsFrom({ python: py.python!, nnunet: 'v1' })).nnunetVersion).toBe('v1')
  })
})
