// Multi-label files as label sources (issue 18, item 6), through the built CLI: 3D Slicer .seg.nrrd
// files (`--label NAME=segnrrd:DIR:SEGMENT`) and label maps with a value table
// (`--label NAME=labelmap:DIR:VALUE`), one file per case matched by name as masks are. Made from
// real TotalSegmentator masks: case01 is ct_small (its segmentation written by the app's own
// .seg.nrrd writer, one layer), case02 the aorta scan (written by slicerio, 3D Slicer's own writer,
// aorta and true lumen on two layers because they overlap). slicerio reads both back to the masks.
// The written labelsTr must equal the masks merged by label order, voxel for voxel; a segment a
// case lacks is named with the file and the segments it has.
import { execFileSync } from 'node:child_process'
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVolume } from '../../electron/imaging/volume'
import { writeSegNrrd } from '../../electron/imaging/segNrrdWriter'
import { encodeNiftiGz } from '../../electron/imaging/niftiWriter'
import { parseSegNrrdHeader } from '../../electron/imaging/segNrrdReader'
import { referencePython } from '../helpers/referencePython'
import { structureNames } from '../../electron/dataset/structureNames'
import { casesLacking } from '../../shared/structureSpec'
import { cliEnv, prepareCli } from './prepareCli'

const TOTALSEG = '/work/shared/data/totalseg'
const SMALL = join(TOTALSEG, 'ct_small', 'masks')
const AORTA = join(TOTALSEG, 'aorta', 'masks')
const SCRIPT = join(import.meta.dirname, 'segNrrdReference.py')
const ref = referencePython()

let tmp: string
let images: string
/** Each case's masks, copied into the temporary folder (the shared data is never touched). */
const masks: Record<string, string> = {}

async function maskData(name: string): Promise<Uint8Array> {
  return (await readVolume(masks[name]!)).data as Uint8Array
}

function slicerio(args: string[]): { segments: string[]; layers: number; diffs: Record<string, number> } {
  return JSON.parse(execFileSync(ref.python!, [SCRIPT, ...args], { encoding: 'utf8' }).trim().split('\n').pop()!)
}

/** Voxels of the written label map that differ from `want(v)`. */
async function differing(file: string, want: (v: number) => number): Promise<number> {
  const label = (await readVolume(file)).data as Uint8Array
  let diff = 0
  for (let v = 0; v < label.length; v++) if (label[v] !== want(v)) diff++
  return diff
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-multilabel-'))
  images = join(tmp, 'images')
  await mkdir(join(tmp, 'masks'), { recursive: true })
  await mkdir(images)
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(images, 'case01.nii.gz'))
  await copyFile(join(TOTALSEG, 'aorta', 'ct.nii.gz'), join(images, 'case02.nii.gz'))
  for (const [dir, names] of [[SMALL, ['liver', 'spleen', 'kidney_left', 'kidney_right']], [AORTA, ['aorta', 'aorta_true_lumen']]] as const) {
    for (const n of names) await copyFile(join(dir, `${n}.nii.gz`), (masks[n] = join(tmp, 'masks', `${n}.nii.gz`)))
  }
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

let segsMade: Promise<string> | undefined
/** case01.seg.nrrd by the app's writer (one layer: liver 1, spleen 2, left kidney 3); case02.seg.nrrd by slicerio (aorta and true lumen on two layers). */
function segFolder(): Promise<string> {
  segsMade ??= (async () => {
    const dir = join(tmp, 'segnrrd')
    await mkdir(dir)
    const liver = await maskData('liver')
    const spleen = await maskData('spleen')
    const kidney = await maskData('kidney_left')
    const geom = await readVolume(masks.liver!)
    const map = Uint8Array.from(liver, (v, i) => (kidney[i] ? 3 : spleen[i] ? 2 : v ? 1 : 0))
    await writeSegNrrd(join(dir, 'case01.seg.nrrd'), geom, map, [
      { name: 'Liver', value: 1, colour: [221, 130, 101] },
      { name: 'spleen', value: 2, colour: [157, 108, 162] },
      { name: 'kidney_left', value: 3, colour: [185, 102, 83] },
    ])
    const written = slicerio(['write', join(dir, 'case02.seg.nrrd'), `Aorta=${masks.aorta}`, `True Lumen=${masks.aorta_true_lumen}`])
    expect(written.diffs).toEqual({ Aorta: 0, 'True Lumen': 0 })
    return dir
  })()
  return segsMade
}

let mapsMade: Promise<string> | undefined
/** case01.nii.gz by the app's NIfTI writer (liver 1, spleen 2, kidneys 3 and 4); case02.nrrd by SimpleITK (aorta 5, true lumen 6 over it). */
function mapFolder(): Promise<string> {
  mapsMade ??= (async () => {
    const dir = join(tmp, 'labelmaps')
    await mkdir(dir)
    const liver = await maskData('liver')
    const spleen = await maskData('spleen')
    const kl = await maskData('kidney_left')
    const kr = await maskData('kidney_right')
    const geom = await readVolume(masks.liver!)
    const map = Uint8Array.from(liver, (v, i) => (kr[i] ? 4 : kl[i] ? 3 : spleen[i] ? 2 : v ? 1 : 0))
    await writeFile(join(dir, 'case01.nii.gz'), await encodeNiftiGz(geom, map))
    slicerio(['labelmap', join(dir, 'case02.nrrd'), `aorta=${masks.aorta}:5`, `lumen=${masks.aorta_true_lumen}:6`])
    return dir
  })()
  return mapsMade
}

