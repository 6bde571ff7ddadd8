import { describe, expect, it } from 'vitest'
import { planeArrangement, planeTiles, smallestTileSide, worstPlaneScale, type ExtentMm, type PlaneArrangement } from '../../renderer/viewer/multiplanarLayout'

const ALL: PlaneArrangement[] = ['row', 'column', 'axial-left', 'axial-top']

/** Area of [0,1]^2 covered by no tile, by sampling a fine grid. */
function uncovered(a: PlaneArrangement): number {
  const tiles = Object.values(planeTiles(a))
  let empty = 0
  const n = 40
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = (i + 0.5) / n
      const y = (j + 0.5) / n
      if (!tiles.some(([l, t, w, h]) => x >= l && x < l + w && y >= t && y < t + h)) empty++
    }
  return empty / (n * n)
}

describe('planeArrangement: three planes without an empty quarter', () => {
  it('every arrangement covers the whole canvas (the 2x2 grid left a quarter black)', () => {
    for (const a of ALL) expect(uncovered(a), a).toBe(0)
  })
  it('the Preview viewer (708 x 520): axial in the left half, coronal and sagittal each as large as a grid quarter', () => {
    expect(planeArrangement(708, 520)).toBe('axial-left')
    expect(smallestTileSide('axial-left', 708, 520)).toBe(260) // a 2x2 grid's quarter: min(354, 260)
  })
  it('long canvases get a row, tall ones a column or axial on top', () => {
    expect(planeArrangement(1200, 300)).toBe('row')
    expect(planeArrangement(300, 1200)).toBe('column')
    expect(planeArrangement(520, 708)).toBe('axial-top')
  })
  it('chooses the arrangement whose smallest tile holds the largest square', () => {
    for (const [w, h] of [[708, 520], [520, 708], [300, 1000], [1000, 300], [600, 600], [1400, 500]] as const) {
      const chosen = smallestTileSide(planeArrangement(w, h), w, h)
      for (const a of ALL) expect(chosen, `${w}x${h} vs ${a}`).toBeGreaterThanOrEqual(smallestTileSide(a, w, h) - 0.5)
    }
  })

  // The third walkthrough's flat abdominal CT (366 x 303 x 78 mm): in a row of thirds its coronal
  // and sagittal were strips about 56 px tall.
  const FLAT_CT: ExtentMm = [366, 303, 78]
  it('with the scan known, the arrangement that draws its worst plane largest: a flat CT gets 2 + 1, not a row', () => {
    expect(planeArrangement(800, 450)).toBe('row')
    expect(planeArrangement(800, 450, FLAT_CT)).toBe('axial-left')
    expect(worstPlaneScale('axial-left', 800, 450, FLAT_CT)).toBeGreaterThan(1.4 * worstPlaneScale('row', 800, 450, FLAT_CT))
  })
  it('never draws the worst plane smaller than another arrangement would', () => {
    const scans: ExtentMm[] = [FLAT_CT, [366, 303, 480], [180, 180, 180], [120, 126, 246], [500, 400, 30]]
    for (const e of scans)
      for (const [w, h] of [[708, 520], [520, 708], [300, 1000], [1000, 300], [800, 450], [1400, 500]] as const) {
        const chosen = worstPlaneScale(planeArrangement(w, h, e), w, h, e)
        for (const a of ALL) expect(chosen, `${e.join('x')} mm on ${w}x${h} vs ${a}`).toBeGreaterThanOrEqual(worstPlaneScale(a, w, h, e) * 0.99)
      }
  })
  it('an unknown or degenerate extent falls back to the tile rule', () => {
    expect(planeArrangement(800, 450, [0, 303, 78])).toBe(planeArrangement(800, 450))
    expect(planeArrangement(800, 450, [Number.NaN, 1, 1])).toBe(planeArrangement(800, 450))
  })
})
