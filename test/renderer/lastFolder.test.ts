import { describe, expect, it } from 'vitest'
import { parentFolder } from '../../renderer/lib/lastFolder'

describe('parentFolder', () => {
  it('goes up one folder on POSIX and Windows paths', () => {
    expect(parentFolder('/data/liver/organ')).toBe('/data/liver')
    expect(parentFolder('/data/liver/organ/')).toBe('/data/liver')
    expect(parentFolder('/data')).toBe('/')
    expect(parentFolder('C:\\scans\\image')).toBe('C:\\scans')
    expect(parentFolder('C:\\scans')).toBe('C:\\')
  })

  it('stops at a root', () => {
    expect(parentFolder('/')).toBeNull()
    expect(parentFolder('C:\\')).toBeNull()
    expect(parentFolder('relative')).toBeNull()
  })
})