describe('prepare --label NAME=segnrrd:DIR:SEGMENT (3D Slicer .seg.nrrd)', () => {
  it('takes segments by name (aliases, any case) from the app’s and Slicer’s files, merges overlapping layers by label order, and names a missing segment', async (ctx) => {
    if (!ref.python) return ctx.skip(ref.reason)
    const segs = await segFolder()
    const case01 = join(segs, 'case01.seg.nrrd')
    const case02 = join(segs, 'case02.seg.nrrd')
    const liver = await maskData('liver')
    const spleen = await maskData('spleen')
    // Slicer's own reader finds the app's segments on the masks, and its own file's segments on two layers.
    const app = slicerio(['check', case01, `Liver=${masks.liver}`, `spleen=${masks.spleen}`, `kidney_left=${masks.kidney_left}`])
    expect(app.diffs).toEqual({ Liver: 0, spleen: 0, kidney_left: 0 })
    const slicer = slicerio(['check', case02, `Aorta=${masks.aorta}`, `True Lumen=${masks.aorta_true_lumen}`])
    expect(slicer).toEqual({ segments: ['Aorta', 'True Lumen'], layers: 2, diffs: { Aorta: 0, 'True Lumen': 0 } })
    expect(parseSegNrrdHeader(await readFile(case02), case02).segments.map((s) => [s.name, s.layer, s.labelValue])).toEqual([
      ['Aorta', 0, 1],
      ['True Lumen', 1, 1],
    ])

    const labels = ['--label', `liver=segnrrd:${segs}:LIVER|liver_1`, '--label', `spleen=segnrrd:${segs}:Spleen`, '--label', `aorta=segnrrd:${segs}:aorta`, '--label', `lumen=segnrrd:${segs}:true lumen|lumen`]
    const env = cliEnv(join(tmp, 'appdata'))
    // Without --allow-missing-mask: case02 has no liver, case01 no aorta; each said with its file and the segments it has.
    const refused = await prepareCli(['--images', images, ...labels, '--out', join(tmp, 'out-refused'), '--id', '81', '--name', 'Seg'], env)
    expect(refused.code).not.toBe(0)
    const said = refused.stdout + refused.stderr
    expect(said).toMatch(/No "liver" for case "case02": the segmentation \S*case02\.seg\.nrrd has no segment named "LIVER" or "liver_1" \(segments there: Aorta, True Lumen\)/)
    expect(said).toMatch(/No "aorta" for case "case01": the segmentation \S*case01\.seg\.nrrd has no segment named "aorta" \(segments there: Liver, spleen, kidney_left\)/)
    expect(said).not.toMatch(/split it into|binary masks/i)

    const out = join(tmp, 'out-seg')
    const r = await prepareCli(['--images', images, ...labels, '--allow-missing-mask', '--out', out, '--id', '82', '--name', 'Seg'], env)
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const ds = join(out, 'Dataset082_Seg')
    const written = (await readdir(join(ds, 'labelsTr'))).sort()
    expect(written).toHaveLength(2)
    const dataset = JSON.parse(await readFile(join(ds, 'dataset.json'), 'utf8'))
    expect(dataset.labels).toEqual({ background: 0, liver: 1, spleen: 2, aorta: 3, lumen: 4 })
    // case01: liver and spleen (the kidney is in no label); case02: the lumen over the aorta (label order).
    expect(await differing(join(ds, 'labelsTr', written[0]!), (v) => (spleen[v] ? 2 : liver[v] ? 1 : 0))).toBe(0)
    const aorta = await maskData('aorta')
    const lumen = await maskData('aorta_true_lumen')
    let overlap = 0
    for (let v = 0; v < lumen.length; v++) if (lumen[v] && aorta[v]) overlap++
    expect(overlap, 'the two layers overlap (else the merge is not tested)').toBeGreaterThan(0)
    expect(await differing(join(ds, 'labelsTr', written[1]!), (v) => (lumen[v] ? 4 : aorta[v] ? 3 : 0))).toBe(0)
  }, 120_000)
})

