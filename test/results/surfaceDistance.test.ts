// HD95 and NSD: the app's own implementation (electron/results/surfaceDistance.ts) against DeepMind's
// surface-distance package on real TotalSegmentator masks, on their own grids and on an anisotropic
// one, plus the cases a paper's table must not hide (empty prediction, empty reference, both).
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskOf, normalisedSurfaceDice, robustHausdorff, surfaceDistances, surfaceScore } from '../../electron/results/surfaceDistance'
import { readVolume, type Volume } from '../../electron/imaging/volume'
import { writeNiftiGz } from '../../electron/imaging/niftiWriter'
import { referencePython } from '../helpers/referencePython'

const DATA = '/work/shared/data/totalseg'
type Size3 = [number, number, number]

function cube(size: Size3, from: Size3, to: Size3): Uint8Array {
  const m = new Uint8Array(size[0] * size[1] * size[2])
  for (let z = from[2]; z <= to[2]; z++) for (let y = from[1]; y <= to[1]; y++) for (let x = from[0]; x <= to[0]; x++) m[x + size[0] * (y + size[1] * z)] = 1
  return m
}

describe('surfaceScore', () => {
  const size: Size3 = [20, 20, 20]
  it('is 0 mm and NSD 1 for identical masks', () => {
    const a = cube(size, [5, 5, 5], [12, 12, 12])
    const s = surfaceScore(a, a, size, [1, 1, 1], 1)
    expect(s.hd95).toBe(0)
    expect(s.nsd).toBeCloseTo(1, 12)
    expect(s.empty).toBeUndefined()
  })

  it('measures a shift along z in that axis’s spacing (anisotropic)', () => {
    const a = cube(size, [5, 5, 5], [12, 12, 12])
    const b = cube(size, [5, 5, 7], [12, 12, 14]) // two slices further
    // 2 slices of 2.5 mm: the faces that moved are 5 mm apart; the sides barely move.
    const s = surfaceScore(a, b, size, [0.7, 0.7, 2.5], 1)
    expect(s.hd95).toBeCloseTo(5, 6)
    expect(s.nsd).toBeGreaterThan(0)
    expect(s.nsd).toBeLessThan(1)
    // The same shift on an isotropic 0.7 mm grid is 1.4 mm.
    expect(surfaceScore(a, b, size, [0.7, 0.7, 0.7], 1).hd95).toBeCloseTo(1.4, 6)
  })

  it('says which side is empty: Infinity / 0 for one, NaN for both', () => {
    const a = cube(size, [5, 5, 5], [12, 12, 12])
    const none = new Uint8Array(a.length)
    expect(surfaceScore(a, none, size, [1, 1, 1], 1)).toEqual({ hd95: Infinity, nsd: 0, tolerance: 1, empty: 'prediction-empty' })
    expect(surfaceScore(none, a, size, [1, 1, 1], 1)).toEqual({ hd95: Infinity, nsd: 0, tolerance: 1, empty: 'reference-empty' })
    const both = surfaceScore(none, none, size, [1, 1, 1], 1)
    expect(both.empty).toBe('both-empty')
    expect(both.hd95).toBeNaN()
    expect(both.nsd).toBeNaN()
  })

  it('refuses masks that do not fit the grid', () => {
    expect(() => surfaceScore(new Uint8Array(8), new Uint8Array(9), [2, 2, 2], [1, 1, 1], 1)).toThrow(/do not fit/)
  })

  it('maskOf picks one value or a region’s values', () => {
    expect([...maskOf([0, 1, 2, 3, 2], [2])]).toEqual([0, 0, 1, 0, 1])
    expect([...maskOf([0, 1, 2, 3, 2], [1, 2])]).toEqual([0, 1, 1, 0, 1])
  })
})

// ---------------------------------------------------------------- against DeepMind's surface-distance

const ref = referencePython()

/** One voxel shift along x and a 6-neighbour erosion: a prediction that is close but not equal. */
function shiftAndErode(m: Uint8Array, size: Size3, shift: number): Uint8Array {
  const [nx, ny, nz] = size
  const out = new Uint8Array(m.length)
  const at = (x: number, y: number, z: number) => (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz ? 0 : m[x + nx * (y + ny * z)]!)
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const sx = x - shift
        out[x + nx * (y + ny * z)] = at(sx, y, z) && at(sx - 1, y, z) && at(sx + 1, y, z) && at(sx, y - 1, z) && at(sx, y + 1, z) && at(sx, y, z - 1) && at(sx, y, z + 1) ? 1 : 0
      }
  return out
}

