// The label editor's bookkeeping (renderer/viewer/labelEdits.ts): sparse undo/redo over many
// steps, the runs a save sends in the file's voxel order (a flipped and permuted layout, as
// NiiVue's img2RASstep/start describe an LPS or oblique-ordered file), and the fill of one slice.
import { describe, expect, it } from 'vitest'
import { changeRuns, diffBitmaps, EditHistory, encodeRuns, fillSliceRegion, nativeIndex, valueCounts, type RasLayout } from '../../renderer/viewer/labelEdits'
import { decodeChanges } from '../../electron/dataset/labelEdit'

describe('EditHistory', () => {
  it('undoes and redoes any number of steps, and a new edit drops the redo list', () => {
    const bmp = new Uint8Array(1000)
    const h = new EditHistory(bmp)
    // 50 overlapping strokes, each a change (values 1..7 over the last stroke's tail).
    for (let k = 0; k < 50; k++) {
      bmp.fill((k % 7) + 1, k * 10, k * 10 + 15)
      expect(h.commit(bmp)).toBe(true)
    }
    expect(h.steps).toBe(50)
    expect(h.commit(bmp)).toBe(false)
    const after = bmp.slice()
    let undone = 0
    while (h.undo(bmp)) undone++
    expect(undone).toBe(50)
    expect(bmp.every((v) => v === 0)).toBe(true)
    let redone = 0
    while (h.redo(bmp)) redone++
    expect(redone).toBe(50)
    expect(bmp).toEqual(after)
    h.undo(bmp)
    bmp[999] = 3
    expect(h.commit(bmp)).toBe(true)
    expect(h.canRedo).toBe(false)
  })

  it('keeps the voxels per value through edits, undo and redo, equal to a count of the bitmap', () => {
    const bmp = new Uint8Array(4096)
    bmp.fill(1, 100, 900)
    const h = new EditHistory(bmp)
    const check = () => expect(Array.from(h.counts)).toEqual(Array.from(valueCounts(bmp)))
    check()
    bmp.fill(2, 800, 1200) // over label 1 and background
    h.commit(bmp)
    check()
    bmp.fill(0, 50, 150) // erase across the border of label 1
    h.commit(bmp)
    check()
    h.undo(bmp)
    check()
    h.undo(bmp)
    check()
    expect(h.counts[1]).toBe(800)
    h.redo(bmp)
    check()
    expect(h.counts[2]).toBe(400)
  })

  it('a stroke not yet committed is committed before undo, so undo takes exactly it back', () => {
    const bmp = new Uint8Array(64)
    const h = new EditHistory(bmp)
    bmp[3] = 1
    h.commit(bmp)
    bmp[5] = 2
    expect(h.undo(bmp)).toBe(true)
    expect(Array.from(bmp.subarray(0, 6))).toEqual([0, 0, 0, 1, 0, 0])
  })
})

describe('changeRuns', () => {
  it('maps RAS-order changes to the file order of a flipped, permuted layout, as ascending runs', () => {
    // File: 4 x 3 x 2, its axes stored as RAS y, x, z with x flipped (NiiVue's img2RASstep/start).
    const fileDims = [4, 3, 2]
    const layout: RasLayout = { dims: [3, 4, 2], step: [-4, 1, 12], start: [8, 0, 0] }
    const n = 24
    // Every RAS index lands on a distinct file index.
    const seen = new Set(Array.from({ length: n }, (_, i) => nativeIndex(layout, i)))
    expect(seen.size).toBe(n)
    expect(Math.max(...seen)).toBe(fileDims[0]! * fileDims[1]! * fileDims[2]! - 1)
    const was = new Uint8Array(n)
    const now = was.slice()
    for (const i of [0, 1, 2, 13]) now[i] = 2
    now[23] = 1
    const runs = changeRuns(was, now, layout)
    const flat = new Map<number, number>()
    for (const r of runs) for (let k = 0; k < r.length; k++) flat.set(r.start + k, r.value)
    expect(flat).toEqual(new Map([0, 1, 2, 13, 23].map((i) => [nativeIndex(layout, i), now[i]!])))
    for (let k = 1; k < runs.length; k++) expect(runs[k]!.start).toBeGreaterThanOrEqual(runs[k - 1]!.start + runs[k - 1]!.length)
    // The service reads back exactly these runs.
    expect(decodeChanges(encodeRuns(runs), n)).toEqual(runs)
  })

  it('nothing changed: no runs; diff finds changes past the last whole word', () => {
    expect(changeRuns(new Uint8Array(10), new Uint8Array(10), { dims: [10, 1, 1], step: [1, 10, 10], start: [0, 0, 0] })).toEqual([])
    const a = new Uint8Array(11)
    const b = a.slice()
    b[10] = 4
    expect(Array.from(diffBitmaps(a, b)!.index)).toEqual([10])
  })
})

describe('fillSliceRegion', () => {
  it('fills the inside of a closed outline on one slice only', () => {
    const dims: [number, number, number] = [7, 7, 2]
    const bmp = new Uint8Array(7 * 7 * 2)
    const at = (x: number, y: number, z: number) => x + 7 * (y + 7 * z)
    // A square outline of label 1 from (1,1) to (5,5) on slice z = 0.
    for (let k = 1; k <= 5; k++) for (const [x, y] of [[k, 1], [k, 5], [1, k], [5, k]] as const) bmp[at(x, y, 0)] = 1
    expect(fillSliceRegion(bmp, dims, [3, 3, 0], 2, 1)).toBe(9)
    for (let y = 2; y <= 4; y++) for (let x = 2; x <= 4; x++) expect(bmp[at(x, y, 0)]).toBe(1)
    expect(bmp[at(0, 0, 0)]).toBe(0)
    expect(bmp.subarray(49).every((v) => v === 0)).toBe(true)
  })
})
