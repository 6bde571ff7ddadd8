// The rules around the label editor's grow-cut from seeds (issue 21 item 2; the automaton itself is
// shared/growCut.ts). The researcher paints object seeds in the active label and background seeds
// in a value that no label uses (backgroundSeedValue); the grow-cut needs both (growCutProblem).
// Background seeds are no label: the grow-cut clears them, and any left at a save become
// background (clearSeeds). Arrays are one byte per voxel (NiiVue's drawing grid).

/** The value background seeds are painted with: the highest byte value that no label uses. */
export function backgroundSeedValue(labelValues: Iterable<number>): number {
  const used = new Set(labelValues)
  for (let v = 255; v > 0; v--) if (!used.has(v)) return v
  throw new Error('Every value 1 to 255 is a label: there is no value left for background seeds.')
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
