// nnU-Net v2's own verify_dataset_integrity on a dataset made from DICOM (issue 20, "Real parts in
// tests"): three case folders of the real CT (plain names; shuffled extension-less names two folders
// deep; the series turned 180 degrees in-plane), structures from rt-utils RTSTRUCTs and highdicom
// SEGs (test/dicom/makeStructures.py), written by the built CLI as a user runs it. nnU-Net's check
// is called directly (no plan / preprocess: too slow for the suite) with one process. It prints
// warnings (origin / direction mismatch) without failing, so the test also requires that nothing
// was printed, and proves that such a warning would be seen: a control dataset pairs case A's
// image with the rotated case's label map and must draw nnU-Net's "Direction mismatch".
import { execFile } from 'node:child_process'
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, prepareCli } from '../dataset/prepareCli'
import { nnunetPython } from '../helpers/python'
import { structureWorkspace, type StructureData } from './structureData'

const py = nnunetPython('v2')
const run = promisify(execFile)

// Runs the check on each folder (one interpreter: importing nnunetv2 takes seconds), then prints
// what SimpleITK (nnU-Net's reader here) sees in each image / label pair.
const VERIFY = `
import json, sys
import numpy as np
import SimpleITK as sitk
from nnunetv2.experiment_planning.verify_dataset_integrity import verify_dataset_integrity
for folder in sys.argv[1:]:
    print("=== verify " + folder, flush=True)
    try:
        verify_dataset_integrity(folder, num_processes=1)
        print("=== ok", flush=True)
    except BaseException as e:
        print("=== failed: %s: %s" % (type(e).__name__, e), flush=True)
import glob, os
facts = {}
for lab in sorted(glob.glob(os.path.join(sys.argv[1], "labelsTr", "*.nii.gz"))):
    case = os.path.basename(lab)[: -len(".nii.gz")]
    img = sitk.ReadImage(os.path.join(sys.argv[1], "imagesTr", case + "_0000.nii.gz"))
    arr = sitk.GetArrayFromImage(sitk.ReadImage(lab))
    values, counts = np.unique(arr, return_counts=True)
    facts[case] = {"size": list(img.GetSize()), "direction": [round(v, 6) for v in img.GetDirection()], "counts": {str(int(v)): int(c) for v, c in zip(values, counts)}}
print("=== facts " + json.dumps(facts), flush=True)
`

let data: StructureData | undefined
let missing = ''
let tmp: string

