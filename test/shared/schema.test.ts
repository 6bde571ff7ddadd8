import { describe, it, expect } from 'vitest'
import { settings, settingsPatch } from '../../shared/schema'

describe('settings schemas', () => {
  it('fills defaults for a fresh settings file', () => {
    expect(settings.parse({})).toEqual({ nnunetVersion: 'v2', device: 'cuda', torchCompile: false })
  })

  it('a patch carries only what the caller sent, so it never resets other settings', () => {
    expect(settingsPatch.parse({ torchCompile: true })).toEqual({ torchCompile: true })
    expect(settingsPatch.parse({})).toEqual({})
  })
})
