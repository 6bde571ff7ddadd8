// Long log lines wrap into fixed-height rows (issue 18, point 10), so the virtualised log pane
// shows them whole without a horizontal scroll and search still lands on a line's first row.
import { expect, it } from 'vitest'
import { wrapRows } from '../../renderer/lib/wrapRows'

it('keeps short lines whole and cuts long ones into rows of the pane width', () => {
  const { rows, firstRow } = wrapRows([5, 25, 0, 10], 10)
  expect(rows).toEqual([
    { line: 0, from: 0, to: -1 },
    { line: 1, from: 0, to: 10 },
    { line: 1, from: 10, to: 20 },
    { line: 1, from: 20, to: 25 },
    { line: 2, from: 0, to: -1 },
    { line: 3, from: 0, to: -1 },
  ])
  expect(firstRow).toEqual([0, 1, 4, 5])
})

it('one row per line when the width is not known yet', () => {
  expect(wrapRows([500, 3], 0).rows).toEqual([
    { line: 0, from: 0, to: -1 },
    { line: 1, from: 0, to: -1 },
  ])
})

it('100k lines are cut in well under a frame budget', () => {
  const lengths = Array.from({ length: 100_000 }, (_, i) => (i % 10 === 0 ? 400 : 60))
  const t0 = performance.now()
  const { rows } = wrapRows(lengths, 120)
  expect(rows.length).toBe(90_000 + 10_000 * 4)
  expect(performance.now() - t0).toBeLessThan(200)
})