beforeAll(async () => {
  ;({ data, missing, tmp } = await structureWorkspace('nnw-dicom-verify-'))
}, 300_000)
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe.skipIf(!py.python)(`nnU-Net v2 verifies a dataset written from DICOM ${py.reason}`, () => {
  it('RTSTRUCT + DICOM-SEG cases (one rotated in-plane) pass verify_dataset_integrity with no warning; a misaligned control draws one', { timeout: 300_000 }, async (ctx) => {
    if (!data) return ctx.skip(missing)
    const t0 = Date.now()
    // The image folder: one sub-folder per case. The rotated series lies beside the fixture's image folder; here it is case R.
    const images = join(tmp, 'images')
    await cp(data.images, images, { recursive: true })
    await cp(join(data.dir, 'rotated', 'series'), join(images, 'caseR'), { recursive: true })
    // Structure sets (rt-utils) of A, B and R; SEGs (highdicom) of A (empty frames omitted) and R.
    // Case B has no bone ROI and no SEG: left empty, as cases may lack a mask.
    const rt = join(tmp, 'rtstruct')
    const seg = join(tmp, 'seg')
    await cp(data.rtstruct, rt, { recursive: true })
    await cp(join(data.dir, 'rotated-rtstruct'), join(rt, 'RS.rotated'))
    await mkdir(seg)
    await cp(join(data.seg, 'binary-omitted'), join(seg, 'case-a'))
    await cp(join(data.dir, 'rotated-seg'), join(seg, 'case-r.dcm'))

    const out = join(tmp, 'raw')
    const r = await prepareCli(
      ['--images', images, '--label', `body=rtstruct:${rt}:BODY|External|Body`, '--label', `ring=rtstruct:${rt}:Ring`, '--label', `bone=seg:${seg}:Bone rim|Bone`, '--allow-missing-mask', '--no-source-paths', '--out', out, '--id', '81', '--name', 'DicomVerify'],
      cliEnv(join(tmp, 'appdata')),
    )
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const ds = join(out, 'Dataset081_DicomVerify')
    const caseOf: Record<string, string> = {}
    for (const m of (r.stdout + r.stderr).matchAll(/^(\w+) -> imagesTr\/(\w+)_0000\.nii\.gz/gm)) caseOf[m[1]!] = m[2]!
    expect(Object.keys(caseOf).sort()).toEqual(['caseA', 'caseB', 'caseR'])

    // Control: case A's image with the rotated case's label map (same size and spacing, another direction and origin).
    const control = join(tmp, 'control')
    await mkdir(join(control, 'imagesTr'), { recursive: true })
    await mkdir(join(control, 'labelsTr'))
    await cp(join(ds, 'imagesTr', `${caseOf.caseA}_0000.nii.gz`), join(control, 'imagesTr', 'ctl_001_0000.nii.gz'))
    await cp(join(ds, 'labelsTr', `${caseOf.caseR}.nii.gz`), join(control, 'labelsTr', 'ctl_001.nii.gz'))
    await writeFile(join(control, 'dataset.json'), JSON.stringify({ channel_names: { 0: 'CT' }, labels: { background: 0, body: 1, ring: 2, bone: 3 }, numTraining: 1, file_ending: '.nii.gz' }))

    const env = { ...process.env, nnUNet_raw: out, nnUNet_preprocessed: join(tmp, 'pre'), nnUNet_results: join(tmp, 'results') }
    const { stdout, stderr } = await run(py.python!, ['-c', VERIFY, ds, control], { env, maxBuffer: 64 << 20, timeout: 240_000 })
    const [, real = '', ctl = ''] = stdout.split(/^=== verify .*$/m)
    const all = stdout + stderr

    // The DICOM-made dataset: nnU-Net's check finished and printed no warning or error of its own.
    expect(real, all).toMatch(/verify_dataset_integrity Done/)
    expect(real, all).toMatch(/^=== ok$/m)
    // (nnU-Net starts each complaint with "Warning:", "WARNING:" or "Error:"; its closing line mentions "error messages".)
    expect(real, all).not.toMatch(/^\s*(warning|error)\b|mismatch|unexpected labels|NaN/im)
    // The control: the same check names the misaligned pair (so a silent run above means aligned grids).
    expect(ctl, all).toMatch(/Direction mismatch between segmentation and corresponding images/)
    expect(ctl, all).toMatch(/Origin mismatch/)

    // What nnU-Net's reader sees: each case on its series' grid, the rotated one with its direction,
    // and the labels each case's structures give (B has no bone).
    const facts = JSON.parse(/^=== facts (.*)$/m.exec(stdout)![1]!) as Record<string, { size: number[]; direction: number[]; counts: Record<string, number> }>
    const f = (c: string) => facts[caseOf[c]!]!
    for (const c of ['caseA', 'caseB', 'caseR']) expect(f(c).size).toEqual([512, 512, 20])
    expect(f('caseA').direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    expect(f('caseR').direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1])
    expect(Object.keys(f('caseA').counts).sort()).toEqual(['0', '1', '2', '3'])
    expect(Object.keys(f('caseB').counts).sort()).toEqual(['0', '1', '2'])
    expect(Object.keys(f('caseR').counts).sort()).toEqual(['0', '1', '2', '3'])
    // The voxels counted by nnU-Net's reader are the masks the structures were made from: B's ring
    // (its last label) from the rt-utils contours, A's bone (its last label) from the highdicom SEG.
    expect(f('caseB').counts['2']).toBe(data.facts.voxels.ring)
    expect(f('caseA').counts['3']).toBe(data.facts.voxels.bone)
    ctx.annotate(`prepare + verify: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  })
})
