import { describe, expect, it } from 'vitest'
import { progressText } from '../../electron/cli/support'

describe('the CLI status line', () => {
  it("says what nnU-Net is doing in its own terms when the tool reports a phase", () => {
    expect(progressText({ done: 3, total: 12, unit: 'case', phase: 'Final validation: case 3 of 12', etaSeconds: 95 })).toBe('Final validation: case 3 of 12  ETA 1m35s')
  })

  it('falls back to the message, then to the count', () => {
    expect(progressText({ done: 0, total: 0, unit: 'run', message: 'queued' })).toBe('queued')
    expect(progressText({ done: 2, total: 5, unit: 'epoch' })).toBe('2/5 epoch')
  })
})
