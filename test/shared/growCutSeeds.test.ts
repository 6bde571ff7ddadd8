// The rules around the label editor's grow-cut (shared/growCutSeeds.ts; the grow-cut itself is
// test/shared/growCut.test.ts): the background seeds' value, which seeds are missing, seeds left
// at a save become background.
import { describe, expect, it } from 'vitest'
import { backgroundSeedValue, clearSeeds, growCutProblem } from '../../shared/growCutSeeds'

describe('grow-cut seeds', () => {
  it('picks a seed value no label uses', () => {
    expect(backgroundSeedValue([1, 2])).toBe(255)
    expect(backgroundSeedValue([1, 255, 254])).toBe(253)
    expect(() => backgroundSeedValue(Array.from({ length: 255 }, (_, i) => i + 1))).toThrow(/no value left/)
  })

  it('says which seeds are missing', () => {
    const b = new Uint8Array(36)
    expect(growCutProblem(b, 1, 255)).toMatch(/inside the structure/)
    b[3] = 1
    expect(growCutProblem(b, 1, 255)).toMatch(/background seeds/)
    b[9] = 255
    expect(growCutProblem(b, 1, 255)).toBeNull()
  })

  it('clears seeds left in the drawing', () => {
    const b = Uint8Array.from([0, 255, 1, 255])
    expect(clearSeeds(b, 255)).toBe(2)
    expect(Array.from(b)).toEqual([0, 0, 1, 0])
  })
})
