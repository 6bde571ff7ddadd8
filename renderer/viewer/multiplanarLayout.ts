// How the three planes share the viewer. NiiVue's automatic choice picks a 2x2 grid whenever the
// canvas is narrower than 1.5 times its height, and with the 3D render switched off (it would
// cost a ray cast per crosshair move) one quarter of that grid stayed black. Instead the planes
// take the whole canvas in the arrangement whose smallest tile is the largest: a row, a column,
// or "2 + 1" (axial in one half, coronal and sagittal sharing the other half), which on the
// viewer's usual landscape canvas keeps the grid's coronal and sagittal and doubles the axial.

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

/**
 * The arrangement whose smallest tile holds the largest square on a width x height canvas (each
 * plane is fitted into its own tile, so the smallest tile decides how small the worst-shown plane
 * gets); on a tie the first of the order for the canvas's shape.
 */
export function planeArrangement(width: number, height: number): PlaneArrangement {
  const order: PlaneArrangement[] = width >= height ? ['axial-left', 'row', 'axial-top', 'column'] : ['axial-top', 'column', 'axial-left', 'row']
  let best = order[0]!
  for (const a of order) if (smallestTileSide(a, width, height) > smallestTileSide(best, width, height) + 0.5) best = a
  return best
}
