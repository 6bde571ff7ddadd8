// Review's list of a prediction folder (electron/results/reviewCases.ts) on real masks of the
// ct_small CT, with probability files written the way nnU-Net writes them (np.savez_compressed,
// key "probabilities", C x Z x Y x X of the SimpleITK array) by the venv's numpy, and the expected
// scores computed independently in Python (scipy's 6-connected dilation, numpy's entropy). The
// probabilities vary along x, so a mix-up of the axis order cannot give the same scores.
import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reviewCases } from '../../electron/results/reviewCases'
import * as s from '../../shared/schema'
import { TOTALSEG } from '../helpers/guideFolders'
import { nnunetPython } from '../helpers/python'

const py = nnunetPython('v2')
const MASKS = join(TOTALSEG, 'ct_small', 'masks')

const SCRIPT = `
import sys, json, numpy as np, SimpleITK as sitk
from scipy.ndimage import binary_dilation, generate_binary_structure
folder = sys.argv[1]
out = {}
for case, dtype, fg, bg in [('caseA', np.float16, 0.9, 0.1), ('caseB', np.float32, 0.6, 0.05)]:
    img = sitk.ReadImage(f'{folder}/{case}.nii.gz')
    seg = sitk.GetArrayFromImage(img)  # Z, Y, X as nnU-Net's SimpleITKIO
    x = np.arange(seg.shape[2])[None, None, :] / seg.shape[2]
    p1 = np.where(seg > 0, fg, bg) * (1 - 0.3 * x)
    probs = np.stack([1 - p1, p1]).astype(dtype)
    np.savez_compressed(f'{folder}/{case}.npz', probabilities=probs)
    p = probs.astype(np.float64)
    region = binary_dilation(seg > 0, generate_binary_structure(3, 1))
    with np.errstate(divide='ignore', invalid='ignore'):
        h = -np.nansum(np.where(p > 0, p * np.log(p), 0), axis=0) / np.log(2)
    out[case] = {'score': float(h[region].mean()), 'voxels': int(region.sum()), 'fg': int((seg > 0).sum()), 'spacing': list(img.GetSpacing())}
print(json.dumps(out))
`

describe.skipIf(!py.python)(`reviewCases ranks a prediction folder ${py.reason}`, () => {
  let dir: string
  let expected: Record<string, { score: number; voxels: number; fg: number; spacing: number[] }>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nnw-review-'))
    await copyFile(join(MASKS, 'liver.nii.gz'), join(dir, 'caseA.nii.gz'))
    await copyFile(join(MASKS, 'spleen.nii.gz'), join(dir, 'caseB.nii.gz'))
    await copyFile(join(MASKS, 'kidney_left.nii.gz'), join(dir, 'caseC.nii.gz'))
    await writeFile(join(dir, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, organ: 1 }, numTraining: 3, file_ending: '.nii.gz' }))
    expected = JSON.parse(execFileSync(py.python!, ['-c', SCRIPT, dir], { encoding: 'utf8' })) as typeof expected
    await mkdir(join(dir, 'corrected'))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('scores each case as Python computes it, ranks the most unsure first, lists a case without probabilities last', async () => {
    const list = await reviewCases(s.settings.parse({}), s.reviewCasesRequest.parse({ folder: dir }))
    expect(list.cases.map((c) => c.case)).toEqual(['caseB', 'caseA', 'caseC'].sort((a, b) => (expected[b]?.score ?? -1) - (expected[a]?.score ?? -1)))
    for (const c of ['caseA', 'caseB'] as const) {
      const got = list.cases.find((x) => x.case === c)!
      // float32 sums over ~10^4 voxels: agreement to 1e-5.
      expect(got.score).toBeCloseTo(expected[c]!.score, 5)
      expect(got.scoredVoxels).toBe(expected[c]!.voxels)
      expect(got.volumes).toEqual([{ name: 'organ', value: 1, voxels: expected[c]!.fg, ml: expect.closeTo((expected[c]!.fg * expected[c]!.spacing.reduce((a, b) => a * b, 1)) / 1000, 6) }])
      expect(got.probabilities).toBe(join(dir, `${c}.npz`))
    }
    const last = list.cases[2]!
    expect(last).toMatchObject({ case: 'caseC', rank: 3, score: null })
    expect(last.volumes[0]!.voxels).toBeGreaterThan(0)
    expect(list.hint).toBeUndefined()
    expect(list.rule).toMatch(/entropy/)
  })

  it('scores a case again when its probability file changes (a cached score is keyed by the files)', async () => {
    const again = await reviewCases(s.settings.parse({}), s.reviewCasesRequest.parse({ folder: dir }))
    expect(again.cases.find((c) => c.case === 'caseA')!.score).toBeCloseTo(expected.caseA!.score, 5)
    // Every voxel 50/50 now: the model cannot choose anywhere.
    execFileSync(py.python!, ['-c', "import sys, numpy as np, SimpleITK as sitk\ns = sitk.GetArrayFromImage(sitk.ReadImage(sys.argv[1] + '/caseA.nii.gz'))\nnp.savez_compressed(sys.argv[1] + '/caseA.npz', probabilities=np.full((2,) + s.shape, 0.5, np.float32))", dir])
    const changed = await reviewCases(s.settings.parse({}), s.reviewCasesRequest.parse({ folder: dir }))
    expect(changed.cases[0]).toMatchObject({ case: 'caseA', rank: 1 })
    expect(changed.cases[0]!.score).toBeCloseTo(1, 6)
  })

  it('says what to do when no case has probabilities, and refuses a folder without predictions by name', async () => {
    const bare = join(dir, 'corrected')
    await copyFile(join(MASKS, 'spleen.nii.gz'), join(bare, 'x.nii.gz'))
    const list = await reviewCases(s.settings.parse({}), s.reviewCasesRequest.parse({ folder: bare }))
    expect(list.cases[0]).toMatchObject({ case: 'x', score: null })
    expect(list.hint).toMatch(/save probabilities/)
    const empty = join(dir, 'empty')
    await mkdir(empty)
    await expect(reviewCases(s.settings.parse({}), s.reviewCasesRequest.parse({ folder: empty }))).rejects.toThrow(new RegExp(`${empty} holds no predictions`))
  })
})
