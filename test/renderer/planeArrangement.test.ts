import { describe, expect, it } from 'vitest'
import { planeArrangement } from '../../renderer/viewer/multiplanarLayout'

describe('planeArrangement: three equal tiles without an empty quarter', () => {
  it('puts the planes in a row on a landscape canvas (the Preview viewer, 708 x 520)', () => {
    expect(planeArrangement(708, 520)).toBe('row')
    expect(planeArrangement(1200, 300)).toBe('row')
  })
  it('puts them in a column on a portrait canvas', () => {
    expect(planeArrangement(400, 900)).toBe('column')
    expect(planeArrangement(520, 708)).toBe('column')
  })
  it('chooses the arrangement whose tile side is the larger', () => {
    for (const [w, h] of [[708, 520], [520, 708], [300, 1000], [1000, 300], [600, 600]] as const) {
      const row = Math.min(w / 3, h)
      const column = Math.min(w, h / 3)
      expect(planeArrangement(w, h)).toBe(row >= column ? 'row' : 'column')
    }
  })
})
