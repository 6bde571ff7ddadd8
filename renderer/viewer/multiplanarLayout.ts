// How the three planes share the viewer. NiiVue's automatic choice picks a 2x2 grid whenever the
// canvas is narrower than 1.5 times its height, and with the 3D render switched off (it would
// cost a ray cast per crosshair move) one quarter of that grid stayed black. Instead the planes
// take the whole canvas in a row, a column, or "2 + 1" (axial in one half, coronal and sagittal
// sharing the other half). Once the scan is known the choice is the one that draws its worst-shown
// plane largest (each plane is fitted into its own tile, so a flat CT's coronal and sagittal are
// wide strips: in a row of thirds they shrank to a sliver); before that, the arrangement whose
// smallest tile is the largest.

export type PlaneArrangement = 'row' | 'column' | 'axial-left' | 'axial-top'
export type PlaneName = 'axial' | 'coronal' | 'sagittal'
/** left, top, width, height as fractions of the canvas (NiiVue's custom layout positions). */
export type Fractions = [number, number, number, number]

/** Each plane's tile in an arrangement, in fractions of the canvas. */
export function planeTiles(arrangement: PlaneArrangement): Record<PlaneName, Fractions> {
  const third = 1 / 3
  switch (arrangement) {
    case 'row':
      return { axial: [0, 0, third, 1], coronal: [third, 0, third, 1], sagittal: [2 * third, 0, third, 1] }
    case 'column':
      return { axial: [0, 0, 1, third], coronal: [0, third, 1, third], sagittal: [0, 2 * third, 1, third] }
    case 'axial-left':
      return { axial: [0, 0, 0.5, 1], coronal: [0.5, 0, 0.5, 0.5], sagittal: [0.5, 0.5, 0.5, 0.5] }
    case 'axial-top':
      return { axial: [0, 0, 1, 0.5], coronal: [0, 0.5, 0.5, 0.5], sagittal: [0.5, 0.5, 0.5, 0.5] }
  }
}

/** The side of the largest square that fits in the smallest tile of an arrangement, in pixels. */
export function smallestTileSide(arrangement: PlaneArrangement, width: number, height: number): number {
  return Math.min(...Object.values(planeTiles(arrangement)).map(([, , w, h]) => Math.min(w * width, h * height)))
}

/** The scan's physical size along R-L, A-P and S-I, in mm. */
export type ExtentMm = [number, number, number]

/** The pixels per mm of the worst-drawn plane when each plane is fitted into its tile. */
export function worstPlaneScale(arrangement: PlaneArrangement, width: number, height: number, [x, y, z]: ExtentMm): number {
  const tiles = planeTiles(arrangement)
  // Axial shows R-L by A-P, coronal R-L by S-I, sagittal A-P by S-I.
  const fit = ([, , w, h]: Fractions, across: number, down: number) => Math.min((w * width) / across, (h * height) / down)
  return Math.min(fit(tiles.axial, x, y), fit(tiles.coronal, x, z), fit(tiles.sagittal, y, z))
}

/**
 * The arrangement for a width x height canvas: with the scan's extent, the one whose worst-drawn
 * plane is drawn largest; without it, the one whose smallest tile holds the largest square. On a
 * tie, the first of the order for the canvas's shape.
 */
export function planeArrangement(width: number, height: number, extent?: ExtentMm): PlaneArrangement {
  const order: PlaneArrangement[] = width >= height ? ['axial-left', 'row', 'axial-top', 'column'] : ['axial-top', 'column', 'axial-left', 'row']
  const usable = extent && extent.every((e) => Number.isFinite(e) && e > 0)
  const score = (a: PlaneArrangement) => (usable ? worstPlaneScale(a, width, height, extent) : smallestTileSide(a, width, height))
  // 1 % (or half a pixel) is a tie: keep the usual arrangement rather than flip on rounding.
  const margin = (v: number) => (usable ? v * 0.01 : 0.5)
  let best = order[0]!
  for (const a of order) if (score(a) > score(best) + margin(score(best))) best = a
  return best
}
