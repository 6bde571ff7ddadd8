// A kept draft back onto the editor's drawing (issue 21: corrections across sessions). The draft
// holds the runs the save sends (labelEdits.ts changeRuns: the file's voxel order); the drawing is
// NiiVue's RAS-ordered grid, so each file-order voxel is mapped back through the inverse of
// labelEdits.ts nativeIndex (NiiVue's img2RASstep / img2RASstart only permute and flip axes).
import type { ChangeRun, RasLayout } from './labelEdits'

/** The runs of a base64 draft (little-endian uint32 triples start, length, value). */
export function decodeRuns(b64: string): ChangeRun[] {
  const text = atob(b64)
  if (text.length % 12 !== 0) throw new Error('The kept draft is not a whole number of runs: it cannot be restored.')
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0))
  const view = new DataView(bytes.buffer)
  const runs: ChangeRun[] = []
  for (let o = 0; o < bytes.length; o += 12) runs.push({ start: view.getUint32(o, true), length: view.getUint32(o + 4, true), value: view.getUint32(o + 8, true) })
  return runs
}

/** Maps file-order voxel indices to the drawing's (RAS) indices for one layout. */
export function rasIndexer(layout: RasLayout): (native: number) => number {
  // The file's axes are the RAS axes sorted by stride; a negative step reads that axis backwards.
  const order = [0, 1, 2].sort((a, b) => Math.abs(layout.step[a]!) - Math.abs(layout.step[b]!))
  const fileDims = order.map((k) => layout.dims[k]!)
  const [nx, ny] = layout.dims
  return (native: number) => {
    const a = [native % fileDims[0]!, Math.floor(native / fileDims[0]!) % fileDims[1]!, Math.floor(native / (fileDims[0]! * fileDims[1]!))]
    const ras = [0, 0, 0]
    order.forEach((k, j) => {
      ras[k] = layout.step[k]! >= 0 ? a[j]! : layout.dims[k]! - 1 - a[j]!
    })
    return ras[0]! + nx * (ras[1]! + ny * ras[2]!)
  }
}

/** Writes the runs into the drawing; returns the voxels whose value changed (a run outside the grid is refused). */
export function applyRuns(bitmap: Uint8Array, runs: readonly ChangeRun[], layout: RasLayout): number {
  const toRas = rasIndexer(layout)
  let changed = 0
  for (const r of runs) {
    if (r.start + r.length > bitmap.length || r.value > 255) throw new Error(`The kept draft writes outside this label map (run ${r.start}+${r.length}): it was made for another volume.`)
    for (let i = r.start; i < r.start + r.length; i++) {
      const at = toRas(i)
      if (bitmap[at] !== r.value) {
        bitmap[at] = r.value
        changed++
      }
    }
  }
  return changed
}
