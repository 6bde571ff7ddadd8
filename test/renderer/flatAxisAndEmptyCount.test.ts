// Two small readings of the training and plan cards: a flat learning rate (0.01 for every epoch of
// a short run) drew its axis from -0.49 to 0.51, and a progress without a total (a finished plan)
// read "0 of 0 cases".
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ProgressBar } from '../../renderer/components/ProgressBar'
import { domainOf } from '../../renderer/lib/chartMath'

describe('flat series', () => {
  it('widens a constant learning rate by a tenth of it, never below zero', () => {
    const d = domainOf([{ name: 'lr', points: [0, 1, 2].map((x) => ({ x, y: 0.01 })) }], (p) => p.y, { min: 0, max: 1 })
    expect(d.min).toBeCloseTo(0.009, 12)
    expect(d.max).toBeCloseTo(0.011, 12)
    expect(domainOf([{ name: 'z', points: [{ x: 0, y: 0 }] }], (p) => p.y, { min: 0, max: 1 })).toEqual({ min: -0.5, max: 0.5 })
    const neg = domainOf([{ name: 'loss', points: [{ x: 0, y: -0.8 }] }], (p) => p.y, { min: 0, max: 1 })
    expect(neg.min).toBeCloseTo(-0.88, 12)
    expect(neg.max).toBeCloseTo(-0.72, 12)
  })
})

describe('ProgressBar without a total', () => {
  it('says no "0 of 0 cases"; a real count still shows', () => {
    const empty = renderToStaticMarkup(createElement(ProgressBar, { progress: { done: 0, total: 0, unit: 'case' }, idleText: '' }))
    expect(empty).not.toContain('0 of 0')
    const some = renderToStaticMarkup(createElement(ProgressBar, { progress: { done: 3, total: 5, unit: 'case' } }))
    expect(some).toContain('3 of 5')
  })
})
