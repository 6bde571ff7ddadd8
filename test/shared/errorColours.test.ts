// The error viewer's colours: one false-positive and one false-negative colour per label, none
// close to a label colour or to another error colour (false positives were yellow like a yellow
// label, and every label's false negatives shared one cyan).
import { describe, expect, it } from 'vitest'
import { colourDistance, errorColours } from '../../shared/errorColours'
import { defaultLabelColor } from '../../shared/labelColors'
import type { Rgb } from '../../shared/schema'

const minDistance = (a: readonly Rgb[], b: readonly Rgb[]) => Math.min(...a.flatMap((x) => b.filter((y) => y !== x).map((y) => colourDistance(x, y))))

describe('errorColours', () => {
  it('gives every label its own pair, apart from the yellow label and the old fixed colours', () => {
    const labels: Rgb[] = [
      [255, 0, 0],
      [0, 255, 0],
      [255, 215, 0], // a yellow label: the old false-positive colour
    ]
    const pairs = errorColours(labels)
    expect(pairs).toHaveLength(3)
    const errors = pairs.flatMap((p) => [p.fp, p.fn])
    expect(new Set(errors.map((c) => c.join(','))).size).toBe(6)
    // No error colour near a label colour (the old FP yellow was at distance 0 from this label).
    expect(minDistance(errors, labels)).toBeGreaterThan(150)
    expect(Math.min(...errors.map((e) => Math.min(...errors.filter((o) => o !== e).map((o) => colourDistance(e, o)))))).toBeGreaterThan(100)
    // The same labels give the same colours (a label keeps them from case to case).
    expect(errorColours(labels)).toEqual(pairs)
  })

  it('stays apart for the default palette of eight labels', () => {
    const labels = Array.from({ length: 8 }, (_, k) => defaultLabelColor(k + 1))
    const errors = errorColours(labels).flatMap((p) => [p.fp, p.fn])
    expect(new Set(errors.map((c) => c.join(','))).size).toBe(16)
    for (const e of errors) for (const l of labels) expect(colourDistance(e, l)).toBeGreaterThan(40)
  })
})
