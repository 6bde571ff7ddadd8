// The y axis makes room for its longest tick label: a learning rate's ticks (0.00896) used to be
// drawn past the chart's left edge and read ".00896".
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { MetricsChart } from '../../renderer/components/MetricsChart'

function plotLeft(ys: number[]): { left: number; labels: string[] } {
  const html = renderToStaticMarkup(createElement(MetricsChart, { title: 't', series: [{ name: 'lr', points: ys.map((y, x) => ({ x, y })) }] }))
  const left = Number(/translate\(([\d.]+),/.exec(html)![1])
  const labels = [...html.matchAll(/<text[^>]*text-anchor="end"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]!)
  return { left, labels }
}

describe('MetricsChart y labels', () => {
  it('keeps the usual margin for short labels (Dice, loss)', () => {
    expect(plotLeft([0.2, 0.5, 0.9]).left).toBe(44)
  })
  it('widens the margin to fit a learning rate to its leading zero', () => {
    const { left, labels } = plotLeft([0.00998, 0.0095, 0.00896])
    const longest = Math.max(...labels.map((l) => l.length))
    expect(labels.some((l) => l.startsWith('0.00'))).toBe(true)
    // Each label ends 6 units left of the plot; at the 10 px font a digit is about 6 units wide.
    expect(left - 6).toBeGreaterThanOrEqual(longest * 6)
  })
})
