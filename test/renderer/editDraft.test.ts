// A kept draft back onto the editor's drawing (renderer/viewer/editDraft.ts): for layouts that
// permute and flip axes as NiiVue's img2RAS does, the inverse mapping undoes labelEdits.ts
// nativeIndex for every voxel, and runs made by changeRuns restore the edited drawing exactly.
import { describe, expect, it } from 'vitest'
import { changeRuns, encodeRuns, nativeIndex, type RasLayout } from '../../renderer/viewer/labelEdits'
import { applyRuns, decodeRuns, rasIndexer } from '../../renderer/viewer/editDraft'

/** A layout like NiiVue's for a file of `fileDims` whose axis j becomes RAS axis perm[j], flipped where flip[j]. */
function layoutOf(fileDims: [number, number, number], perm: [number, number, number], flip: [boolean, boolean, boolean]): RasLayout {
  const stride = [1, fileDims[0], fileDims[0] * fileDims[1]]
  const dims = [0, 0, 0] as [number, number, number]
  const step = [0, 0, 0] as [number, number, number]
  const start = [0, 0, 0] as [number, number, number]
  perm.forEach((k, j) => {
    dims[k] = fileDims[j]!
    step[k] = flip[j] ? -stride[j]! : stride[j]!
    start[k] = flip[j] ? stride[j]! * (fileDims[j]! - 1) : 0
  })
  return { dims, step, start }
}

const LAYOUTS: RasLayout[] = [
  layoutOf([5, 4, 3], [0, 1, 2], [false, false, false]),
  layoutOf([5, 4, 3], [0, 1, 2], [true, true, false]),
  layoutOf([5, 4, 3], [2, 0, 1], [false, true, true]),
  layoutOf([6, 1, 3], [1, 2, 0], [true, false, false]),
]

describe('editDraft', () => {
  it('maps every file-order voxel back to its drawing voxel', () => {
    for (const layout of LAYOUTS) {
      const n = layout.dims[0] * layout.dims[1] * layout.dims[2]
      const toRas = rasIndexer(layout)
      for (let i = 0; i < n; i++) expect(toRas(nativeIndex(layout, i))).toBe(i)
    }
  })

  it('restores an edited drawing exactly from the runs the save sends', () => {
    for (const layout of LAYOUTS) {
      const n = layout.dims[0] * layout.dims[1] * layout.dims[2]
      const original = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0))
      const edited = original.slice()
      for (let i = 0; i < n; i += 3) edited[i] = (i % 2) + 1
      edited[n - 1] = 0
      const runs = decodeRuns(encodeRuns(changeRuns(original, edited, layout)))
      const restored = original.slice()
      const changed = applyRuns(restored, runs, layout)
      expect(Buffer.compare(Buffer.from(restored), Buffer.from(edited))).toBe(0)
      expect(changed).toBe(edited.filter((v, i) => v !== original[i]).length)
    }
  })

  it('refuses runs made for a bigger volume', () => {
    expect(() => applyRuns(new Uint8Array(10), [{ start: 8, length: 5, value: 1 }], LAYOUTS[0]!)).toThrow(/another volume/)
  })
})
