import { describe, expect, it } from 'vitest'
import { findMatches, highlightParts, stepMatch } from '../../renderer/lib/logSearch'

const lines = ['Epoch 0', 'train_loss -0.1', '\x1b[31mPseudo\x1b[0m dice [0.5]', 'Epoch 1', 'EPOCH time: 3 s'].map((text) => ({ text }))

describe('log search', () => {
  it('finds lines case-insensitively, ignoring colour codes', () => {
    expect(findMatches(lines, 'epoch')).toEqual([0, 3, 4])
    expect(findMatches(lines, 'pseudo dice')).toEqual([2])
    expect(findMatches(lines, '   ')).toEqual([])
  })
  it('steps through matches with wrap-around', () => {
    expect(stepMatch(3, -1, 1)).toBe(0)
    expect(stepMatch(3, -1, -1)).toBe(2)
    expect(stepMatch(3, 2, 1)).toBe(0)
    expect(stepMatch(3, 0, -1)).toBe(2)
    expect(stepMatch(0, 0, 1)).toBe(-1)
  })
  it('splits text for highlighting', () => {
    expect(highlightParts('Epoch 1 epoch', 'EPOCH')).toEqual([
      { text: 'Epoch', hit: true },
      { text: ' 1 ', hit: false },
      { text: 'epoch', hit: true },
    ])
    expect(highlightParts('abc', '')).toEqual([{ text: 'abc', hit: false }])
  })
  it('searches 100k lines quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ text: `2024-05-01 12:00:00 line ${i} train_loss -0.${i % 97}` }))
    const t0 = performance.now()
    const hits = findMatches(many, 'line 99999')
    expect(hits).toEqual([99_999])
    expect(performance.now() - t0).toBeLessThan(500)
  })
})
