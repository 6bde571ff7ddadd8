// The error viewer's colours: one false-positive and one false-negative colour per label, none
// close to a label colour, to another error colour or to grey (false positives were yellow like a
// yellow label, and every label's false negatives shared one cyan; then, in issue 18's walkthrough,
// liver's false positives were white and spleen's false negatives a light green beside pure green).
import { describe, expect, it } from 'vitest'
import { chroma, colourDistance, errorColours, lightness, MIN_CHROMA, MIN_LIGHTNESS } from '../../shared/errorColours'
import { defaultLabelColor } from '../../shared/labelColors'
import type { Rgb } from '../../shared/schema'

const nearest = (c: Rgb, others: readonly Rgb[]) => Math.min(...others.map((o) => colourDistance(c, o)))

/** The rule: every error colour at least `apart` (CIELAB ΔE) from every label colour and every other error colour, and clear of grey. */
function expectClear(labels: readonly Rgb[], apart: number) {
  const pairs = errorColours(labels)
  expect(pairs).toHaveLength(labels.length)
  const errors = pairs.flatMap((p) => [p.fp, p.fn])
  expect(new Set(errors.map((c) => c.join(','))).size).toBe(errors.length)
  for (const [i, e] of errors.entries()) {
    expect(nearest(e, labels), `error colour ${e} against the labels`).toBeGreaterThanOrEqual(apart)
    expect(nearest(e, errors.filter((_, j) => j !== i)), `error colour ${e} against the other errors`).toBeGreaterThanOrEqual(apart)
    // Off the grey axis (white is bone on CT and a blank swatch; black and grey vanish in the scan).
    expect(chroma(e), `chroma of ${e}`).toBeGreaterThanOrEqual(MIN_CHROMA)
    expect(lightness(e), `lightness of ${e}`).toBeGreaterThanOrEqual(MIN_LIGHTNESS)
  }
  return pairs
}

describe('colour measures', () => {
  it('put greys on the axis and tell a light green from pure green', () => {
    for (const g of [0, 128, 255]) expect(chroma([g, g, g])).toBeLessThan(0.01)
    expect(lightness([255, 255, 255])).toBeCloseTo(100, 1)
    expect(colourDistance([0, 0, 0], [255, 255, 255])).toBeCloseTo(100, 1)
    expect(chroma([255, 0, 0])).toBeGreaterThan(100)
  })
})

describe('errorColours', () => {
  it('gives every label its own pair, apart from a yellow label and the old fixed colours', () => {
    const labels: Rgb[] = [
      [255, 0, 0],
      [0, 255, 0],
      [255, 215, 0], // a yellow label: the old false-positive colour
    ]
    const pairs = expectClear(labels, 45)
    // The same labels give the same colours (a label keeps them from case to case).
    expect(errorColours(labels)).toEqual(pairs)
  })

  it('has no white and no light green beside green for the walkthrough labels (liver and spleen in the default palette)', () => {
    const labels = [defaultLabelColor(1), defaultLabelColor(2)]
    const pairs = expectClear(labels, 60)
    const errors = pairs.flatMap((p) => [p.fp, p.fn])
    expect(errors).not.toContainEqual([255, 255, 255])
    expect(errors).not.toContainEqual([150, 255, 115])
  })

  it('stays apart and off grey for the default palette of one to eight labels', () => {
    for (const n of [1, 2, 3]) expectClear(Array.from({ length: n }, (_, k) => defaultLabelColor(k + 1)), 45)
    expectClear(Array.from({ length: 4 }, (_, k) => defaultLabelColor(k + 1)), 40)
    // Eight labels and sixteen error colours crowd the gamut: still clearly apart (ΔE 20 is obvious side by side).
    expectClear(Array.from({ length: 8 }, (_, k) => defaultLabelColor(k + 1)), 20)
  })

  it('keeps clear of grey even when the labels themselves are greyish', () => {
    expectClear([[255, 255, 255], [128, 128, 128], [255, 239, 213]], 30)
  })
})
