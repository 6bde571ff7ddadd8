import { describe, expect, it } from 'vitest'
import { findMatches, highlightParts, matchCountText, stepMatch } from '../../renderer/lib/logSearch'

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

describe('matchCountText: the counter never contradicts itself', () => {
  it('says how many lines match until one is chosen (it said "0 of 1")', () => {
    expect(matchCountText('epoch', 1, -1)).toBe('1 match')
    expect(matchCountText('epoch', 1234, -1)).toBe('1,234 matches')
  })
  it('counts from 1 once a match is chosen', () => {
    expect(matchCountText('epoch', 3, 0)).toBe('1 of 3')
    expect(matchCountText('epoch', 3, 2)).toBe('3 of 3')
  })
  it('says so when nothing matches, and nothing without a query', () => {
    expect(matchCountText('zebra', 0, -1)).toBe('no match')
    expect(matchCountText('  ', 0, -1)).toBe('')
  })
  it('with the matches found and the step through them: never "0 of n"', () => {
    const n = findMatches(lines, 'epoch').length
    let current = -1
    for (let i = 0; i < 2 * n; i++) {
      expect(matchCountText('epoch', n, current)).not.toMatch(/^0 of/)
      current = stepMatch(n, current, 1)
    }
  })
})
