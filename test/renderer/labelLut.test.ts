import { describe, expect, it } from 'vitest'
import { buildLabelLut, defaultLabelColor, hexToRgb, labelNameFor, rgbToHex } from '../../renderer/viewer/labelLut'

const organ = { name: 'organ', value: 1, color: [255, 0, 0] as [number, number, number], visible: true }
const tumor = { name: 'tumor', value: 2, color: [0, 255, 0] as [number, number, number], visible: true }

describe('buildLabelLut', () => {
  it('indexes colours by label value with a transparent background', () => {
    const lut = buildLabelLut([organ, tumor])
    expect(lut.I).toEqual([0, 1, 2])
    expect(lut.R).toEqual([0, 255, 0])
    expect(lut.G).toEqual([0, 0, 255])
    expect(lut.A).toEqual([0, 255, 255])
    expect(lut.labels).toEqual(['background', 'organ', 'tumor'])
  })
  it('hides a label by alpha only, keeping its colour and name', () => {
    const lut = buildLabelLut([organ, { ...tumor, visible: false }])
    expect(lut.A).toEqual([0, 255, 0])
    expect(lut.G[2]).toBe(255)
    expect(lut.labels[2]).toBe('tumor')
  })
  it('fills gaps between values with transparent entries', () => {
    const lut = buildLabelLut([{ ...organ, value: 3 }])
    expect(lut.I).toEqual([0, 1, 2, 3])
    expect(lut.A).toEqual([0, 0, 0, 255])
    expect(lut.R.length).toBe(4)
  })
  it('gives a background-only table when there are no labels', () => {
    expect(buildLabelLut([])).toEqual({ R: [0], G: [0], B: [0], A: [0], I: [0], labels: ['background'] })
  })
})

describe('label helpers', () => {
  it('names the value under the cursor', () => {
    expect(labelNameFor([organ, tumor], 2)).toBe('tumor')
    expect(labelNameFor([organ, tumor], 0)).toBe('background')
    expect(labelNameFor([organ, tumor], 7)).toBe('unknown value 7')
  })
  it('converts colours both ways', () => {
    expect(rgbToHex([255, 8, 0])).toBe('#ff0800')
    expect(hexToRgb('#ff0800')).toEqual([255, 8, 0])
    expect(hexToRgb('nonsense')).toEqual([0, 0, 0])
  })
  it('gives distinct default colours to the first labels', () => {
    expect(rgbToHex(defaultLabelColor(0))).not.toBe(rgbToHex(defaultLabelColor(1)))
  })
})
