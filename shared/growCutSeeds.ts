// Grow-cut from seeds in the label editor (issue 21 item 2), the rules around NiiVue's drawGrowCut.
// The researcher paints object seeds in the active label and background seeds in a seed value that
// is no label (backgroundSeedValue); NiiVue's grow-cut (a GPU cellular automaton over the scan)
// then gives every voxel it reaches the label of the seed that wins it. Run as is, it would also
// grow every other label of the map and reach 128 voxels past the seeds, so mergeGrowCut keeps of
// its answer only what the researcher asked for:
// - voxels that were unlabelled and were won by the active label, inside the box of the seeds;
// - background seeds become background (0);
// - every other voxel keeps its label.
// Arrays are one byte per voxel, x fastest (NiiVue's drawing grid).

/** The value background seeds are painted with: the highest byte value that no label uses. */
export function backgroundSeedValue(labelValues: Iterable<number>): number {
  const used = new Set(labelValues)
  for (let v = 255; v > 0; v--) if (!used.has(v)) return v
  throw new Error('Every value 1 to 255 is a label: there is no value left for background seeds.')
}

/** An inclusive voxel box [x0, y0, z0, x1, y1, z1]. */
export type SeedBox = [number, number, number, number, number, number]

/** The box around every voxel holding one of `values`; null when none does. */
export function seedBox(bitmap: Uint8Array, dims: readonly [number, number, number], values: readonly number[]): SeedBox | null {
  const want = new Uint8Array(256)
  for (const v of values) want[v] = 1
  const [nx, ny] = dims
  let box: SeedBox | null = null
  for (let i = 0; i < bitmap.length; i++) {
    if (!want[bitmap[i]!]) continue
    const x = i % nx
    const y = Math.floor(i / nx) % ny
    const z = Math.floor(i / (nx * ny))
    if (!box) box = [x, y, z, x, y, z]
    else {
      if (x < box[0]) box[0] = x
      if (y < box[1]) box[1] = y
      if (z < box[2]) box[2] = z
      if (x > box[3]) box[3] = x
      if (y > box[4]) box[4] = y
      if (z > box[5]) box[5] = z
    }
  }
  return box
}

/** What is missing before a grow-cut can run, in words; null when both kinds of seed are there. */
export function growCutProblem(bitmap: Uint8Array, active: number, seed: number): string | null {
  let object = false
  let background = false
  for (let i = 0; i < bitmap.length && !(object && background); i++) {
    if (bitmap[i] === active) object = true
    else if (bitmap[i] === seed) background = true
  }
  if (!object) return 'Paint a seed inside the structure with the active label first.'
  if (!background) return 'Paint background seeds around the structure first (Background seed, key b).'
  return null
}

/**
 * Writes into `out` (NiiVue's drawing, which holds the grow-cut's answer) the drawing as it was
 * (`before`) plus what the grow-cut won for `active` (see the top of this file); returns the voxels
 * that differ from `before`.
 */
export function mergeGrowCut(before: Uint8Array, out: Uint8Array, dims: readonly [number, number, number], active: number, seed: number): number {
  const box = seedBox(before, dims, [active, seed])
  const [nx, ny] = dims
  let changed = 0
  for (let i = 0; i < before.length; i++) {
    const was = before[i]!
    let now: number
    if (was === seed) now = 0
    else if (was !== 0) now = was
    else if (out[i] === active && box) {
      const x = i % nx
      const y = Math.floor(i / nx) % ny
      const z = Math.floor(i / (nx * ny))
      now = x >= box[0] && x <= box[3] && y >= box[1] && y <= box[4] && z >= box[2] && z <= box[5] ? active : 0
    } else now = 0
    out[i] = now
    if (now !== was) changed++
  }
  return changed
}

/** Background seeds left in the drawing become background (before a save: they are no label). */
export function clearSeeds(bitmap: Uint8Array, seed: number): number {
  let n = 0
  for (let i = 0; i < bitmap.length; i++)
    if (bitmap[i] === seed) {
      bitmap[i] = 0
      n++
    }
  return n
}
