// The review ranking rule (shared/reviewRank.ts) on small arrays whose entropy is known by hand,
// and the .npz reader (electron/files/npz.ts) on files numpy itself wrote (np.savez_compressed,
// np.savez, float16 and float32), as nnU-Net writes CASE.npz with --save_probabilities.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { foregroundAndBorder, rankByUncertainty, uncertaintyScore } from '../../shared/reviewRank'
import { halfToFloat, readNpzArray } from '../../electron/files/npz'
import { nnunetPython } from '../helpers/python'

const H = (ps: number[]) => -ps.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0)

/** classes x voxels from per-voxel probability vectors. */
function channelMajor(perVoxel: number[][]): Float32Array {
  const c = perVoxel[0]!.length
  const n = perVoxel.length
  const out = new Float32Array(c * n)
  perVoxel.forEach((v, i) => v.forEach((p, k) => (out[k * n + i] = p)))
  return out
}

describe('foregroundAndBorder', () => {
  it('dilates by one voxel along x, y and z only (6-connected), clipped at the edges', () => {
    const dims: [number, number, number] = [3, 3, 3]
    const seg = new Uint8Array(27)
    seg[13] = 2 // the centre
    const r = foregroundAndBorder(seg, dims)
    expect([...r].reduce((a, b) => a + b, 0)).toBe(7)
    for (const i of [13, 12, 14, 10, 16, 4, 22]) expect(r[i]).toBe(1)
    expect(r[0]).toBe(0) // a corner is not a face neighbour
    const corner = new Uint8Array(27)
    corner[0] = 1
    expect([...foregroundAndBorder(corner, dims)].reduce((a, b) => a + b, 0)).toBe(4)
  })
})

describe('uncertaintyScore', () => {
  it('is the mean entropy / ln(classes) over the foreground and its border, ignoring the far background', () => {
    // 5 x 1 x 1: voxel 2 is foreground; 1 and 3 its border; 0 and 4 far background (which is very unsure here, and must not count).
    const probs = channelMajor([
      [0.5, 0.5],
      [0.9, 0.1],
      [0.2, 0.8],
      [0.7, 0.3],
      [0.5, 0.5],
    ])
    const r = uncertaintyScore({ probabilities: probs, classes: 2, dims: [5, 1, 1], segmentation: [0, 0, 1, 0, 0] })
    const expected = (H([0.9, 0.1]) + H([0.2, 0.8]) + H([0.7, 0.3])) / 3 / Math.LN2
    expect(r.voxels).toBe(3)
    expect(r.empty).toBe(false)
    expect(r.score).toBeCloseTo(expected, 6)
  })

  it('scores 1 for a uniform softmax of 3 classes and 0 for a certain one', () => {
    const third = 1 / 3
    const unsure = uncertaintyScore({ probabilities: channelMajor([[third, third, third]]), classes: 3, dims: [1, 1, 1], segmentation: [1] })
    expect(unsure.score).toBeCloseTo(1, 6)
    const sure = uncertaintyScore({ probabilities: channelMajor([[0, 1, 0]]), classes: 3, dims: [1, 1, 1], segmentation: [1] })
    expect(sure.score).toBe(0)
  })

  it('uses binary entropy per channel for sigmoid (region) outputs', () => {
    const r = uncertaintyScore({ probabilities: channelMajor([[0.5, 0.9]]), classes: 2, dims: [1, 1, 1], segmentation: [1], kind: 'sigmoid' })
    expect(r.score).toBeCloseTo((Math.LN2 + H([0.9, 0.1])) / (2 * Math.LN2), 6)
  })

  it('puts an empty prediction at score 1 (it needs a look) and refuses probabilities of another grid', () => {
    const r = uncertaintyScore({ probabilities: channelMajor([[1, 0], [1, 0]]), classes: 2, dims: [2, 1, 1], segmentation: [0, 0] })
    expect(r).toEqual({ score: 1, voxels: 0, empty: true })
    expect(() => uncertaintyScore({ probabilities: new Float32Array(6), classes: 2, dims: [2, 1, 1], segmentation: [0, 0] })).toThrow(/not 2 classes x 2 voxels/)
  })
})

describe('rankByUncertainty', () => {
  it('ranks most unsure first, unscored last by name, ties by name', () => {
    const ranked = rankByUncertainty([
      { case: 'c', score: 0.1 },
      { case: 'z', score: null },
      { case: 'b', score: 0.4 },
      { case: 'a', score: 0.4 },
      { case: 'y', score: null },
    ])
    expect(ranked.map((r) => `${r.rank}:${r.case}`)).toEqual(['1:a', '2:b', '3:c', '4:y', '5:z'])
  })
})

describe('halfToFloat', () => {
  it('decodes normal, subnormal and special half floats', () => {
    expect(halfToFloat(0x3c00)).toBe(1)
    expect(halfToFloat(0xc000)).toBe(-2)
    expect(halfToFloat(0x0001)).toBe(2 ** -24)
    expect(halfToFloat(0x7c00)).toBe(Infinity)
    expect(halfToFloat(0x7e00)).toBeNaN()
  })
})

const py = nnunetPython('v2')
describe.skipIf(!py.python)(`readNpzArray on numpy's own files ${py.reason}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'npz-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads compressed float16 and stored float32 probabilities (C x Z x Y x X) exactly as numpy holds them', () => {
    const script = join(dir, 'make.py')
    writeFileSync(
      script,
      [
        'import numpy as np, sys, json',
        'rng = np.random.default_rng(1)',
        'p = rng.random((3, 4, 5, 6)).astype(np.float32); p /= p.sum(0, keepdims=True)',
        "np.savez_compressed(sys.argv[1] + '/c.npz', probabilities=p.astype(np.float16), other=np.arange(3))",
        "np.savez(sys.argv[1] + '/s.npz', probabilities=p)",
        "print(json.dumps({'f32': p.ravel().tolist(), 'f16': p.astype(np.float16).astype(np.float32).ravel().tolist()}))",
      ].join('\n'),
    )
    const ref = JSON.parse(execFileSync(py.python!, [script, dir], { encoding: 'utf8' })) as { f32: number[]; f16: number[] }
    const c = readNpzArray(join(dir, 'c.npz'), 'probabilities')
    const s = readNpzArray(join(dir, 's.npz'), 'probabilities')
    return Promise.all([c, s]).then(async ([c16, s32]) => {
      expect(c16.shape).toEqual([3, 4, 5, 6])
      expect(c16.dtype).toBe('<f2')
      expect(Array.from(c16.data)).toEqual(ref.f16.map(Math.fround))
      expect(s32.dtype).toBe('<f4')
      expect(Array.from(s32.data)).toEqual(ref.f32.map(Math.fround))
      await expect(readNpzArray(join(dir, 'c.npz'), 'logits')).rejects.toThrow(/c\.npz: has no array "logits" \(it holds probabilities, other\)/)
      await expect(readNpzArray(script, 'probabilities')).rejects.toThrow(/make\.py: is not a zip file/)
    })
  })
})
