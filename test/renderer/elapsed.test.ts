// The elapsed time of a job comes from its start and the clock, not from its progress events: at
// 67 s into a Plan that printed nothing for a minute it says 67 s, not "0 s".
import { describe, expect, it } from 'vitest'
import { elapsedSeconds } from '../../renderer/lib/useNow'
import { countOf, formatDuration } from '../../renderer/lib/format'

describe('elapsedSeconds', () => {
  it('runs with the clock while the job runs and stops at its end', () => {
    const job = { startedAt: 1_000_000 }
    expect(formatDuration(elapsedSeconds(job, 1_067_000)!)).toBe('1 min 07 s')
    expect(elapsedSeconds(job, 1_068_000)).toBe(68)
    expect(elapsedSeconds({ ...job, endedAt: 1_010_000 }, 2_000_000)).toBe(10)
    // A clock a little behind the server's never shows a negative time.
    expect(elapsedSeconds(job, 999_000)).toBe(0)
    expect(elapsedSeconds({}, 5)).toBeUndefined()
  })
})

describe('countOf', () => {
  it('says "1 of 2 cases", not "1 of 2 case"', () => {
    expect(countOf(1, 2, 'case')).toBe('1 of 2 cases')
    expect(countOf(1, 1, 'case')).toBe('1 of 1 case')
    expect(countOf(3, 5, 'cases')).toBe('3 of 5 cases')
    expect(countOf(2, 50, 'epochs finished')).toBe('2 of 50 epochs finished')
  })
})
