// The rules the label editor applies around NiiVue's grow-cut (shared/growCutSeeds.ts): only
// unlabelled voxels won by the active label inside the seeds' box are taken, background seeds
// become background, every other label stays.
import { describe, expect, it } from 'vitest'
import { backgroundSeedValue, clearSeeds, growCutProblem, mergeGrowCut, seedBox } from '../../shared/growCutSeeds'

const dims: [number, number, number] = [6, 3, 2]
const at = (x: number, y: number, z: number) => x + 6 * (y + 3 * z)

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

  it('keeps only what the active label won inside the seed box, and turns background seeds into background', () => {
    const before = new Uint8Array(36)
    before[at(1, 1, 0)] = 1 // object seed
    before[at(3, 1, 0)] = 255 // background seed
    before[at(2, 0, 0)] = 2 // another label, inside the box row range
    expect(seedBox(before, dims, [1, 255])).toEqual([1, 1, 0, 3, 1, 0])
    // What the grow-cut answered: label 1 everywhere on slice 0 except the background seed's side,
    // label 2 grown too, and 1 on slice 1 (outside the box).
    const grown = new Uint8Array(36)
    for (let x = 0; x < 6; x++) for (let y = 0; y < 3; y++) grown[at(x, y, 0)] = x <= 2 ? 1 : 255
    grown[at(2, 0, 0)] = 2
    grown[at(2, 2, 0)] = 2
    for (let x = 0; x < 6; x++) grown[at(x, 0, 1)] = 1
    const changed = mergeGrowCut(before, grown, dims, 1, 255)
    // Won by 1 inside the box [x 1..3, y 1, z 0] and unlabelled before: (2,1,0) only; the seed at (3,1,0) -> 0.
    expect(grown[at(2, 1, 0)]).toBe(1)
    expect(grown[at(1, 1, 0)]).toBe(1)
    expect(grown[at(3, 1, 0)]).toBe(0)
    expect(grown[at(2, 0, 0)], 'the other label stays').toBe(2)
    expect(grown[at(2, 2, 0)], 'the other label does not grow').toBe(0)
    expect(grown[at(0, 1, 0)], 'outside the box').toBe(0)
    expect(grown[at(1, 0, 1)], 'another slice, outside the box').toBe(0)
    expect(changed).toBe(2)
    expect(Array.from(grown).filter((v) => v === 1).length).toBe(2)
  })

  it('clears seeds left in the drawing', () => {
    const b = Uint8Array.from([0, 255, 1, 255])
    expect(clearSeeds(b, 255)).toBe(2)
    expect(Array.from(b)).toEqual([0, 0, 1, 0])
  })
})
