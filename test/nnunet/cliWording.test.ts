// Messages that reach both the app and the terminal name the app's control and the CLI's flag, so
// a CLI user is never sent to "the Environment step" or a button alone.
import { describe, expect, it } from 'vitest'
import { GuidanceMatcher } from '../../electron/nnunet/guidance'
import { resolvePython } from '../../electron/nnunet/python'
import { settings as settingsSchema } from '../../shared/schema'

describe('messages for both doors', () => {
  it('a missing chosen interpreter: the Environment step and --python', () => {
    const s = settingsSchema.parse({ pythonPath: '/nonexistent/bin/python' })
    expect(() => resolvePython(s)).toThrow(/Environment step.*--python PATH/)
  })

  it.each([
    ['nnUNet_preprocessed is not defined', '--base DIR'],
    ['Torch not compiled with CUDA enabled', '--device cpu'],
    ["ModuleNotFoundError: No module named 'nnunetv2'", 'nnunet-wizard env --install'],
  ])('%s -> the hint names %s beside the app control', (line, flag) => {
    const hint = new GuidanceMatcher().match(line)[0]!.hint!
    expect(hint).toContain(flag)
    expect(hint).toMatch(/in the app/)
  })
})

describe('hints that used to point at app panels only', () => {
  it.each([
    ["torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:", '--compile'],
    ['RuntimeError: One or more background workers are no longer alive. Exiting.', '--workers 2'],
    ['RuntimeError: Could not find a dataset with the ID 7. Make sure the requested dataset ID exists', 'nnunet-wizard env'],
  ])('%s -> names %s', (line, cli) => {
    const hint = new GuidanceMatcher().match(line)[0]!.hint!
    expect(hint).toContain(cli)
    expect(hint).not.toContain('Folders panel')
  })
})