describe('prepare --label NAME=labelmap:DIR:VALUE (label maps with a value table)', () => {
  it('takes each label’s values (one or several) from .nii.gz and .nrrd label maps, merged by label order', async (ctx) => {
    if (!ref.python) return ctx.skip(ref.reason)
    const maps = await mapFolder()
    const liver = await maskData('liver')
    const kl = await maskData('kidney_left')
    const kr = await maskData('kidney_right')

    const out = join(tmp, 'out-map')
    const labels = ['--label', `liver=labelmap:${maps}:1`, '--label', `kidneys=labelmap:${maps}:3|4`, '--label', `vessel=labelmap:${maps}:5|6`, '--label', `lumen=labelmap:${maps}:6`]
    const r = await prepareCli(['--images', images, ...labels, '--out', out, '--id', '83', '--name', 'Map'], cliEnv(join(tmp, 'appdata')))
    expect(r.code, r.stderr + r.stdout).toBe(0)
    // A value a case's map lacks leaves the label empty there, said with the values it has.
    expect(r.stdout + r.stderr).toMatch(/The "liver" label map \S*case02\.nrrd holds no voxel of value 1 \(its values: 0, 5, 6\)/)
    const ds = join(out, 'Dataset083_Map')
    const written = (await readdir(join(ds, 'labelsTr'))).sort()
    expect(written).toHaveLength(2)
    expect(await differing(join(ds, 'labelsTr', written[0]!), (v) => (kl[v] || kr[v] ? 2 : liver[v] ? 1 : 0))).toBe(0)
    const aorta = await maskData('aorta')
    const lumen = await maskData('aorta_true_lumen')
    expect(await differing(join(ds, 'labelsTr', written[1]!), (v) => (lumen[v] ? 4 : aorta[v] ? 3 : 0))).toBe(0)
    // The manifest records the one label map under each label it feeds (a changed map makes every one of them stale).
    const manifest = JSON.parse(await readFile(join(ds, 'manifest.json'), 'utf8')) as { cases: Record<string, { caseKey?: string; sources: { role: string; path?: string }[] }> }
    const case02 = Object.values(manifest.cases).find((c) => c.caseKey === 'case02')!
    expect(case02.sources.filter((x) => x.path === join(maps, 'case02.nrrd')).map((x) => x.role)).toEqual(['liver', 'kidneys', 'vessel', 'lumen'])
  }, 120_000)

  it('a label map given as a folder of masks is refused pointing to the value table, not only to splitting it', async (ctx) => {
    if (!ref.python) return ctx.skip(ref.reason)
    const maps = await mapFolder()
    const r = await prepareCli(['--images', images, '--label', `organs=${maps}`, '--out', join(tmp, 'out-asmask'), '--id', '86', '--name', 'Map'], cliEnv(join(tmp, 'appdata')))
    expect(r.code).not.toBe(0)
    expect(r.stdout + r.stderr).toMatch(/The "organs" mask holds several foreground values \(its values: 0, 1, 2, 3, 4\)/)
    expect(r.stdout + r.stderr).toMatch(/give each structure its value \(--label organs=labelmap:DIR:VALUE, or "Label maps" in the Labels step\)/)
  }, 60_000)

  it('refuses a value table that is not numbers before anything is read', async () => {
    const r = await prepareCli(['--images', images, '--label', `liver=labelmap:${tmp}:liver`, '--out', join(tmp, 'out-bad'), '--id', '84', '--name', 'Map'], cliEnv(join(tmp, 'appdata')))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/label map values are whole numbers 1\.\.65535 \(one, or several as 3\|4\), got "liver"/)
  })
})

describe('the Labels step and the image folder', () => {
  it('lists each case’s segment names and label values for the name mapping', async (ctx) => {
    if (!ref.python) return ctx.skip(ref.reason)
    const seg = await structureNames({ imagesDir: images, dir: await segFolder(), kind: 'segnrrd' })
    expect(seg.perCase).toEqual([
      { caseKey: 'case01', names: ['Liver', 'spleen', 'kidney_left'] },
      { caseKey: 'case02', names: ['Aorta', 'True Lumen'] },
    ])
    expect(casesLacking(seg, 'LIVER|liver_1')).toEqual(['case02'])
    const map = await structureNames({ imagesDir: images, dir: await mapFolder(), kind: 'labelmap' })
    expect(map.perCase).toEqual([
      { caseKey: 'case01', names: ['1', '2', '3', '4'] },
      { caseKey: 'case02', names: ['5', '6'] },
    ])
    expect(casesLacking(map, '3|4')).toEqual(['case02'])
  }, 60_000)

  it('reads .seg.nrrd files kept beside their scans: the image folder skips them', async (ctx) => {
    if (!ref.python) return ctx.skip(ref.reason)
    const together = join(tmp, 'together')
    await cp(images, together, { recursive: true })
    await cp(await segFolder(), together, { recursive: true })
    const out = join(tmp, 'out-together')
    const r = await prepareCli(['--images', together, '--label', `liver=segnrrd:${together}:liver`, '--label', `spleen=segnrrd:${together}:spleen`, '--allow-missing-mask', '--out', out, '--id', '85', '--name', 'Beside'], cliEnv(join(tmp, 'appdata')))
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const written = (await readdir(join(out, 'Dataset085_Beside', 'labelsTr'))).sort()
    expect(written).toHaveLength(2)
    const liver = await maskData('liver')
    const spleen = await maskData('spleen')
    expect(await differing(join(out, 'Dataset085_Beside', 'labelsTr', written[0]!), (v) => (spleen[v] ? 2 : liver[v] ? 1 : 0))).toBe(0)
  }, 60_000)
})
