import { describe, expect, it } from 'vitest'
import { isAtBottom, scrollTopForRow, virtualWindow } from '../../renderer/lib/virtualWindow'

describe('virtualWindow', () => {
  it('renders only the rows in view plus overscan, for 100k lines', () => {
    const w = virtualWindow(100_000, 18, 18 * 50_000, 360, 5)
    expect(w.start).toBe(49_995)
    expect(w.end).toBe(50_000 + 21 + 5)
    expect(w.end - w.start).toBeLessThan(40)
    expect(w.offset).toBe(49_995 * 18)
    expect(w.totalHeight).toBe(1_800_000)
  })
  it('clamps at both ends', () => {
    expect(virtualWindow(10, 20, 0, 1000, 5)).toEqual({ start: 0, end: 10, offset: 0, totalHeight: 200 })
    expect(virtualWindow(0, 20, 100, 100)).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 })
    const w = virtualWindow(100, 10, 5000, 100, 2)
    expect(w.end).toBe(100)
    expect(w.start).toBeLessThan(100)
  })
  it('scrolls a row into view with the smallest move', () => {
    expect(scrollTopForRow(10, 20, 0, 100)).toBe(120)
    expect(scrollTopForRow(2, 20, 100, 100)).toBe(40)
    expect(scrollTopForRow(6, 20, 100, 100)).toBe(100)
  })
  it('knows when the view is at the bottom', () => {
    expect(isAtBottom(900, 100, 1000, 18)).toBe(true)
    expect(isAtBottom(890, 100, 1000, 18)).toBe(true)
    expect(isAtBottom(500, 100, 1000, 18)).toBe(false)
  })
})