const REFERENCE_SCRIPT = `
import json, sys
import numpy as np, SimpleITK as sitk
import surface_distance as sd
out = []
for pair in json.loads(sys.argv[1]):
    a = sitk.ReadImage(pair["reference"]); b = sitk.ReadImage(pair["prediction"])
    # SimpleITK arrays are z, y, x: transpose to x, y, z so the spacing order is ITK's.
    ra = np.transpose(sitk.GetArrayFromImage(a), (2, 1, 0)) != 0
    pb = np.transpose(sitk.GetArrayFromImage(b), (2, 1, 0)) != 0
    d = sd.compute_surface_distances(ra, pb, a.GetSpacing())
    out.append({"hd95": float(sd.compute_robust_hausdorff(d, 95)), "nsd": {str(t): float(sd.compute_surface_dice_at_tolerance(d, t)) for t in pair["tolerances"]}, "spacing": list(a.GetSpacing())})
print(json.dumps(out))
`

describe.skipIf(!ref.python)(`against DeepMind's surface-distance ${ref.python ? '' : `(skipped: ${ref.reason})`}`, () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nnw-surface-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const read = async (p: string): Promise<Volume> => readVolume(p)

  it('agrees on real CT masks (liver, spleen, aorta), on the scans’ grids and on an anisotropic one', async () => {
    const liver = await read(join(DATA, 'ct_small/masks/liver.nii.gz'))
    const spleen = await read(join(DATA, 'ct_small/masks/spleen.nii.gz'))
    const aorta = await read(join(DATA, 'aorta/masks/aorta.nii.gz'))
    const lumen = await read(join(DATA, 'aorta/masks/aorta_true_lumen.nii.gz'))
    const size3 = (v: Volume) => v.size.slice(0, 3) as Size3
    const u8 = (v: Volume) => Uint8Array.from(v.data as ArrayLike<number>, (x) => (x ? 1 : 0))
    const aniso = { ...liver, spacing: [0.78, 1.2, 3.5] }
    const pairs: { name: string; geom: Volume; reference: Uint8Array; prediction: Uint8Array }[] = [
      { name: 'liver-shifted-eroded', geom: liver, reference: u8(liver), prediction: shiftAndErode(u8(liver), size3(liver), 1) },
      { name: 'liver-shifted-eroded-aniso', geom: aniso, reference: u8(liver), prediction: shiftAndErode(u8(liver), size3(liver), 2) },
      { name: 'liver-vs-spleen', geom: liver, reference: u8(liver), prediction: u8(spleen) },
      { name: 'aorta-vs-true-lumen', geom: aorta, reference: u8(aorta), prediction: u8(lumen) },
    ]
    const tolerances = [1, 2, 3, 4.5]
    const jobs = []
    for (const p of pairs) {
      const reference = join(dir, `${p.name}-ref.nii.gz`)
      const prediction = join(dir, `${p.name}-pred.nii.gz`)
      await writeNiftiGz(reference, p.geom, p.reference, { intentCode: 1002 })
      await writeNiftiGz(prediction, p.geom, p.prediction, { intentCode: 1002 })
      jobs.push({ reference, prediction, tolerances })
    }
    const script = join(dir, 'reference.py')
    await writeFile(script, REFERENCE_SCRIPT)
    const expected = JSON.parse(execFileSync(ref.python!, [script, JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { hd95: number; nsd: Record<string, number>; spacing: number[] }[]
    for (let i = 0; i < jobs.length; i++) {
      // The app reads the files it scores, so read them back (NIfTI keeps spacing as float32).
      const a = await read(jobs[i]!.reference)
      const b = await read(jobs[i]!.prediction)
      const spacing = a.spacing.slice(0, 3) as Size3
      expect(spacing.map((s, k) => Math.abs(s - expected[i]!.spacing[k]!))).toEqual([0, 0, 0])
      const d = surfaceDistances(u8(a), u8(b), size3(a), spacing)
      if ('empty' in d) throw new Error(`${pairs[i]!.name}: ${d.empty}`)
      expect(robustHausdorff(d), `${pairs[i]!.name} HD95`).toBeCloseTo(expected[i]!.hd95, 9)
      for (const t of tolerances) expect(normalisedSurfaceDice(d, t), `${pairs[i]!.name} NSD at ${t} mm`).toBeCloseTo(expected[i]!.nsd[String(t)]!, 9)
      expect(surfaceScore(u8(a), u8(b), size3(a), spacing, 2).nsd).toBeCloseTo(expected[i]!.nsd['2']!, 9)
    }
    // The figures are not trivial: a real disagreement on every pair.
    expect(expected.every((e) => e.hd95 > 0 && e.nsd['1']! < 1)).toBe(true)
  }, 120_000)
})
